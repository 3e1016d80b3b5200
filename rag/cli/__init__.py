"""The `crossread` command line: the same engine as the app.

Commands are grouped by concern in sibling modules, each registering on `app`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from rag.errors import CrossreadError

if TYPE_CHECKING:  # rag.types imports numpy: `crossread --help` must not wait for it
    from rag.types import Claim

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


def claim_line(claim: Claim) -> str:
    """A claim as printed: its label, its text, its [n] markers."""
    markers = "".join(f"[{c.marker}]" for c in claim.citations)
    lead = f"{claim.label}: " if claim.label else ""
    return f"{lead}{claim.text} {markers}".strip()


def print_sources(claims: Iterable[Claim], titles: Mapping[str, str | None] | None = None) -> None:
    """Each marker once, resolved to outlet (and title when known), sentence number and quote."""
    shown: set[int] = set()
    for claim in claims:
        for c in claim.citations:
            if c.marker in shown:
                continue
            shown.add(c.marker)
            title = (titles or {}).get(c.doc_id)
            # Without a known outlet the label already is the (shortened) title: do not say it twice.
            source = f"{c.outlet} — {title}" if title and title[:20] not in c.outlet else (title or c.outlet)
            typer.echo(f"[{c.marker}] {source} — sentence {c.sentence_index + 1} ({c.doc_id})")
            typer.echo(f"    “{c.text}”")


def user_errors(func: F) -> F:
    """Print a CrossreadError as one line on stderr and exit 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CrossreadError as exc:
            typer.echo(terminal_text(f"error: {exc}"), err=True)
            raise typer.Exit(2) from None
        except OSError as exc:  # a path argument that cannot be written or read
            where = f": {exc.filename}" if exc.filename else ""
            typer.echo(terminal_text(f"error: {exc.strerror or exc}{where}"), err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


# C0 and C1 control characters (ESC starts terminal escape sequences; CR overwrites a line) and bidi
# overrides (which reorder what a reader sees) are shown as escapes, never passed to a terminal.
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(32), 127, *range(128, 160)) if chr(c) not in "\n\t"}
_CONTROL.update({c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})


def terminal_text(text: str) -> str:
    """Text safe to print on a terminal: control characters and bidi overrides become visible escapes."""
    return text.translate(_CONTROL)


class TerminalStream:
    """A text stream that neutralises control characters in everything written to a terminal."""

    def __init__(self, raw: Any):
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(terminal_text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def _register() -> None:
    # Imported for their side effect of adding commands to `app`.
    import importlib

    for module in ("rag.cli.corpus", "rag.cli.answers", "rag.cli.briefs", "rag.cli.serve", "rag.cli.migrate"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def main() -> None:
    _register()
    if sys.stdout.isatty():  # article text (show, search, ask, brief) must not drive the terminal
        sys.stdout = TerminalStream(sys.stdout)  # type: ignore[assignment]
    app()
