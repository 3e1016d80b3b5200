"""`crossread migrate`: move this data folder's store onto PostgreSQL and a Chroma server."""

from __future__ import annotations

import dataclasses

import typer

from rag.cli import JsonOpt, app, print_json, user_errors
from rag.errors import CrossreadError


@app.command()
@user_errors
def migrate(
    to: str = typer.Option(..., "--to", help="Target database: postgresql://user@host:port/db"),
    chroma: str = typer.Option(..., "--chroma", help="Target Chroma server: http://host:port"),
    as_json: bool = JsonOpt,
) -> None:
    """Copy documents, sentences, vectors (not re-embedded) and chat history to the servers; safe to re-run."""
    if not to.startswith(("postgresql://", "postgres://")):
        raise CrossreadError(f"--to must be a postgresql:// URL, not {to.split('@')[-1]!r}")
    if not chroma.startswith(("http://", "https://")):
        raise CrossreadError(f"--chroma must be an http(s):// URL, not {chroma!r}")
    from rag.chat_history import open_chat_history
    from rag.docstore_migration import migrate as run_migration
    from rag.settings import get_settings
    from rag.store import open_store

    here = get_settings()
    there = here.model_copy(update={"database_url": to, "chroma_url": chroma})
    if (here.database_url, here.chroma_url) == (to, chroma):
        raise CrossreadError("the source and the target are the same store")
    report = run_migration(
        open_store(here), open_store(there), None if as_json else lambda line: typer.echo(line, err=True),
        open_chat_history(here), open_chat_history(there),
    )
    if as_json:
        print_json(dataclasses.asdict(report))
    else:
        typer.echo(
            f"{report.copied} documents ({report.sentences} sentences) copied, {report.unchanged} already there, "
            f"{report.duplicates} duplicate records, {report.conversations} conversations, "
            f"{report.collections} collections"
        )
