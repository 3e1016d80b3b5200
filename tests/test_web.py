"""URL and feed loading against a real HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from test_loaders import make_pdf

from rag.loaders.web import load_url_or_feed
from rag.settings import Settings

BODY = (
    "The U.S. Senate voted on Tuesday to pass the infrastructure bill after a long debate. "
    "Lawmakers from both parties said the vote was close and the outcome uncertain until the end."
)
PAGE = f"""<html><head><title>Senate passes bill</title><meta property="og:site_name" content="The Daily">
<meta name="author" content="Jane Roe"><script>var t = "SCRIPT_PAYLOAD";</script></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>Senate passes bill</h1><p>{BODY}</p>
<p>Critics argued the plan would cost too much. Supporters said roads could not wait.</p></article>
</body></html>"""
BARE_PAGE = f"<html><body><article><p>{BODY}</p><p>Second paragraph here.</p></article></body></html>"


def rss(host: str) -> str:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Daily Feed</title><link>{host}/</link>
<item><title>Senate passes bill</title><link>{host}/article.html</link>
<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate></item>
<item><title>Dead link story</title><link>{host}/gone</link><author>desk@example.com (Wire Desk)</author>
<pubDate>Wed, 06 Mar 2024 10:00:00 GMT</pubDate>
<description>&lt;p&gt;The governor signed the budget on Wednesday. Opponents vowed to challenge it.&lt;/p&gt;
&lt;script&gt;evil()&lt;/script&gt;</description></item>
<item><title>Nothing here</title><link>{host}/gone2</link></item>
</channel></rss>"""


def atom() -> str:
    return """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Atom Wire</title><id>urn:x</id><updated>2024-03-07T00:00:00Z</updated>
<entry><title>No link entry</title><id>urn:1</id><updated>2024-03-07T00:00:00Z</updated>
<content type="html">&lt;p&gt;Farmers protested in the capital on Thursday. Police closed two roads.&lt;/p&gt;
</content>
</entry></feed>"""


EMPTY_FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + ']><rss version="2.0"><channel><title>Laughs</title><item><title>&lol9;</title>'
    '<description>&lol9;</description></item></channel></rss>'
)
SJIS_PAGE = (
    "<html><head><title>橋の開通</title></head><body><article>"
    + "<p>東京都は月曜日、新しい橋を開通させたと発表した。市民は喜んでいる。</p>" * 4
    + "</article></body></html>"
)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def send(self, body: bytes | str, content_type: str, status: int = 200) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        host = f"http://127.0.0.1:{self.server.server_address[1]}"
        routes = {
            "/article.html": (PAGE, "text/html; charset=utf-8"),
            "/bare.html": (BARE_PAGE, "text/html"),
            "/data.json": ('{"a": 1}', "application/json"),
            "/rss.xml": (rss(host), "application/rss+xml"),
            "/atom.xml": (atom(), "application/atom+xml"),
            "/empty.xml": (EMPTY_FEED, "application/rss+xml"),
            "/laughs.xml": (LAUGHS, "application/rss+xml"),
            "/sjis.html": (SJIS_PAGE.encode("shift_jis"), "text/html; charset=Shift_JIS"),
            "/report.pdf": (make_pdf(["The budget passed on Friday. Both chambers agreed."]), "application/pdf"),
        }
        if self.path == "/slow":
            time.sleep(2)
            self.send(PAGE, "text/html")
        elif self.path == "/drip":  # one byte every 0.2 s: each read is quick, the whole never ends
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/article.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/stream-big":
            self.send_response(200)  # no Content-Length: the cap must hold while streaming
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stops at the cap
                for _ in range(64):
                    self.wfile.write(b"<p>" + b"x" * 4096 + b"</p>")
        elif self.path in routes:
            self.send(*routes[self.path])
        else:
            self.send("<html><body>Not found</body></html>", "text/html", status=404)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def web_settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, ingest={"http_timeout": 0.5, "max_bytes": 100_000})  # type: ignore[arg-type]


def test_page_is_fetched_with_metadata(server, web_settings):
    [loaded] = list(load_url_or_feed(f"{server}/article.html", web_settings))
    assert loaded.error is None and loaded.article is not None
    assert BODY.split(". ")[0] in loaded.article.text
    assert "SCRIPT_PAYLOAD" not in loaded.article.text and "Home" not in loaded.article.text
    meta = loaded.article.meta
    assert (meta.outlet, meta.title, meta.byline) == ("The Daily", "Senate passes bill", "Jane Roe")
    assert meta.url == f"{server}/article.html"


def test_outlet_falls_back_to_the_hostname_and_redirects_are_followed(server, web_settings):
    [bare] = list(load_url_or_feed(f"{server}/bare.html", web_settings))
    assert bare.article is not None and bare.article.meta.outlet == "127.0.0.1"
    [moved] = list(load_url_or_feed(f"{server}/redirect", web_settings))
    assert moved.article is not None and moved.article.meta.url == f"{server}/article.html"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/missing", "HTTP 404"),
        ("/slow", "timed out after 0.5 s"),
        ("/data.json", "returned application/json, not an HTML page"),
        ("/empty.xml", "feed has no entries"),
        ("/stream-big", "over the 0 MB limit"),
    ],
)
def test_bad_urls_get_a_one_line_reason(server, web_settings, path, expected):
    url = f"{server}{path}"
    [loaded] = list(load_url_or_feed(url, web_settings))
    assert loaded.article is None and loaded.source == url
    assert loaded.error is not None and loaded.error.startswith(url) and "\n" not in loaded.error
    assert expected in loaded.error


def test_unreachable_port_is_reported(web_settings):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    [loaded] = list(load_url_or_feed(f"http://127.0.0.1:{port}/x", web_settings))
    assert loaded.error is not None and "could not reach the site (connection refused)" in loaded.error


def test_rss_entries_use_linked_page_else_entry_content(server, web_settings):
    results = list(load_url_or_feed(f"{server}/rss.xml", web_settings))
    assert len(results) == 3
    linked, dead, empty = results
    assert linked.article is not None and BODY.split(". ")[0] in linked.article.text
    assert linked.article.meta.outlet == "The Daily" and linked.article.meta.date == "2024-03-05"
    assert dead.article is not None
    assert dead.article.text.startswith("The governor signed the budget on Wednesday.")
    assert "evil" not in dead.article.text
    assert dead.article.meta.outlet == "Daily Feed" and dead.article.meta.title == "Dead link story"
    assert dead.article.meta.date == "2024-03-06"
    assert empty.article is None and empty.error is not None
    assert "HTTP 404" in empty.error and "no content" in empty.error and empty.source == f"{server}/gone2"


def test_atom_entry_without_link_uses_its_content(server, web_settings):
    [entry] = list(load_url_or_feed(f"{server}/atom.xml", web_settings))
    assert entry.article is not None and entry.source == f"{server}/atom.xml#entry-1"
    assert entry.article.text == "Farmers protested in the capital on Thursday. Police closed two roads."
    assert (entry.article.meta.outlet, entry.article.meta.date) == ("Atom Wire", "2024-03-07")


def test_pdf_url_is_read(server, web_settings):
    [loaded] = list(load_url_or_feed(f"{server}/report.pdf", web_settings))
    assert loaded.article is not None
    assert loaded.article.text == "The budget passed on Friday. Both chambers agreed."
    assert loaded.article.meta.outlet == "127.0.0.1" and loaded.article.meta.url == f"{server}/report.pdf"


# --- issue 12 ------------------------------------------------------------------------------------

def test_a_dripping_server_is_cut_off_at_the_total_deadline(server, web_settings):
    started = time.monotonic()
    [loaded] = list(load_url_or_feed(f"{server}/drip", web_settings))  # 0.5 s deadline, 20 s of drip
    assert loaded.error and "timed out after 0.5 s" in loaded.error
    assert time.monotonic() - started < 2.0


def test_a_feed_declaring_entities_is_refused_without_junk_documents(server, web_settings):
    [loaded] = list(load_url_or_feed(f"{server}/laughs.xml", web_settings))
    assert loaded.article is None and loaded.error and "<!ENTITY>" in loaded.error


def test_the_http_charset_header_decodes_the_page(server, web_settings):
    [loaded] = list(load_url_or_feed(f"{server}/sjis.html", web_settings))
    assert loaded.article is not None and "東京都は月曜日" in loaded.article.text


def test_urls_only_rejects_local_paths_unread(tmp_path, web_settings):
    from rag.loaders import iter_articles

    secret = tmp_path / "secret.txt"
    secret.write_text("The server's private notes. Nobody should read them.")
    inputs = [str(secret), "file:///etc/passwd", "/etc/hostname", "ftp://example.com/x", "http://"]
    results = list(iter_articles(inputs, web_settings, urls_only=True))
    assert all(r.article is None and r.error and "only http(s) URLs" in r.error for r in results)


def test_fetch_failures_read_as_plain_words():
    import httpx

    from rag.loaders.web import fetch_failure

    unknown = httpx.ConnectError("[Errno -2] Name or service not known")
    assert fetch_failure(unknown) == "could not reach the site (name not found)"
    assert fetch_failure(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] bad")) == (
        "could not reach the site (secure connection failed)")
    assert "Errno" not in fetch_failure(unknown) and "ConnectError" not in fetch_failure(unknown)
