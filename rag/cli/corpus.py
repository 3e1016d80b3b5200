"""Commands that fill and inspect the store: ingest, sources, show, search, delete, collections."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from rag.cli import CollectionOpt, JsonOpt, app, print_json, terminal_text, user_errors

if TYPE_CHECKING:
    from rag.ingest import IngestTally
    from rag.types import IngestResult

InputsArg = typer.Argument(..., help="Files, folders (recursive), URLs or RSS/Atom feed URLs.")
WorkersOpt = typer.Option(1, "--workers", "-w", help="Processes that read, split and encode in parallel.")
RayOpt = typer.Option(
    None, "--ray", help="Spread the work as Ray Data batches: 'local' (this machine) or a cluster address.",
)


def tally_text(counts: IngestTally) -> str:
    """'12/40 documents · 3,400/3,900 sentences · 250/s · ETA 1m20s' (parts unknown so far are left out)."""
    parts = [f"{counts.documents_done:,}/{counts.documents_total:,} documents",
             f"{counts.sentences_done:,}/{counts.sentences_found:,} sentences"]
    if counts.sentences_done:
        parts.append(f"{counts.rate:,.0f}/s")
    eta = counts.eta
    if eta is not None:
        minutes, seconds = divmod(round(eta), 60)
        parts.append(f"ETA {minutes}m{seconds:02d}s" if minutes else f"ETA {seconds}s")
    return " · ".join(parts)


@app.command()
@user_errors
def ingest(
    inputs: list[str] = InputsArg,
    collection: str | None = CollectionOpt,
    outlet: str | None = typer.Option(None, help="Outlet for every article of this run (beats headers)."),
    date: str | None = typer.Option(None, help="Publication date for every article of this run."),
    workers: int = WorkersOpt,
    ray: str | None = RayOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Add articles; report added / unchanged / duplicate / rejected (with the reason)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn
    from rich.text import Text

    from rag.engine import Crossread
    from rag.types import IngestStatus
    from rag.vectorstore import check_collection_name

    if collection is not None:
        check_collection_name(collection)  # before the progress display, so the error stays one line
    counts = dict.fromkeys(IngestStatus, 0)
    with Progress(
        TextColumn("[bold]ingest"), BarColumn(), TextColumn("{task.description}"),
        console=Console(stderr=True), transient=True, disable=as_json,
    ) as bar:
        task = bar.add_task("loading model…", total=None)

        def on_tally(tally: IngestTally) -> None:
            # Sentences drive the bar (one big file moves it slice by slice); documents when none are new.
            expected = tally.sentences_expected
            done, total = (tally.sentences_done, expected) if expected else (tally.documents_done,
                                                                             tally.documents_total)
            bar.update(task, completed=done, total=max(total, 1), description=tally_text(tally))

        def on_result(result: IngestResult) -> None:
            counts[result.status] += 1
            if result.status == IngestStatus.REJECTED and not as_json:
                # soft_wrap: one line per rejection however narrow the terminal; Text: no markup parsing.
                line = Text.assemble(("rejected ", "red"), terminal_text(result.reason or result.input))
                bar.console.print(line, soft_wrap=True, highlight=False)

        def on_wait(message: str) -> None:
            bar.console.print(Text(f"note: {terminal_text(message)}"), soft_wrap=True, highlight=False)

        results = Crossread().ingest(inputs, collection=collection, outlet=outlet, date=date, progress=on_result,
                                     waiting=on_wait, tally=on_tally, workers=workers, ray_address=ray)
    if as_json:
        print_json([r.as_json() for r in results])
    else:
        for r in results:
            if r.status == IngestStatus.DUPLICATE:
                typer.echo(terminal_text(f"duplicate {r.input}: {r.reason}"), err=True)
        typer.echo(", ".join(f"{n} {status}" for status, n in counts.items()))
    if counts[IngestStatus.REJECTED]:
        raise typer.Exit(1)


@app.command()
@user_errors
def sources(collection: str | None = CollectionOpt, as_json: bool = JsonOpt) -> None:
    """List documents with outlet, title, byline, date and sentence count."""
    from rag.store import open_store

    store = open_store()
    name = store.collection_name(collection)
    docs = store.docs.list_documents(name)
    if as_json:
        # Where this store's vectors live: on a shared Chroma server the store id keeps deployments apart.
        print_json([{**d, "chroma_collection": f"{store.namespace}{name}"} for d in docs])
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table("doc_id", "outlet", "title", "byline", "date", "sentences")
    for d in docs:
        cells = (d["doc_id"], d["outlet"] or "—", (d["title"] or "—")[:60], d["byline"] or "—", d["date"] or "—",
                 str(d["sentence_count"]))
        table.add_row(*(Text(terminal_text(c)) for c in cells))  # Text: no markup from article titles
    Console(file=getattr(sys.stdout, "raw", sys.stdout)).print(table)


@app.command()
@user_errors
def show(doc_id: str = typer.Argument(..., help="Document id (or a unique prefix)."),
         collection: str | None = CollectionOpt, as_json: bool = JsonOpt) -> None:
    """Print an article with its sentence numbers."""
    from rag.store import open_store

    store = open_store()
    doc = store.document(store.collection_name(collection), doc_id)
    m = doc.meta
    if as_json:
        print_json({
            "doc_id": doc.doc_id, "outlet": m.outlet, "title": m.title, "byline": m.byline, "date": m.date,
            "url": m.url, "path": m.path,
            "sentences": [
                {"index": s.index, "text": s.text, "start": s.start, "end": s.end} for s in doc.sentences
            ],
        })
        return
    typer.echo(f"{m.title or '(untitled)'}")
    typer.echo(f"{doc.label} · {m.byline or 'no byline'} · {m.date or 'no date'} · {doc.doc_id}\n")
    for s in doc.sentences:
        typer.echo(f"[{s.index + 1:>3}] {s.text}")


@app.command()
@user_errors
def search(text: str = typer.Argument(..., help="What to look for."), k: int = typer.Option(10, "-k"),
           collection: str | None = CollectionOpt, as_json: bool = JsonOpt) -> None:
    """Print the best-matching sentences (the same hybrid dense + BM25 retrieval as `ask`) with scores."""
    from rag.engine import Crossread
    from rag.errors import CrossreadError

    if not 1 <= k <= 1000:
        raise CrossreadError(f"-k must be between 1 and 1000, not {k}")
    if not text.strip():
        raise CrossreadError("the search text is empty")
    # No per-outlet quota: search shows the best sentences wherever they are; the score is the dense cosine.
    hits = Crossread().search(text, collection=collection, k=k, diversity=False)
    if as_json:
        print_json([h.as_json() for h in hits])
        return
    for h in hits:
        typer.echo(f"{h.score:.3f}  {h.sentence.doc_id}:{h.sentence.index}  [{h.outlet}]  {h.sentence.text}")


@app.command()
@user_errors
def delete(doc_id: str, collection: str | None = CollectionOpt) -> None:
    """Delete a document with its vectors and sentences."""
    from rag.store import open_store

    store = open_store()
    store.delete_document(store.collection_name(collection), doc_id)
    typer.echo(f"deleted {doc_id}")


@app.command()
@user_errors
def collections(as_json: bool = JsonOpt) -> None:
    """List collections."""
    from rag.store import open_store

    names = open_store().docs.collections()
    if as_json:
        print_json(names)
    else:
        typer.echo("\n".join(names) or "(no collections yet)")
