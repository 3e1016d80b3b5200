"""Turn ingest inputs (files, folders, URLs, feeds) into articles, one result per article or error.

Every failure becomes a `LoadedInput` with a one-line reason naming the input; nothing raises past here,
so one bad input never stops a batch.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.errors import IngestError
from rag.loaders.text import load_text_file
from rag.settings import Settings
from rag.types import LoadedArticle

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
PDF_SUFFIXES = {".pdf"}


@dataclass(frozen=True)
class LoadedInput:
    """One article read from an input, or the reason it could not be read."""

    source: str
    article: LoadedArticle | None = None
    error: str | None = None


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def load_file(path: Path, settings: Settings) -> LoadedArticle:
    """Read one file by its type; raises IngestError with the reason."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return load_text_file(path, settings.ingest.max_bytes)
    if suffix in HTML_SUFFIXES:
        from rag.loaders.html import load_html_file

        return load_html_file(path, settings.ingest.max_bytes)
    if suffix in PDF_SUFFIXES:
        from rag.loaders.pdf import load_pdf_file

        return load_pdf_file(path, settings.ingest.max_bytes)
    raise IngestError(str(path), f"unsupported file type {suffix or '(none)'!r}; supported: "
                      + ", ".join(sorted(TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES)))


def _path_problem(path: Path, exc: OSError) -> str:
    """Why a path cannot be read, in the user's terms."""
    if exc.errno == errno.ELOOP:
        return "symlink loop (the link points back to itself)"
    if exc.errno == errno.ENOENT:
        broken = path.is_symlink()
        return "broken symlink (its target does not exist)" if broken else "no such file, folder or URL"
    return f"cannot read ({exc.strerror or exc})"


def _walk(root: Path) -> Iterator[Path | IngestError]:
    """Files under a folder, recursively, in a stable order; symlink loops are reported, not followed."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
        except OSError as exc:
            yield IngestError(str(folder), f"cannot read folder ({exc.strerror or exc})")
            continue
        if (st.st_dev, st.st_ino) in seen:
            yield IngestError(str(folder), "symlink loop; folder skipped")
            continue
        seen.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield IngestError(str(folder), f"cannot list folder ({exc.strerror or exc})")
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    subfolders.append(path)
                elif entry.is_file():
                    yield path
                else:
                    yield IngestError(str(path), "not a regular file (broken symlink or special file)")
            except OSError as exc:  # ELOOP on a self-referencing symlink
                yield IngestError(str(path), _path_problem(path, exc))
        stack.extend(reversed(subfolders))


def iter_articles(inputs: Sequence[str], settings: Settings) -> Iterator[LoadedInput]:
    """Every article reachable from the inputs, or the reason each could not be read."""
    for item in inputs:
        if is_url(item):
            try:
                from rag.loaders.web import load_url_or_feed
            except ImportError:
                yield LoadedInput(item, error=f"{item}: URL ingest is not available")
                continue
            yield from load_url_or_feed(item, settings)
            continue
        path = Path(item)
        try:
            is_dir = stat.S_ISDIR(path.stat().st_mode)
        except OSError as exc:
            yield LoadedInput(item, error=f"{item}: {_path_problem(path, exc)}")
            continue
        files = _walk(path) if is_dir else iter([path])
        for entry in files:
            if isinstance(entry, IngestError):
                yield LoadedInput(entry.source, error=str(entry))
                continue
            try:
                yield LoadedInput(str(entry), article=load_file(entry, settings))
            except IngestError as exc:
                yield LoadedInput(str(entry), error=str(exc))
