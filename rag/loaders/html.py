"""HTML pages: boilerplate removal with trafilatura; title, author, date and site name from the page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from rag.errors import IngestError
from rag.loaders.text import article_from_text, decode_text, read_capped
from rag.metadata import normalise_date, site_name
from rag.types import DocumentMeta, LoadedArticle

_MIN_LETTERS = 30
_NO_ARTICLE = "no article text found (the page is only scripts, navigation or boilerplate)"


def html_to_article(html: str, source: str, url: str | None = None, path: str | None = None) -> LoadedArticle:
    """The main text of a page with its metadata; raises IngestError when the page holds no article."""
    import trafilatura

    # favor_precision drops menus, link lists and cookie banners that the default mode keeps as "text".
    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True,
    )
    if not isinstance(extracted, trafilatura.settings.Document):  # None: nothing article-like on the page
        raise IngestError(source, _NO_ARTICLE)
    text = extracted.text or ""
    # A page of menus and scripts can still leave a word or two ("Home"); no article is that short.
    # Letters, not words: Chinese and Japanese text has no spaces.
    if sum(ch.isalpha() for ch in text) < _MIN_LETTERS:
        raise IngestError(source, _NO_ARTICLE)
    title = _clean(extracted.title)
    lines = text.split("\n")
    if title and lines and lines[0].strip() == title:
        text = "\n".join(lines[1:])  # the headline belongs in the metadata, not in sentence 0
    date = normalise_date(extracted.date) if extracted.date else None
    host = site_name(url) if url else None
    sitename = _clean(extracted.sitename)
    # trafilatura falls back to the URL's netloc ("host:port") when a page names no site.
    if sitename and url and sitename.lower() == urlparse(url).netloc.lower():
        sitename = None
    outlet = sitename or host
    byline = _clean(extracted.author)
    meta = DocumentMeta(outlet=outlet, title=title, byline=byline, date=date, url=url, path=path)
    # What the page declares wins over anything that merely looked like a header line in its body.
    return article_from_text(text, source, meta)


def html_fragment_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment (e.g. a feed entry's content), paragraphs on their own lines."""
    import lxml.html

    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises several types for junk; junk is plain text to us
        return fragment.strip()
    for bad in root.xpath(".//script|.//style|.//noscript|.//nav"):
        bad.drop_tree()
    for block in root.xpath(".//p|.//div|.//br|.//li|.//h1|.//h2|.//h3|.//h4|.//blockquote"):
        block.tail = "\n" + (block.tail or "")
    return "\n".join(line.strip() for line in root.text_content().split("\n") if line.strip())


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag near its top, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", errors="replace") if match else None


def decode_html(data: bytes, source: str, header_charset: str | None = None) -> str:
    """An HTML page's text: the HTTP header's charset, else its <meta charset>, else detection."""
    return decode_text(data, source, header_charset or declared_charset(data))


def load_html_file(path: Path, max_bytes: int) -> LoadedArticle:
    data = read_capped(path, max_bytes)
    if not data.strip():
        raise IngestError(str(path), "empty file" if not data else "whitespace only, no text")
    html = decode_html(data, str(path))
    return html_to_article(html, str(path), path=str(path))


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
