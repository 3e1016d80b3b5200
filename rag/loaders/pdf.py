"""PDF files with a text layer (pypdf): text reflowed into paragraphs; title, author, date from its info."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

from rag.errors import IngestError
from rag.loaders.text import article_from_text, read_capped
from rag.types import DocumentMeta, LoadedArticle

_BLANK_LINE = re.compile(r"\n\s*\n")
_HYPHEN_BREAK = re.compile(r"(?<=\w-)\n(?=\w)")


def reflow(text: str) -> str:
    """Join the hard line breaks of PDF layout; blank lines stay paragraph breaks."""
    text = _HYPHEN_BREAK.sub("", text.replace("\r\n", "\n"))
    paragraphs = [" ".join(para.split()) for para in _BLANK_LINE.split(text)]
    return "\n\n".join(p for p in paragraphs if p)


def pdf_to_article(
    data: bytes, source: str, path: str | None = None, url: str | None = None
) -> LoadedArticle:
    """Text and metadata of a PDF; raises IngestError for broken, encrypted or image-only files."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise IngestError(source, "broken PDF (no %PDF header)")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns on every quirk it repairs
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(source, "PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except IngestError:
        raise
    except DependencyError as exc:  # a cipher pypdf cannot run without an optional package
        raise IngestError(source, f"PDF is encrypted with a cipher Crossread cannot open ({exc})") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        raise IngestError(source, f"broken PDF ({type(exc).__name__}: {str(exc)[:120]})") from exc
    if not pages:
        raise IngestError(source, "PDF has no pages")
    text = reflow("\n\n".join(pages))
    if not any(ch.isalnum() for ch in text):
        raise IngestError(source, "PDF has no text layer (scanned images?); run OCR on it first")
    return article_from_text(text, source, _info_meta(info, path, url))


def _info_meta(info: Any, path: str | None, url: str | None) -> DocumentMeta:
    """Title, author and creation date from the PDF info dictionary, when present and readable."""
    if info is None:
        return DocumentMeta(path=path, url=url)
    try:
        created = info.creation_date if "/CreationDate" in info else None
    except ValueError:  # a malformed date string is not worth rejecting the file over
        created = None
    return DocumentMeta(
        title=(info.title or "").strip() or None, byline=(info.author or "").strip() or None,
        date=created.date().isoformat() if created else None, path=path, url=url,
    )


def load_pdf_file(path: Path, max_bytes: int) -> LoadedArticle:
    data = read_capped(path, max_bytes)
    if not data:
        raise IngestError(str(path), "empty file")
    return pdf_to_article(data, str(path), path=str(path))
