"""URLs and RSS/Atom feeds over HTTP(S): timeouts, a streamed size cap and a content-type check.

A feed yields one article per entry: the entry's linked page, or the entry's own content when the link
is missing or fails. Every failure is a `LoadedInput` with a one-line reason; nothing raises.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import urlparse

import httpx

from rag.errors import IngestError
from rag.loaders import LoadedInput
from rag.loaders.html import decode_html, html_fragment_to_text, html_to_article
from rag.loaders.pdf import pdf_to_article
from rag.loaders.text import article_from_text
from rag.settings import Settings
from rag.types import DocumentMeta, LoadedArticle

HTML_TYPES = {"text/html", "application/xhtml+xml"}
FEED_TYPES = {
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml",
    "application/xml", "text/xml",
}
PDF_TYPES = {"application/pdf"}
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes
    charset: str | None = None  # from the Content-Type header


def fetch(url: str, settings: Settings, client: httpx.Client | None = None) -> Fetched:
    """GET a URL, reading at most `max_bytes` within `http_timeout` seconds in total; raises IngestError.

    The timeout is one deadline for connecting and all reads together (a server dripping a byte at a time
    is cut off), checked after every read; a single read may itself wait up to the timeout, so a fetch
    ends within twice `http_timeout` at worst.
    """
    cap = settings.ingest.max_bytes
    budget = settings.ingest.http_timeout
    deadline = time.monotonic() + budget
    own = client is None
    client = client or _client(settings)
    try:
        with client.stream("GET", url, timeout=budget) as response:
            if response.status_code >= 400:
                phrase = response.reason_phrase or "error"
                raise IngestError(url, f"HTTP {response.status_code} {phrase}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                size_mb = int(declared) / 1e6
                raise IngestError(url, f"download is {size_mb:.0f} MB, over the {cap / 1e6:.0f} MB limit")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                if time.monotonic() > deadline:
                    raise IngestError(url, f"timed out after {budget:g} s (the whole download must finish in it)")
                size += len(chunk)
                if size > cap:
                    raise IngestError(url, f"download is over the {cap / 1e6:.0f} MB limit; stopped reading")
                chunks.append(chunk)
            kind, _, params = response.headers.get("content-type", "").partition(";")
            charset = next((p.split("=", 1)[1].strip(" \"'") for p in params.split(";")
                            if p.strip().lower().startswith("charset=")), None)
            return Fetched(str(response.url), kind.strip().lower(), b"".join(chunks), charset or None)
    except httpx.TimeoutException as exc:
        raise IngestError(url, f"timed out after {settings.ingest.http_timeout:g} s") from exc
    except httpx.InvalidURL as exc:
        raise IngestError(url, f"invalid URL ({exc})") from exc
    except httpx.HTTPError as exc:
        raise IngestError(url, fetch_failure(exc)) from exc
    finally:
        if own:
            client.close()


_FAILURE_WORDS = (  # (text in the low-level error, what it means to a reader)
    (("name or service not known", "nodename nor servname", "name resolution", "no address associated"),
     "name not found"),
    (("connection refused",), "connection refused"),
    (("certificate", "ssl", "tls"), "secure connection failed"),
    (("network is unreachable", "no route to host"), "network unreachable"),
    (("connection reset", "server disconnected", "remoteprotocolerror"), "the server closed the connection"),
)


def fetch_failure(exc: httpx.HTTPError) -> str:
    """A failed fetch in plain words: "could not reach the site (name not found)"."""
    raw = f"{type(exc).__name__} {exc}".lower()
    why = next((words for needles, words in _FAILURE_WORDS if any(n in raw for n in needles)), None)
    if why is None:
        why = str(exc).strip().splitlines()[0][:80] if str(exc).strip() else "connection failed"
    return f"could not reach the site ({why})"


def load_url_or_feed(url: str, settings: Settings) -> Iterator[LoadedInput]:
    """One LoadedInput per article found at the URL: a page, a PDF, or each entry of a feed."""
    with _client(settings) as client:
        try:
            fetched = fetch(url, settings, client)
        except IngestError as exc:
            yield LoadedInput(url, error=str(exc))
            return
        kind = _kind(fetched)
        if kind == "feed":
            yield from _feed_entries(url, fetched, settings, client)
            return
        try:
            yield LoadedInput(url, article=_page_article(url, fetched, kind))
        except IngestError as exc:
            yield LoadedInput(url, error=str(exc))


def _client(settings: Settings) -> httpx.Client:
    return httpx.Client(
        timeout=settings.ingest.http_timeout, follow_redirects=True, max_redirects=5,
        headers={"User-Agent": settings.ingest.user_agent},
    )


def _kind(fetched: Fetched) -> str:
    """'html', 'feed', 'pdf' or the content type that is none of them."""
    head = fetched.body[:512].lstrip().lower()
    looks_like_feed = head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head)
    if fetched.content_type in FEED_TYPES or looks_like_feed:
        return "feed"
    if fetched.content_type in HTML_TYPES:
        return "html"
    if fetched.content_type in PDF_TYPES or head.startswith(b"%pdf"):
        return "pdf"
    return fetched.content_type or "(no content type)"


def _page_article(source: str, fetched: Fetched, kind: str) -> LoadedArticle:
    if kind == "html":
        html = decode_html(fetched.body, source, fetched.charset) if fetched.body.strip() else ""
        if not html:
            raise IngestError(source, "empty response")
        return html_to_article(html, source, url=fetched.url)
    if kind == "pdf":
        article = pdf_to_article(fetched.body, source, url=fetched.url)
        return replace(article, meta=replace(article.meta, outlet=article.meta.outlet or _host(fetched.url)))
    raise IngestError(source, f"returned {kind}, not an HTML page, PDF or RSS/Atom feed")


def _feed_entries(
    url: str, fetched: Fetched, settings: Settings, client: httpx.Client
) -> Iterator[LoadedInput]:
    import feedparser

    if _ENTITY_DECLARATION.search(fetched.body[:65536]):
        # feedparser does not expand them, but leaves "&lol9;"-style junk as entry text: refuse the feed.
        yield LoadedInput(url, error=f"{url}: feed declares XML entities (<!ENTITY>); refused as unsafe")
        return
    parsed = feedparser.parse(fetched.body)
    if not parsed.get("version") and parsed.get("bozo"):
        yield LoadedInput(url, error=f"{url}: not a valid RSS/Atom feed ({parsed.get('bozo_exception')})")
        return
    if not parsed.entries:
        yield LoadedInput(url, error=f"{url}: feed has no entries")
        return
    feed_title = (parsed.feed.get("title") or "").strip() or None
    for number, entry in enumerate(parsed.entries, 1):
        link = (entry.get("link") or "").strip()
        if not link.startswith(("http://", "https://")):  # feedparser may offer an id such as "urn:…"
            link = ""
        source = link or f"{url}#entry-{number}"
        try:
            article = _entry_article(entry, link, source, settings, client)
        except IngestError as exc:
            yield LoadedInput(source, error=str(exc))
            continue
        fallback = DocumentMeta(
            outlet=feed_title or _host(link or url), title=(entry.get("title") or "").strip() or None,
            byline=(entry.get("author") or "").strip() or None, date=_entry_date(entry), url=link or None,
        )
        # The linked page's own metadata wins; the feed fills the gaps.
        meta = replace(fallback, **{k: v for k, v in vars(article.meta).items() if v})
        yield LoadedInput(source, article=replace(article, meta=meta))


def _entry_article(
    entry: dict, link: str, source: str, settings: Settings, client: httpx.Client
) -> LoadedArticle:
    """The linked page when it loads; otherwise the entry's own content or summary."""
    link_error = None
    if link:
        try:
            fetched = fetch(link, settings, client)
            return _page_article(link, fetched, _kind(fetched))
        except IngestError as exc:
            link_error = exc.reason
    contents = [c.get("value", "") for c in entry.get("content", [])] or [entry.get("summary", "")]
    text = "\n".join(html_fragment_to_text(c) for c in contents if c).strip()
    if not text:
        why = f"link failed ({link_error}) and " if link_error else "no link and "
        raise IngestError(source, why + "the entry has no content")
    return article_from_text(text, source)


def _entry_date(entry: dict) -> str | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return time.strftime("%Y-%m-%d", stamp) if stamp else None


def _host(url: str) -> str | None:
    return urlparse(url).hostname


__all__ = ["fetch", "load_url_or_feed", "Fetched"]
