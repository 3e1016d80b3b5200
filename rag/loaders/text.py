"""Plain text and Markdown: decode safely, reject binaries, parse metadata header lines."""

from __future__ import annotations

import codecs
from pathlib import Path

from rag.errors import IngestError
from rag.metadata import split_header
from rag.types import DocumentMeta, LoadedArticle


def decode_text(data: bytes, source: str) -> str:
    """Bytes to text: BOM-marked UTF-8/16/32, then UTF-8, then cp1252/latin-1; NUL bytes mean binary."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(source, f"invalid {encoding} text ({exc.reason})") from exc
    if b"\x00" in data[:8192]:
        raise IngestError(source, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(5, len(text) // 100):
        raise IngestError(source, "binary file (control bytes), not text")
    return text


def read_capped(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(str(path), f"cannot read ({exc.strerror or exc})") from exc
    if size > max_bytes:
        raise IngestError(
            str(path), f"file is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit "
            "(CROSSREAD_INGEST__MAX_BYTES)"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read ({exc.strerror or exc})") from exc


def article_from_text(text: str, source: str, meta: DocumentMeta | None = None) -> LoadedArticle:
    """Normalise line endings, split off header metadata, reject empty bodies."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(source, "empty (no text)")
    body, found = split_header(text)
    if not body.strip():
        raise IngestError(source, "no article text after the header lines")
    if meta is not None:
        from rag.metadata import merge_meta

        found = merge_meta(found, meta)
    return LoadedArticle(text=body, meta=found)


def load_text_file(path: Path, max_bytes: int) -> LoadedArticle:
    data = read_capped(path, max_bytes)
    if not data.strip():
        raise IngestError(str(path), "empty file" if not data else "whitespace only, no text")
    text = decode_text(data, str(path))
    return article_from_text(text, str(path), DocumentMeta(path=str(path)))
