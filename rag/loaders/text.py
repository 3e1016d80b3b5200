"""Plain text and Markdown: decode safely, reject binaries, parse metadata header lines."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path
from typing import Any

from rag.errors import IngestError
from rag.metadata import split_header
from rag.types import DocumentMeta, LoadedArticle

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# Most text is English news; of equally plausible single-byte Latin decodings, Windows-1252 is the one the
# web actually uses (charset-normalizer otherwise may pick cp1250 and turn "à" into "ŕ").
_LATIN_PREFERENCE = ("cp1252", "latin_1", "iso8859_15")
_SINGLE_BYTE = ("cp12", "cp7", "cp8", "iso8859", "latin", "mac")
_MAX_CHAOS = 0.2


def decode_text(data: bytes, source: str, declared: str | None = None) -> str:
    """Bytes to text, or IngestError saying why not; never silent mojibake.

    In order: a BOM; a declared charset (HTTP header or HTML meta) that decodes cleanly; UTF-16 without a
    BOM (NUL bytes on alternate positions); UTF-8; a UTF-8 file with some lines in a legacy encoding (each
    such line decoded on its own); otherwise charset-normalizer's detection, rejected when it is unsure.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(source, f"invalid {encoding} text ({exc.reason})") from exc
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: detect instead
    if b"\x00" in data[:8192]:
        return _check_controls(_utf16_without_bom(data, source), source)
    try:
        return _check_controls(data.decode("utf-8"), source)
    except UnicodeDecodeError:
        pass
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return _check_controls(mixed, source)
    return _check_controls(_detected(data, source), source)


def _utf16_without_bom(data: bytes, source: str) -> str:
    sample = data[:8192]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = max(len(sample) // 2, 1)
    for encoding, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros > 0.3 * half and others < 0.05 * half and len(data) % 2 == 0:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    raise IngestError(source, "binary file (contains NUL bytes), not text")


def _legacy_bytes(exc: UnicodeError) -> tuple[str, int]:
    """codecs error handler: bytes that are not UTF-8 inside a UTF-8 text are Windows-1252."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("cp1252", errors="replace"), exc.end


codecs.register_error("crossread-cp1252", _legacy_bytes)


def _mixed_utf8(data: bytes) -> str | None:
    """A UTF-8 text with some legacy-encoded stretches (a pasted latin-1 sentence): each decoded as itself.

    Taken when the text has real multi-byte UTF-8 characters (legacy text almost never forms one by chance)
    and at most three invalid stretches per such character; other text goes to detection instead.
    """
    lenient = data.decode("utf-8", errors="replace")
    invalid = lenient.count("\ufffd") - data.count("\ufffd".encode())
    valid = sum(1 for ch in lenient if ord(ch) > 127 and ch != "\ufffd")
    if not valid or invalid > 3 * valid:
        return None
    return data.decode("utf-8", errors="crossread-cp1252")


def _detect(data: bytes) -> Any:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    if not best.encoding.startswith(_SINGLE_BYTE):  # Shift-JIS, GB18030, …: take the detection as it is
        return best
    for preferred in _LATIN_PREFERENCE:
        for m in matches:
            if m.encoding == preferred and m.chaos <= best.chaos + 0.02 and m.coherence >= best.coherence - 0.05:
                return m
    return best


def _detected(data: bytes, source: str) -> str:
    match = _detect(data)
    if match is None:
        raise IngestError(source, "not text in any known encoding (binary file?)")
    if match.chaos > _MAX_CHAOS:
        raise IngestError(
            source, f"text encoding could not be determined reliably (best guess {match.encoding}); "
            "save the file as UTF-8"
        )
    return str(match)


def _check_controls(text: str, source: str) -> str:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(5, len(text) // 100):
        raise IngestError(source, "binary file (control bytes), not text")
    return text


def special_kind(mode: int) -> str | None:
    """What a non-regular file is, in the user's terms; None for a regular file."""
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "an unusual file type"


def _too_big(path: Path, size: int, max_bytes: int) -> IngestError:
    return IngestError(
        str(path), f"file is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit "
        "(CROSSREAD_INGEST__MAX_BYTES)"
    )


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, never more than `max_bytes` read; special files are rejected without being read.

    The kind is checked by name (stat, following symlinks) before opening, and again on the open descriptor
    (O_NONBLOCK, so a FIFO swapped in meanwhile cannot block the open) before any read.
    """
    try:
        mode_size = path.stat()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read ({exc.strerror or exc})") from exc
    kind = special_kind(mode_size.st_mode)
    if kind:
        raise IngestError(str(path), f"{kind}, not a regular file; not read")
    if mode_size.st_size > max_bytes:
        raise _too_big(path, mode_size.st_size, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise IngestError(str(path), f"cannot read ({exc.strerror or exc})") from exc
    try:
        kind = special_kind(os.fstat(fd).st_mode)
        if kind:
            raise IngestError(str(path), f"{kind}, not a regular file; not read")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)  # a file that grew since stat is still cut off here
    except OSError as exc:
        raise IngestError(str(path), f"cannot read ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise _too_big(path, len(data), max_bytes)
    return data


def article_from_text(text: str, source: str, meta: DocumentMeta | None = None) -> LoadedArticle:
    """Normalise line endings, split off header metadata, reject empty bodies."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(source, "empty (no text)")
    body, found = split_header(text)
    if not body.strip():
        raise IngestError(source, "no article text after the header lines")
    if not any(ch.isalnum() for ch in body):
        raise IngestError(source, "no words (only punctuation, symbols or control characters)")
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
