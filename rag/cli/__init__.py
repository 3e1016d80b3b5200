"""The `crossread` command line: the same engine as the app.

Commands are grouped by concern in sibling modules, each registering on `app`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from rag.errors import CrossreadError

app = typer.Typer(
    name="crossread", no_args_is_help=True, add_completion=False,
    help="Read many outlets on one story: ingest articles, ask cited questions, write neutral briefings.",
)

F = TypeVar("F", bound=Callable[..., Any])

CollectionOpt = typer.Option(
    None, "--collection", "-c", help="Collection name (default: CROSSREAD_COLLECTION or 'default')."
)
JsonOpt = typer.Option(False, "--json", help="Print one JSON document to stdout.")


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def user_errors(func: F) -> F:
    """Print a CrossreadError as one line on stderr and exit 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CrossreadError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _register() -> None:
    # Imported for their side effect of adding commands to `app`.
    import importlib

    for module in ("rag.cli.corpus", "rag.cli.answers", "rag.cli.briefs", "rag.cli.serve"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def main() -> None:
    _register()
    app()
