"""Export: Markdown footnotes, escaped self-contained HTML (checked in headless Chromium), DOCX footnotes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from rag.export import export_briefing, footnotes, quoted, to_html, to_markdown
from rag.types import Briefing, Citation, Claim, DocumentMeta, Section, SectionKind, Verdict

EVIL = '<script>document.title="PWNED"</script><img src=x onerror="document.title=\'PWNED\'">'
CHROMIUM = "/usr/bin/chromium"


def _briefing() -> Briefing:
    a = Citation(1, "doc-a", 3, 0, 40, "Seoul and Washington will stage the drills.", "Outlet A")
    b = Citation(2, "doc-b", 0, 0, 50, f"The allies will hold joint drills {EVIL}.", "Outlet B")
    key = Claim("Seoul and Washington will stage joint military exercises.", (a, b), Verdict.SUPPORTED, 0.9)
    single = Claim(f"According to Outlet B, {EVIL}", (b,), Verdict.PARTIAL, 0.6)
    return Briefing(
        title="Drills <b>briefing</b>", generator="extractive",
        sections=(Section(SectionKind.KEY_FACTS, "Key facts", (key,)),
                  Section(SectionKind.SINGLE_SOURCE, "Reported by one outlet", (single,))),
        coverage={"Outlet A": 0.5, "Outlet B": 0.5},
    )


METAS = {"doc-a": DocumentMeta(outlet="Outlet A", title="Allies plan drills", date="2023-08-14"),
         "doc-b": DocumentMeta(outlet="Outlet B", title="Drills ahead")}


def test_footnotes_name_outlet_title_date_and_quote_the_sentence() -> None:
    notes = footnotes(_briefing(), METAS)
    assert [n.number for n in notes] == [1, 2]
    assert notes[0].text.startswith("Outlet A, “Allies plan drills”, 2023-08-14: “Seoul and Washington")
    assert notes[0].text.endswith("(sentence 4)")  # 1-based, as the app says "sentence 4 of n"
    assert "doc-a" not in notes[0].text  # no internal ids in what a reader gets


def test_markdown_has_footnotes_and_escapes_markup(tmp_path: Path) -> None:
    text = to_markdown(_briefing(), METAS, style="bullets")
    assert "- Seoul and Washington will stage joint military exercises.[^1][^2]" in text
    assert "[^1]: Outlet A, “Allies plan drills”" in text
    assert "<script>" not in text and "\\<script\\>" in text
    assert "*(partially supported)*" in text
    written = export_briefing(_briefing(), "md", tmp_path / "b.md", METAS)
    assert written.read_text() == to_markdown(_briefing(), METAS)


def test_html_is_escaped_and_self_contained() -> None:
    page = to_html(_briefing(), METAS)
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert "<title>Drills &lt;b&gt;briefing&lt;/b&gt;</title>" in page
    assert 'href="#fn-2"' in page and 'id="fn-2"' in page
    assert "http://" not in page and "https://" not in page


@pytest.mark.browser
def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip("chromium not installed")
    path = export_briefing(_briefing(), "html", tmp_path / "b.html", METAS)
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         path.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    dom = result.stdout
    assert "<h2>Key facts</h2>" in dom and dom.count('<li id="fn-') == 2
    assert "PWNED" not in dom.split("<body>")[0]  # no injected script ran and changed the title


def read_docx_footnotes(path: Path) -> list[str]:
    """The text of each numbered footnote of a DOCX file."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from lxml import etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    part = docx.Document(str(path)).part.part_related_by(RELATIONSHIP_TYPE.FOOTNOTES)
    root = etree.fromstring(part.blob)
    return ["".join(n.itertext()).strip() for n in root.findall("w:footnote", {"w": w}) if int(n.get(f"{{{w}}}id")) > 0]


def test_docx_opens_with_real_footnotes(tmp_path: Path) -> None:
    path = export_briefing(_briefing(), "docx", tmp_path / "b.docx", METAS, style="bullets")
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Drills <b>briefing</b>"
    assert "Seoul and Washington will stage joint military exercises." in texts
    assert any(EVIL in t for t in texts)
    refs = document.element.body.xpath(".//w:footnoteReference")
    assert len(refs) == 3  # one per citation occurrence
    notes = read_docx_footnotes(path)
    assert len(notes) == 3
    assert notes[0].startswith("Outlet A, “Allies plan drills”, 2023-08-14: “Seoul and Washington")
    assert quoted(f"The allies will hold joint drills {EVIL}.") in notes[1]  # kept as text, quotes nested


def test_a_quotation_inside_the_quoted_sentence_uses_single_marks() -> None:
    assert quoted('"Our army is ready," Kim said.') == "“‘Our army is ready,’ Kim said.”"
    assert quoted("“Our army…” said Kim.") == "“‘Our army…’ said Kim.”"
    assert quoted('He called it "a threat" (again).') == "“He called it ‘a threat’ (again).”"
    assert quoted("It's calm.") == "“It's calm.”"
    cite = Citation(1, "doc-q", 0, 0, 30, '"Our army must secure power," Kim said.', "Outlet Q")
    briefing = Briefing(title="Q", generator="extractive", sections=(
        Section(SectionKind.KEY_FACTS, "Key facts", (Claim("Kim spoke.", (cite,), Verdict.SUPPORTED, 0.9),)),),
        coverage={})
    markdown = to_markdown(briefing)
    assert "“‘Our army must secure power,’ Kim said.” (sentence 1)" in markdown
    assert '“"' not in markdown and "“\\\"" not in markdown
