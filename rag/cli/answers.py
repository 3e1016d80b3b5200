"""Commands for grounded Q&A: `ask` (cited, verified answers) and `verify` (the claim checker alone)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from rag.cli import CollectionOpt, JsonOpt, app, claim_line, print_json, print_sources, user_errors

if TYPE_CHECKING:  # rag.types imports numpy: `crossread --help` must not wait for it
    from rag.types import Answer, Verdict

SourceOpt = typer.Option(..., "--source", "-s", help="A source sentence (repeat for several).")
_BADGES = {"supported": "✓ supported", "partially supported": "~ partially supported", "unsupported": "✗ unsupported"}


def badge(verdict: Verdict) -> str:
    return _BADGES[str(verdict)]


def answer_json(answer: Answer) -> dict[str, Any]:
    """The `ask --json` shape of the command-line contract (plus notice, reasons and closest sentences)."""
    return {
        "question": answer.question,
        "answer": answer.text,
        "refused": answer.refused,
        "generator": answer.generator,
        "notice": answer.notice,
        "claims": [
            {
                "text": c.text, "verdict": str(c.verdict), "score": round(c.score, 4),
                "reasons": list(c.reasons), "citations": [x.as_json() for x in c.citations],
            }
            for c in answer.claims
        ],
        "closest": [h.as_json() for h in answer.closest],
    }


def print_answer(answer: Answer, titles: dict[str, str | None]) -> None:
    """The answer with [n] markers, then each marker resolved to outlet, title, sentence number and quote."""
    from rag.prompts import REFUSAL

    if answer.notice:
        typer.echo(f"note: {answer.notice}", err=True)
    if answer.refused:
        typer.echo(REFUSAL)
        if answer.closest:
            typer.echo("\nClosest sentences found:")
            for h in answer.closest:
                where = f"{h.sentence.doc_id}:{h.sentence.index}"
                typer.echo(f"  {h.score:.2f}  [{h.outlet}] {where}  {h.sentence.text}")
        return
    typer.echo(" ".join(claim_line(c) for c in answer.claims))
    typer.echo("")
    print_sources(answer.claims, titles)
    typer.echo("")
    for i, claim in enumerate(answer.claims, start=1):
        typer.echo(f"claim {i}: {badge(claim.verdict)} ({claim.score:.2f})")
    typer.echo(f"generator: {answer.generator}")


@app.command()
@user_errors
def ask(
    question: str = typer.Argument(..., help="The question, in quotes."),
    collection: str | None = CollectionOpt,
    generator: str | None = typer.Option(
        None, "--generator", "-g", help="extractive, llamacpp, openai or ollama (overrides the setting)."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Answer a question from the collection; every claim cites source sentences and is verified."""
    from rag.engine import Crossread

    engine = Crossread(generator=generator)
    result = engine.ask(question, collection=collection)
    if as_json:
        print_json(answer_json(result))
        return
    cited = {c.doc_id for claim in result.claims for c in claim.citations}
    metas = engine.store.docs.metas(engine.store.collection_name(collection), cited)
    print_answer(result, {d: m.title for d, m in metas.items()})


@app.command()
@user_errors
def verify(
    claim: str = typer.Argument(..., help="The claim to check."),
    source: list[str] = SourceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Check one claim against source sentences: verdict, score and reasons."""
    from rag.verify import verify_claim

    result = verify_claim(claim, source)
    if as_json:
        print_json(result.as_json())
        return
    typer.echo(f"{badge(result.verdict)} ({result.score:.2f})")
    for reason in result.reasons:
        typer.echo(f"  - {reason}")
