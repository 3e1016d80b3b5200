"""Export a briefing to Markdown, a self-contained HTML page, or DOCX with real numbered footnotes.

Every footnote quotes the cited sentence and names the outlet, title and date. Article text is untrusted:
HTML output escapes every string it did not write itself, Markdown escapes its syntax characters, and DOCX
text is XML-escaped with characters XML cannot hold removed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape as xml_escape

from rag.types import Briefing, Citation, Claim, DocumentMeta

Format = Literal["md", "html", "docx"]
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Footnote:
    """One cited sentence: its number, the quoted sentence and where it comes from."""

    number: int
    citation: Citation
    meta: DocumentMeta

    @property
    def source(self) -> str:
        """"Outlet, “Title”, 2023-08-14" (the parts that are known)."""
        parts = [self.citation.outlet]
        if self.meta.title and not self.citation.outlet.startswith("“"):  # label already is the title
            parts.append(f"“{self.meta.title}”")
        if self.meta.date:
            parts.append(self.meta.date)
        return ", ".join(parts)

    @property
    def text(self) -> str:
        c = self.citation
        return f"{self.source}: {quoted(c.text)} (sentence {c.sentence_index + 1})"


_INNER_DOUBLE = re.compile(r'(?P<open>(?:^|(?<=[\s(\[{—–-]))["“])|(?P<close>["”])')


def quoted(text: str) -> str:
    """A sentence in curly double quotes, its own double quotes turned into single ones, so a quotation that
    opens the sentence reads “‘Our army is ready,’ he said.” rather than “"Our army is ready," he said.”."""
    inner = _INNER_DOUBLE.sub(lambda m: "‘" if m.group("open") else "’", text.strip())
    return f"“{inner}”"


def footnotes(briefing: Briefing, metas: Mapping[str, DocumentMeta] | None = None) -> list[Footnote]:
    """The cited sentences of a briefing, one per marker, in marker order."""
    metas = metas or {}
    seen: dict[int, Footnote] = {}
    for section in briefing.sections:
        for claim in section.claims:
            for c in claim.citations:
                seen.setdefault(c.marker, Footnote(c.marker, c, metas.get(c.doc_id, DocumentMeta())))
    return [seen[n] for n in sorted(seen)]


def _coverage_line(briefing: Briefing) -> str:
    return ", ".join(f"{outlet} {share:.0%}" for outlet, share in briefing.coverage.items())


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(briefing: Briefing, metas: Mapping[str, DocumentMeta] | None = None,
                style: str = "paragraphs") -> str:
    """Markdown with `[^n]` footnotes (GitHub-flavoured)."""
    lines = [f"# {md_escape(briefing.title)}", ""]
    if briefing.notice:
        lines += [f"> {md_escape(briefing.notice)}", ""]
    for section in briefing.sections:
        if not section.claims:
            continue
        lines += [f"## {md_escape(section.title)}", ""]
        rendered = [_md_claim(c) for c in section.claims]
        lines += [f"- {r}" for r in rendered] if style == "bullets" else [" ".join(rendered)]
        lines.append("")
    if briefing.coverage:
        lines += [f"*Coverage (share of cited sentences): {md_escape(_coverage_line(briefing))}*", ""]
    lines += [f"[^{f.number}]: {md_escape(f.text)}" for f in footnotes(briefing, metas)]
    return "\n".join(lines).rstrip() + "\n"


def _md_claim(claim: Claim) -> str:
    marks = "".join(f"[^{c.marker}]" for c in claim.citations)
    flag = "" if claim.verdict == "supported" else f" *({claim.verdict})*"
    lead = f"**{md_escape(claim.label)}:** " if claim.label else ""
    return f"{lead}{md_escape(claim.text)}{marks}{flag}"


_CSP = "default-src 'none'; style-src 'unsafe-inline'"  # no scripts, no network, even if escaping failed
_CSS = """body{font-family:Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.55}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:1.6rem;border-bottom:1px solid #ddd}
sup a{text-decoration:none}.flag{color:#a33;font-size:.85em}.coverage{color:#555;font-size:.9em}
ol.notes{font-size:.85em;color:#333}ol.notes li{margin-bottom:.4rem}"""


def to_html(briefing: Briefing, metas: Mapping[str, DocumentMeta] | None = None,
            style: str = "paragraphs") -> str:
    """A self-contained HTML page (inline CSS, no scripts, no external resources); all text escaped."""
    e = html.escape
    body = [f"<h1>{e(briefing.title)}</h1>"]
    if briefing.notice:
        body.append(f'<p class="notice">{e(briefing.notice)}</p>')
    for section in briefing.sections:
        if not section.claims:
            continue
        body.append(f"<h2>{e(section.title)}</h2>")
        items = [_html_claim(c) for c in section.claims]
        if style == "bullets":
            body.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
        else:
            body.append("<p>" + " ".join(items) + "</p>")
    if briefing.coverage:
        shares = e(_coverage_line(briefing))
        body.append(f'<p class="coverage">Coverage (share of cited sentences): {shares}</p>')
    notes = "".join(f'<li id="fn-{f.number}" value="{f.number}">{e(f.text)}</li>'
                    for f in footnotes(briefing, metas))
    body.append(f'<h2>Sources</h2><ol class="notes">{notes}</ol>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{e(briefing.title)}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body) + "\n</body></html>\n"
    )


def _html_claim(claim: Claim) -> str:
    marks = "".join(f'<sup><a href="#fn-{c.marker}">[{c.marker}]</a></sup>' for c in claim.citations)
    verdict = html.escape(str(claim.verdict))
    flag = "" if claim.verdict == "supported" else f' <span class="flag">({verdict})</span>'
    lead = f"<strong>{html.escape(claim.label)}:</strong> " if claim.label else ""
    return f"{lead}<span class=\"claim\">{html.escape(claim.text)}</span>{marks}{flag}"


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


def to_docx(briefing: Briefing, path: Path, metas: Mapping[str, DocumentMeta] | None = None,
            style: str = "paragraphs") -> None:
    """A Word document whose claims carry real footnotes (one per citation, numbered by Word)."""
    import docx
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    notes = {f.number: f for f in footnotes(briefing, metas)}
    document = docx.Document()
    document.add_heading(_clean(briefing.title), level=1)
    if briefing.notice:
        document.add_paragraph().add_run(_clean(briefing.notice)).italic = True
    bodies: list[str] = []
    for section in briefing.sections:
        if not section.claims:
            continue
        document.add_heading(_clean(section.title), level=2)
        paragraph = None
        for claim in section.claims:
            if paragraph is None or style == "bullets":
                paragraph = document.add_paragraph(style="List Bullet" if style == "bullets" else None)
            elif paragraph.runs:
                paragraph.add_run(" ")
            if claim.label:
                paragraph.add_run(_clean(claim.label) + ": ").bold = True
            paragraph.add_run(_clean(claim.text))
            for c in claim.citations:
                bodies.append(notes[c.marker].text)
                _footnote_reference(paragraph, len(bodies))
            if claim.verdict != "supported":
                paragraph.add_run(f" ({claim.verdict})").italic = True
    if briefing.coverage:
        document.add_paragraph(_clean(f"Coverage (share of cited sentences): {_coverage_line(briefing)}"))
    part = Part(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, _footnotes_xml(bodies),
                document.part.package)
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    document.save(str(path))


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _footnote_reference(paragraph: object, note_id: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    align = OxmlElement("w:vertAlign")
    align.set(qn("w:val"), "superscript")
    props.append(align)
    run.append(props)
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(note_id))
    run.append(ref)
    paragraph._p.append(run)  # type: ignore[attr-defined]


def _footnotes_xml(bodies: list[str]) -> bytes:
    sup = '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
    notes = [
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
        "</w:p></w:footnote>",
    ]
    for i, text in enumerate(bodies, 1):
        notes.append(
            f'<w:footnote w:id="{i}"><w:p><w:r>{sup}<w:footnoteRef/></w:r>'
            f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr>'
            f'<w:t xml:space="preserve"> {xml_escape(_clean(text))}</w:t>'
            "</w:r></w:p></w:footnote>"
        )
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{_W}">'
    return (xml + "".join(notes) + "</w:footnotes>").encode("utf-8")


def export_briefing(briefing: Briefing, fmt: Format, path: Path,
                    metas: Mapping[str, DocumentMeta] | None = None, style: str = "paragraphs") -> Path:
    """Write the briefing to `path` in the given format."""
    path = Path(path)
    if fmt == "md":
        path.write_text(to_markdown(briefing, metas, style), encoding="utf-8")
    elif fmt == "html":
        path.write_text(to_html(briefing, metas, style), encoding="utf-8")
    elif fmt == "docx":
        to_docx(briefing, path, metas, style)
    else:
        raise ValueError(f"unknown export format {fmt!r}; choose md, html or docx")
    return path
