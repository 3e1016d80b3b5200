"""`crossread app`: seed an empty collection with the shipped corpus, then start the Streamlit app offline.

Streamlit runs in this same process (what `streamlit run` does), so the embedding model loaded for seeding (or
loaded just before the server starts) is already in memory when the first page asks for it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rag.cli import CollectionOpt, app, user_errors
from rag.errors import CrossreadError

if TYPE_CHECKING:  # rag.types imports numpy: `crossread --help` must not wait for it
    from rag.types import IngestResult

# The checkout (or editable install) this package lives in: app.py and corpus/ sit next to rag/.
REPO_ROOT = Path(__file__).resolve().parents[2]
APP_SCRIPT = REPO_ROOT / "app.py"
SHIPPED_CORPUS = REPO_ROOT / "corpus"


def seed_if_empty(collection: str | None = None, corpus: Path = SHIPPED_CORPUS) -> list[IngestResult]:
    """Ingest the shipped corpus when the collection has no articles yet; print progress. [] if not needed."""
    from rag.ingest import ingest
    from rag.store import open_store

    store = open_store()
    name = store.collection_name(collection)
    if store.docs.version(name)[0] > 0:
        return []
    if not corpus.is_dir():
        typer.echo(f"collection {name!r} is empty and no shipped corpus was found at {corpus}; "
                   "add articles on the Sources page or with `crossread ingest PATH`", err=True)
        return []
    typer.echo(f"First start: adding the shipped articles in {corpus} to collection {name!r} "
               "(loading the embedding model)…", err=True)

    def report(result: IngestResult) -> None:
        reason = f" ({result.reason})" if result.reason else ""
        typer.echo(f"  {result.status}: {Path(result.input).name}{reason}", err=True)

    return ingest([str(corpus)], collection=name, store=store, progress=report)


def streamlit_command(port: int, address: str, extra: list[str]) -> list[str]:
    """The `streamlit run` arguments: headless, no usage statistics, nothing fetched from the network.

    A specific address also matters for the network: on a wildcard address (0.0.0.0) a headless Streamlit
    looks up the machine's external IP (checkip.amazonaws.com) to print it.
    """
    return [
        "streamlit", "run", str(APP_SCRIPT),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--client.toolbarMode", "minimal",
        "--server.address", address,
        "--server.port", str(port),
        *extra,
    ]


@app.command("app", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
@user_errors
def run_app(
    ctx: typer.Context,
    port: int = typer.Option(8501, "--port", help="Port to serve the app on."),
    address: str = typer.Option("127.0.0.1", "--address", help="Interface to listen on (0.0.0.0: all)."),
    collection: str | None = CollectionOpt,
    seed: bool = typer.Option(True, "--seed/--no-seed", help="Seed an empty collection."),
) -> None:
    """Start the Streamlit app (seeding the shipped corpus on first start); extra options go to streamlit."""
    if not APP_SCRIPT.is_file():
        raise CrossreadError(f"app.py not found at {APP_SCRIPT}; install from a checkout (pip install -e .)")
    seeded = seed_if_empty(collection) if seed else []
    if not seeded:
        typer.echo("Loading the embedding model…", err=True)
        _warm_model()
    os.environ["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    if collection:
        os.environ["CROSSREAD_COLLECTION"] = collection
    typer.echo(f"Starting Crossread on http://{address}:{port} …", err=True)
    from streamlit.web import cli as streamlit_cli

    sys.argv = streamlit_command(port, address, list(ctx.args))
    sys.exit(streamlit_cli.main())


def _warm_model() -> None:
    """Load the embedding model while the server starts, so the first page does not wait for it."""
    from rag.embeddings import load_model
    from rag.settings import get_settings

    load_model(get_settings().embedding_model)
