"""Loaders: text, HTML, PDF and each bad input (a one-line reason naming the input; the batch goes on)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from rag.errors import IngestError
from rag.loaders import iter_articles, load_file
from rag.loaders.pdf import reflow
from rag.settings import Settings

ARTICLE = (
    "The U.S. Senate voted on Tuesday to pass the infrastructure bill after a long debate. "
    "Lawmakers from both parties said the vote was close and the outcome uncertain until the end.\n"
    "Critics argued the plan would cost too much. Supporters said roads and bridges could not wait."
)


def make_pdf(pages: list[str | None], info: dict[str, str] | None = None) -> bytes:
    """A small valid PDF; a None page has no text (like a scanned image)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for page in pages:
        if page is None:
            stream = b"0 0 1 rg 10 10 100 100 re f"
        else:
            escaped = page.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops = "".join(f"({line}) Tj T* " for line in escaped.split("\n"))
            stream = f"BT /F1 11 Tf 14 TL 40 780 Td {ops}ET".encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources "
            b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>" % content
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids)
    )
    trailer_extra = b""
    if info:
        entries = " ".join(f"/{k} ({v})" for k, v in info.items())
        objects.append(f"<< {entries} >>".encode("latin-1"))
        trailer_extra = b" /Info %d 0 R" % len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def load(path: Path, settings: Settings):
    return load_file(path, settings)


def reason_for(path: Path, settings: Settings) -> str:
    with pytest.raises(IngestError) as info:
        load_file(path, settings)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    return info.value.reason


# --- plain text -------------------------------------------------------------------------------
def test_text_with_key_value_header(tmp_path, settings):
    path = tmp_path / "a.txt"
    path.write_text(f"Title: Senate passes bill\nSource: The Daily\nDate: March 5, 2024\n\n{ARTICLE}")
    article = load(path, settings)
    assert article.meta.title == "Senate passes bill"
    assert article.meta.outlet == "The Daily"
    assert article.meta.date == "2024-03-05"
    assert article.text.startswith("The U.S. Senate voted")


def test_utf16_with_bom_is_decoded(tmp_path, settings):
    path = tmp_path / "utf16.txt"
    path.write_bytes(("Café owners in Montréal protested the new tax. " + ARTICLE).encode("utf-16"))
    assert load(path, settings).text.startswith("Café owners in Montréal")


def test_latin1_is_decoded(tmp_path, settings):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Señor Muñoz said the café would reopen. It did not.".encode("latin-1"))
    assert load(path, settings).text == "Señor Muñoz said the café would reopen. It did not."


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t \n", "whitespace only"),
        ("nul.txt", b"PK\x03\x04\x00\x00binary\x00stuff" * 10, "binary file"),
        ("image.png", b"\x89PNG\r\n", "unsupported file type '.png'"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "broken PDF"),
        ("notreally.pdf", b"hello, I am text", "broken PDF"),
        ("empty.pdf", b"", "empty file"),
    ],
)
def test_bad_files_get_a_one_line_reason(tmp_path, settings, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    assert expected in reason_for(path, settings)


def test_oversized_file_is_refused_without_reading(tmp_path, settings):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:  # sparse: 200 MB on paper, nothing on disk
        f.truncate(200_000_000)
    reason = reason_for(path, settings)
    assert "200 MB" in reason and "limit" in reason and "CROSSREAD_INGEST__MAX_BYTES" in reason


def test_size_cap_is_a_setting(tmp_path):
    path = tmp_path / "small.txt"
    path.write_text(ARTICLE)
    tight = Settings(data_dir=tmp_path, ingest={"max_bytes": 100})  # type: ignore[arg-type]
    assert "limit" in reason_for(path, tight)


# --- HTML -------------------------------------------------------------------------------------
PAGE = f"""<!doctype html><html><head><title>Senate passes bill | The Daily</title>
<meta property="og:title" content="Senate passes bill"><meta property="og:site_name" content="The Daily">
<meta name="author" content="Jane Roe"><meta property="article:published_time" content="2024-03-05T10:00:00Z">
<script>window.secretTracker = "SCRIPT_PAYLOAD";</script><style>.x {{ color: red }}</style></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Senate passes bill</h1><p>{ARTICLE.split(chr(10))[0]}</p><p>{ARTICLE.split(chr(10))[1]}</p>
<script>document.write("INLINE_SCRIPT_PAYLOAD")</script></article>
<footer>Copyright 2024 The Daily. All rights reserved. Subscribe to our newsletter.</footer></body></html>"""


def test_html_keeps_the_article_and_drops_boilerplate(tmp_path, settings):
    path = tmp_path / "page.html"
    path.write_text(PAGE)
    article = load(path, settings)
    assert "The U.S. Senate voted on Tuesday" in article.text
    assert "Supporters said roads and bridges could not wait." in article.text
    for junk in ("SCRIPT_PAYLOAD", "secretTracker", "color: red", "Subscribe", "Sport"):
        assert junk not in article.text
    assert not article.text.startswith("Senate passes bill")  # headline moved into metadata
    assert article.meta.title == "Senate passes bill"
    assert article.meta.outlet == "The Daily"
    assert article.meta.byline == "Jane Roe"
    assert article.meta.date == "2024-03-05"


def test_html_that_is_all_script_and_nav_is_rejected(tmp_path, settings):
    path = tmp_path / "menu.htm"
    path.write_text(
        "<html><head><script>var a = 'tracking code here';</script></head><body><nav><ul>"
        "<li><a href='/'>Home</a></li><li><a href='/w'>World news today</a></li></ul></nav>"
        "<script>alert('hello there friend')</script><noscript>Please enable JavaScript</noscript>"
        "</body></html>"
    )
    assert "no article text found" in reason_for(path, settings)


# --- PDF --------------------------------------------------------------------------------------
def test_pdf_text_and_info(tmp_path, settings):
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf(
        ["The U.S. Senate voted on Tuesday to pass the\nbill after a long debate.",
         "Critics argued it costs too much."],
        info={"Title": "Senate report", "Author": "Jane Roe", "CreationDate": "D:20240305120000Z"},
    ))
    article = load(path, settings)
    assert "The U.S. Senate voted on Tuesday to pass the bill after a long debate." in article.text
    assert "Critics argued it costs too much." in article.text
    meta = article.meta
    assert (meta.title, meta.byline, meta.date) == ("Senate report", "Jane Roe", "2024-03-05")


def test_pdf_without_text_layer_is_rejected(tmp_path, settings):
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([None, None]))
    assert "no text layer" in reason_for(path, settings)


def test_reflow_joins_layout_lines_and_keeps_paragraphs():
    assert reflow("one two\nthree. Four\n\nnew para-\ngraph") == "one two three. Four\n\nnew para-graph"


# --- batches, paths, links --------------------------------------------------------------------
def test_missing_path_and_symlink_loop_do_not_stop_the_batch(tmp_path, settings):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "good.txt").write_text(ARTICLE)
    os.symlink(folder, folder / "sub" / "loop")  # a folder that contains itself
    os.symlink("self", folder / "self")  # a symlink to itself (ELOOP)
    missing = str(tmp_path / "nope.txt")
    results = list(iter_articles([missing, str(folder)], settings))
    by_source = {r.source: r for r in results}
    assert by_source[missing].error == f"{missing}: no such file, folder or URL"
    good = by_source[str(folder / "sub" / "good.txt")]
    assert good.article is not None and good.error is None
    errors = [r.error for r in results if r.error]
    assert any("symlink loop" in e for e in errors)
    assert any(e.startswith(str(folder / "self")) for e in errors)
    assert all("\n" not in e for e in errors)
    assert sum(r.article is not None for r in results) == 1  # the looped folder was not read twice
    [direct] = list(iter_articles([str(folder / "self")], settings))
    assert direct.error == f"{folder / 'self'}: symlink loop (the link points back to itself)"
    os.symlink(tmp_path / "gone", tmp_path / "dangling.txt")
    [dangling] = list(iter_articles([str(tmp_path / "dangling.txt")], settings))
    assert dangling.error is not None and "broken symlink" in dangling.error


def test_folder_walk_dispatches_by_suffix(tmp_path, settings):
    (tmp_path / "a.md").write_text(ARTICLE)
    (tmp_path / "b.html").write_text(PAGE)
    (tmp_path / "c.pdf").write_bytes(make_pdf(["A sentence in a PDF file. Another one here."]))
    (tmp_path / "d.docx.bak").write_bytes(b"x")
    results = list(iter_articles([str(tmp_path)], settings))
    loaded = sorted(Path(r.source).name for r in results if r.article)
    rejected = [r.error for r in results if r.error]
    assert loaded == ["a.md", "b.html", "c.pdf"]
    assert len(rejected) == 1 and "unsupported file type '.bak'" in rejected[0]


# --- issue 12: special files, encrypted PDFs, encodings, boilerplate ------------------------------

def test_fifo_is_rejected_without_opening_it(tmp_path, settings):
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)  # opening it for reading would block forever: no writer ever comes
    (tmp_path / "good.txt").write_text(ARTICLE)
    results = list(iter_articles([str(fifo), str(tmp_path)], settings))
    errors = [r.error for r in results if r.error]
    assert len(errors) == 2 and all("FIFO" in e and "not read" in e for e in errors)
    assert [Path(r.source).name for r in results if r.article] == ["good.txt"]


def test_symlink_to_a_device_is_rejected_by_name(tmp_path, settings):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")  # reading it would never end
    [result] = iter_articles([str(link)], settings)
    assert result.error and "character device" in result.error
    assert "character device" in reason_for(link, settings)


def test_every_read_is_bounded_by_the_size_cap(tmp_path):
    from rag.loaders.text import read_capped

    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 5000)
    with pytest.raises(IngestError, match="over the"):
        read_capped(path, 4000)
    assert read_capped(path, 5000) == b"a" * 5000


def _encrypted_pdf(password: str, algorithm: str) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([ARTICLE]))))
    writer.encrypt(user_password=password, owner_password="owner-secret", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("algorithm", ["RC4-40", "RC4-128", "AES-128", "AES-256-R5", "AES-256"])
def test_encrypted_pdf_with_empty_password_is_read(tmp_path, settings, algorithm):
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted_pdf("", algorithm))
    assert "infrastructure bill" in load(path, settings).text


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_pdf_with_a_user_password_is_named_password_protected(tmp_path, settings, algorithm):
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted_pdf("secret", algorithm))
    assert reason_for(path, settings) == "PDF is password-protected"


@pytest.mark.parametrize(("data", "expected"), [
    ("Der Kaffee ist gut: café in Zürich. ".encode() + "Le café à Zürich était fermé.".encode("latin-1"),
     "Der Kaffee ist gut: café in Zürich. Le café à Zürich était fermé."),
    ("東京都は月曜日、新しい橋を開通させたと発表した。市民は喜んでいる。".encode("shift_jis"),
     "東京都は月曜日、新しい橋を開通させたと発表した。市民は喜んでいる。"),
    ("北京市政府星期一宣布，新桥已经开通。市民们对此表示欢迎。".encode("gb18030"),
     "北京市政府星期一宣布，新桥已经开通。市民们对此表示欢迎。"),
    (ARTICLE.encode("utf-16-le"), ARTICLE),
    (ARTICLE.encode("utf-16-be"), ARTICLE),
    ("Le café à Zürich était fermé lundi. Les habitants étaient déçus.".encode("latin-1"),
     "Le café à Zürich était fermé lundi. Les habitants étaient déçus."),
])
def test_encodings_are_detected_not_guessed(tmp_path, settings, data, expected):
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    assert load(path, settings).text == expected


def test_html_meta_charset_is_honoured(tmp_path, settings):
    body = "東京都は月曜日、新しい橋を開通させたと発表した。市民は喜んでいる。" * 3
    html = f"<html><head><meta charset=shift_jis><title>橋</title></head><body><article><p>{body}</p>" \
           f"<p>{body}</p></article></body></html>"
    path = tmp_path / "page.html"
    path.write_bytes(html.encode("shift_jis"))
    assert "東京都は月曜日" in load(path, settings).text


def test_random_bytes_are_rejected_not_stored_as_mojibake(tmp_path, settings):
    import random

    path = tmp_path / "noise.txt"
    rng = random.Random(3)
    path.write_bytes(bytes(rng.randrange(128, 256) for _ in range(4000)))
    reason = reason_for(path, settings)
    assert "encoding" in reason or "binary" in reason


def test_navigation_only_page_is_rejected_not_stored_as_home(tmp_path, settings):
    path = tmp_path / "nav.html"
    path.write_text(
        "<html><head><title>Site</title><script src='/app.js'></script></head><body>"
        "<header><a href='/'>Home</a></header><div id='root'></div>"
        "<script>window.boot({page: 'home', user: null, flags: [1, 2, 3]});</script></body></html>"
    )
    assert "no article text found" in reason_for(path, settings)


@hyp_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000) | st.text(max_size=1000).map(lambda t: t.encode("utf-8", "surrogatepass")),
       suffix=st.sampled_from([".txt", ".md", ".html", ".pdf"]))
def test_loaders_on_random_bytes_raise_only_typed_errors(tmp_path, settings, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        article = load_file(path, settings)
    except IngestError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))
        return
    assert article.text.strip() and article.text == article.text.strip()
