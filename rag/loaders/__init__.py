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
from rag.loaders.text import load_text_file, special_kind
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
    """An http(s) URL with a host: the only kind of address Crossread fetches."""
    from urllib.parse import urlparse

    if not value.lower().startswith(("http://", "https://")):
        return False
    try:
        return bool(urlparse(value).hostname)
    except ValueError:
        return False


URLS_ONLY = "only http(s) URLs can be added here (upload files with the file uploader)"


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


def _special_entry(path: Path) -> str:
    try:
        kind = special_kind(path.stat().st_mode)
    except OSError:
        return "broken symlink (its target does not exist)"
    return f"{kind or 'an unusual file type'}, not a regular file; not read"


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
                    yield IngestError(str(path), _special_entry(path))
            except OSError as exc:  # ELOOP on a self-referencing symlink
                yield IngestError(str(path), _path_problem(path, exc))
        stack.extend(reversed(subfolders))


def iter_articles(inputs: Sequence[str], settings: Settings, urls_only: bool = False) -> Iterator[LoadedInput]:
    """Every article reachable from the inputs, or the reason each could not be read.

    `urls_only`: anything that is not an http(s) URL is rejected unread (the app's URL box: a web user
    must never make the server read its own files).
    """
    for item in inputs:
        if urls_only and not is_url(item):
            yield LoadedInput(item, error=f"{item}: {URLS_ONLY}")
            continue
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
            mode = path.stat().st_mode
        except OSError as exc:
            yield LoadedInput(item, error=f"{item}: {_path_problem(path, exc)}")
            continue
        is_dir = stat.S_ISDIR(mode)
        kind = None if is_dir else special_kind(mode)
        if kind:  # FIFOs, devices, sockets and symlinks to them: never opened
            yield LoadedInput(item, error=f"{item}: {kind}, not a regular file; not read")
            continue
        files = _walk(path) if is_dir else iter([path])
        for entry in files:
            if isinstance(entry, IngestError):
                yield LoadedInput(entry.source, error=str(entry))
                continue
            yield _load(entry, settings)


def _load(path: Path, settings: Settings) -> LoadedInput:
    try:
        return LoadedInput(str(path), article=load_file(path, settings))
    except IngestError as exc:
        return LoadedInput(str(path), error=str(exc))
    except (MemoryError, RecursionError, ValueError, LookupError, OSError) as exc:
        # A library failing in a way we did not foresee still costs one input, never the batch.
        return LoadedInput(str(path), error=f"{path}: could not read ({type(exc).__name__}: {str(exc)[:120]})")
