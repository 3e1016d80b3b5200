"""Commands for neutral briefings: `brief` (sections, export) and `framing` (loaded terms per sentence)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from rag.cli import CollectionOpt, JsonOpt, app, claim_line, print_json, print_sources, user_errors
from rag.errors import CrossreadError

if TYPE_CHECKING:  # rag.types imports numpy: `crossread --help` must not wait for it
    from rag.types import Briefing, Document

_EXPORTS = ("md", "html", "docx")
_MAX_TOPIC = 200
TopicOpt = typer.Option(None, "--topic", "-t", help="Only what the sources say about this topic.")
DocsOpt = typer.Option(None, "--docs", help="Document ids (or unique prefixes) to brief.")
FormatOpt = typer.Option(None, "--format", help="Export format: md, html or docx (needs --output).")
OutputOpt = typer.Option(None, "--output", "-o", help="File to export the briefing to.")
GeneratorOpt = typer.Option(None, "--generator", "-g", help="extractive, llamacpp, openai or ollama.")
DocArg = typer.Argument(None, help="Document id (or unique prefix); all documents if omitted.")


def framing_json(doc: Document, lexicon_dir: Path | None = None) -> dict[str, Any]:
    """The `framing --json` shape of one document: loaded terms per sentence (offsets) and profile."""
    from rag.framing import detect_loaded_terms, framing_profile

    return {
        "doc_id": doc.doc_id,
        "outlet": doc.label,
        "sentences": [
            {"index": s.index, "loaded_terms": [t.as_json() for t in detect_loaded_terms(s.text)]}
            for s in doc.sentences
        ],
        "profile": framing_profile(doc, lexicon_dir).as_json(),
    }


def print_briefing(briefing: Briefing, style: str) -> None:
    if briefing.notice:
        typer.echo(f"note: {briefing.notice}", err=True)
    typer.echo(f"# {briefing.title}\n")
    for section in briefing.sections:
        if not section.claims:
            continue
        typer.echo(f"## {section.title}")
        lines = [claim_line(c) for c in section.claims]
        typer.echo("\n".join(f"- {line}" for line in lines) if style == "bullets" else " ".join(lines))
        typer.echo("")
    print_sources(claim for section in briefing.sections for claim in section.claims)
    coverage = ", ".join(f"{outlet} {share:.0%}" for outlet, share in briefing.coverage.items())
    typer.echo(f"\ncoverage: {coverage or '—'}\ngenerator: {briefing.generator}")


@app.command()
@user_errors
def brief(
    topic: str | None = TopicOpt,
    docs: list[str] | None = DocsOpt,
    length: str = typer.Option("standard", "--length", help="short, standard or long."),
    style: str = typer.Option("paragraphs", "--style", help="paragraphs or bullets."),
    fmt: str | None = FormatOpt,
    output: Path | None = OutputOpt,
    generator: str | None = GeneratorOpt,
    story: int | None = typer.Option(None, "--story", "-s", help="Brief only story N (see `crossread stories`)."),
    collection: str | None = CollectionOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Write a neutral briefing of every story (largest first): key facts, single-source reports, differences
    and framing, all cited. --story N or --topic brief one story."""
    from rag.composer import LIMITS
    from rag.engine import Crossread
    from rag.export import export_briefing

    if length not in LIMITS:
        raise CrossreadError(f"--length must be short, standard or long, not {length!r}")
    if style not in ("paragraphs", "bullets"):
        raise CrossreadError(f"--style must be paragraphs or bullets, not {style!r}")
    if output is not None and output.is_dir():
        raise CrossreadError(f"--output {output} is a folder; give a file name")
    if output is not None and fmt is None:
        fmt = output.suffix.lstrip(".").lower()
    if fmt is not None and (fmt not in _EXPORTS or output is None):
        raise CrossreadError("export needs --format md|html|docx and --output PATH")
    if output is not None and not output.resolve().parent.is_dir():
        raise CrossreadError(f"--output {output}: folder {output.parent} does not exist")
    if topic is not None and not 0 < len(topic.strip()) <= _MAX_TOPIC:
        raise CrossreadError(f"--topic must be 1-{_MAX_TOPIC} characters, not {len(topic.strip())}")
    if story is not None and story < 1:
        raise CrossreadError(f"--story must be 1 or more, not {story}")
    engine = Crossread(generator=generator)
    store = engine.store
    if topic is None and story is None and fmt is None:
        results = engine.brief_stories(collection=collection, doc_ids=docs or None, length=length)
        if as_json:
            print_json(results[0].as_json() if len(results) == 1 else {"stories": [r.as_json() for r in results]})
            return
        for number, result in enumerate(results, 1):
            if len(results) > 1:
                typer.echo(f"=== Story {number} of {len(results)} ===\n")
            print_briefing(result, style)
            typer.echo("")
        return
    result = engine.brief(collection=collection, topic=topic, doc_ids=docs or None, length=length, story=story)
    if fmt is not None and output is not None:
        cited = {c.doc_id for s in result.sections for claim in s.claims for c in claim.citations}
        metas = store.docs.metas(store.collection_name(collection), cited)
        export_briefing(result, fmt, output, metas, style)  # type: ignore[arg-type]
        typer.echo(f"wrote {output}", err=True)
    if as_json:
        print_json(result.as_json())
    elif fmt is None:
        print_briefing(result, style)


@app.command()
@user_errors
def stories(collection: str | None = CollectionOpt, as_json: bool = JsonOpt) -> None:
    """List the stories of a collection (articles about one event), largest first, with their articles."""
    from rag.briefing import select_stories
    from rag.settings import get_settings
    from rag.store import open_store

    store = open_store(get_settings())
    found = select_stories(store, store.collection_name(collection), None, None)
    if as_json:
        print_json([{"story": n, "articles": [{"doc_id": d.doc_id, "outlet": d.label, "title": d.meta.title}
                                              for d in s.docs]} for n, s in enumerate(found, 1)])
        return
    for n, s in enumerate(found, 1):
        typer.echo(f"story {n}: {len(s.docs)} article(s)")
        for d in s.docs:
            typer.echo(f"  {d.doc_id[:12]}  {d.label} — {d.meta.title or '(untitled)'}")


@app.command()
@user_errors
def framing(
    doc_id: str | None = DocArg,
    collection: str | None = CollectionOpt,
    as_json: bool = JsonOpt,
) -> None:
    """List the loaded terms of each sentence and each document's framing profile."""
    from rag.settings import get_settings
    from rag.store import open_store

    settings = get_settings()
    store = open_store(settings)
    name = store.collection_name(collection)
    ids = [doc_id] if doc_id else [d["doc_id"] for d in store.docs.list_documents(name)]
    if not ids:
        raise CrossreadError(f"collection {name!r} has no documents; add some with `crossread ingest`")
    reports = [framing_json(store.document(name, i), settings.lexicon_dir) for i in ids]
    if as_json:
        print_json(reports[0] if doc_id else reports)
        return
    for report in reports:
        profile = report["profile"]
        typer.echo(f"{report['doc_id']}  {report['outlet']}: {profile['loaded_terms']} loaded terms, "
                   f"{profile['outside_quotes']} outside quotes, {profile['per_100_words']} per 100 words")
        for sentence in report["sentences"]:
            if sentence["loaded_terms"]:
                terms = ", ".join(f"{t['term']} ({t['category']}{', quoted' if t['quoted'] else ''})"
                                  for t in sentence["loaded_terms"])
                typer.echo(f"  [{sentence['index']}] {terms}")
        typer.echo("")
