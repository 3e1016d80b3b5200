"""The bad-input classes of the reliability benchmark: each writes one hostile or unusual input and names it."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ARTICLE = ("The council approved the new budget on Monday after a long debate. Schools get more money next year. "
           "Critics said the plan was rushed.")
def art(n: int) -> str:
    """A distinct short article, so each row that decodes correctly adds its own document."""
    return ARTICLE.replace("Monday", f"day {n} of the month")


JP = "東京都は月曜日、新しい橋を開通させたと発表した。市民は喜んでいる。"
CN = "北京市政府星期一宣布，新桥已经开通。市民们对此表示欢迎。"


def pdf(text: str | None, password: str | None = None, algorithm: str = "AES-256") -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    if text is not None:
        font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject(
            "/Type1"), NameObject("/BaseFont"): NameObject("/Helvetica")})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/F1"): writer._add_object(font)})})
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 11 Tf 40 700 Td ({text}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def file_cases(root: Path) -> Iterator[tuple[str, Callable[[], str]]]:
    """(class name, a function that creates the input and returns what to pass to ingest)."""

    def write(name: str, data: bytes | str) -> Callable[[], str]:
        def make() -> str:
            path = root / name
            path.write_bytes(data.encode() if isinstance(data, str) else data)
            return str(path)
        return make

    def special(name: str, create: Callable[[Path], object]) -> Callable[[], str]:
        def make() -> str:
            path = root / name
            create(path)
            return str(path)
        return make

    def sock(path: Path) -> None:
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))

    def sparse(path: Path) -> None:
        with open(path, "wb") as handle:
            handle.truncate(60_000_000)

    def loop_folder(path: Path) -> None:
        path.mkdir()
        (path / "a.txt").write_text("Inside the looping folder the article is short. It still counts.")
        (path / "back").symlink_to(path)

    yield from [
        ("empty file", write("empty.txt", b"")),
        ("whitespace only", write("blank.txt", " \n\t\n")),
        ("NUL bytes (binary)", write("nul.txt", b"abc\x00def" * 50)),
        ("random high bytes", write("noise.txt", bytes((i * 7919) % 128 + 128 for i in range(4000)))),
        ("latin-1 text", write("latin1.txt", "Le café à Zürich était fermé lundi. Les habitants étaient déçus."
                                .encode("latin-1"))),
        ("cp1252 smart quotes", write("cp1252.txt", "He said “no” — twice. The café was closed.".encode("cp1252"))),
        ("UTF-8 with one latin-1 sentence", write("mixed.txt", "Café in Zürich opened. ".encode()
                                                    + "Le café à Zürich était fermé.".encode("latin-1"))),
        ("Shift-JIS", write("sjis.txt", JP.encode("shift_jis"))),
        ("GB18030", write("gb.txt", CN.encode("gb18030"))),
        ("UTF-16LE without BOM", write("u16le.txt", art(101).encode("utf-16-le"))),
        ("UTF-16BE without BOM", write("u16be.txt", art(102).encode("utf-16-be"))),
        ("UTF-16 with BOM", write("u16.txt", art(103).encode("utf-16"))),
        ("UTF-32 with BOM", write("u32.txt", art(104).encode("utf-32"))),
        ("UTF-8 with BOM", write("u8bom.txt", art(105).encode("utf-8-sig"))),
        ("broken UTF-16 after a BOM", write("u16bad.txt", b"\xff\xfeA\x00B")),
        ("file over the size cap (60 MB, sparse)", special("huge.txt", sparse)),
        ("unsupported extension", write("photo.jpg", b"\xff\xd8\xff\xe0")),
        ("no extension", write("README", art(1))),
        ("broken PDF (no header)", write("broken.pdf", b"hello, I am text")),
        ("truncated PDF", write("trunc.pdf", pdf(ARTICLE)[:300])),
        ("PDF without text layer", write("scan.pdf", pdf(None))),
        ("PDF AES-256, empty password", write("aes256.pdf", pdf(art(2), "", "AES-256"))),
        ("PDF AES-128, empty password", write("aes128.pdf", pdf(art(3), "", "AES-128"))),
        ("PDF RC4-128, empty password", write("rc4.pdf", pdf(art(4), "", "RC4-128"))),
        ("PDF AES-256 with a user password", write("locked256.pdf", pdf(ARTICLE, "secret", "AES-256"))),
        ("PDF RC4-40 with a user password", write("locked40.pdf", pdf(ARTICLE, "secret", "RC4-40"))),
        ("HTML of scripts and navigation only", write("nav.html", "<html><body><nav><a href='/'>Home</a></nav>"
                                                       "<script>var a = 1;</script></body></html>")),
        ("HTML with <meta charset=shift_jis>", write("sjis.html", (f"<html><head><meta charset=shift_jis></head>"
                                                                    f"<body><p>{JP * 3}</p></body></html>")
                                                      .encode("shift_jis"))),
        ("HTML with an empty body", write("emptybody.html", "<html><head><title>T</title></head><body></body></html>")),
        ("HTML with script payload in text", write("xss.html", "<html><body><article><p>" + art(5).replace(
            "Schools", "<img src=x onerror=alert(1)>Schools") + "</p></article></body></html>")),
        ("FIFO named x.txt", special("x.txt", lambda p: os.mkfifo(p))),
        ("symlink to /dev/zero", special("zero.txt", lambda p: p.symlink_to("/dev/zero"))),
        ("symlink to /dev/null", special("null.txt", lambda p: p.symlink_to("/dev/null"))),
        ("Unix socket", special("sock.txt", sock)),
        ("broken symlink", special("dangling.txt", lambda p: p.symlink_to(root / "nowhere.txt"))),
        ("symlink loop", special("loop.txt", lambda p: p.symlink_to(p))),
        ("missing path", lambda: str(root / "does-not-exist.txt")),
        ("empty folder", special("emptydir", lambda p: p.mkdir())),
        ("folder with a symlink loop", special("loopdir", loop_folder)),
        ("header lines only", write("header.txt", "Title: Only a title\nSource: Nobody\n")),
        ("terminal escapes in text", write("escape.txt", "The \x1b[2Jscreen was cleared by this article. It is "
                                                          "stored, and shown neutralised.")),
        ("1 MB line without punctuation", write("line.txt", "word " * 200_000)),
        ("control-character heavy text", write("controls.txt", "".join(chr(i % 31 + 1) for i in range(3000)))),
        ("only punctuation", write("dots.txt", "...... !!! ??? ......")),
        ("file name with an escape", write("name\x1b[31mred.txt", ARTICLE.replace("Monday", "Tuesday"))),
        ("bidi override in text", write("bidi.txt", "The mayor said \u202etnemecnuonna\u202c on Friday. It was odd.")),
    ]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, body: bytes, kind: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        laughs = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY lol "lol"><!ENTITY lol9 "&lol;&lol;">]>'
                  '<rss version="2.0"><channel><title>L</title><item><title>&lol9;</title>'
                  '<description>&lol9;</description></item></channel></rss>')
        routes = {
            "/json": (b'{"a": 1}', "application/json"),
            "/laughs.xml": (laughs.encode(), "application/rss+xml"),
            "/empty.xml": (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Q</title></channel></rss>',
                           "application/rss+xml"),
            "/sjis.html": (f"<html><body><article><p>{JP * 3}</p></article></body></html>".encode("shift_jis"),
                           "text/html; charset=Shift_JIS"),
        }
        if self.path.startswith("/good/"):
            page = f"<html><body><article><p>{art(1000 + int(self.path[6:]))}</p></article></body></html>"
            self._send(page.encode(), "text/html; charset=utf-8")
        elif self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(60):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.5)
        elif self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(200):
                    self.wfile.write(b"<p>" + b"x" * 8192 + b"</p>")
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path in routes:
            self._send(*routes[self.path])
        else:
            self._send(b"<html><body>Not found</body></html>", "text/html", 404)


def serve() -> tuple[str, ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}", httpd


def url_cases(base: str, root: Path) -> list[tuple[str, str, bool]]:
    """(class name, input, app URL box only)."""
    (root / "server-secret.txt").write_text("Private notes on the server. Nobody may read them via the app.")
    return [
        ("URL 404", f"{base}/missing", False),
        ("URL returning JSON", f"{base}/json", False),
        ("URL dripping a byte every 0.5 s", f"{base}/drip", False),
        ("download over the size cap (streamed)", f"{base}/big", False),
        ("redirect loop", f"{base}/loop", False),
        ("billion-laughs feed", f"{base}/laughs.xml", False),
        ("feed with no entries", f"{base}/empty.xml", False),
        ("page with charset=Shift_JIS header", f"{base}/sjis.html", False),
        ("unreachable port", "http://127.0.0.1:9/", False),
        ("app URL box: absolute server path", str(root / "server-secret.txt"), True),
        ("app URL box: file:// URL", f"file://{root / 'server-secret.txt'}", True),
        ("app URL box: ftp:// URL", "ftp://127.0.0.1/x", True),
        ("app URL box: 'http://' without host", "http://", True),
    ]


CLI_CASES = [
    ("search -k -1", ["search", "x", "-k", "-1"]),
    ("collection 'x-' (Chroma rule)", ["sources", "-c", "x-"]),
    ("collection ''", ["sources", "--collection", ""]),
    ("collection 'a..b'", ["sources", "-c", "a..b"]),
    ("collection of 100 characters", ["sources", "-c", "a" * 100]),
    ("ingest -c 'x-'", ["ingest", "missing.txt", "-c", "x-"]),
    ("ingest --date garbage", ["ingest", "missing.txt", "--date", "not a date"]),
    ("brief --output into a missing folder", ["brief", "--output", "nope/brief.md"]),
    ("brief --output onto a folder", ["brief", "--output", "."]),
    ("brief --topic of 100k characters", ["brief", "--topic", "x" * 100_000]),
    ("brief --length bad", ["brief", "--length", "huge"]),
    ("show unknown id", ["show", "ffffffff"]),
    ("delete unknown id", ["delete", "ffffffff"]),
]
