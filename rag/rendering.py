"""Safe HTML for the app: untrusted text (articles, titles, model output) is escaped before markup is added.

Every function here returns HTML in which the only tags are the ones written in this module; the text of an
article or a claim can never open a tag, an attribute or a link. Highlighting works on character offsets
into the raw text, and each slice is escaped on its own, so offsets stay exact.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rag.prompts import REFUSAL
from rag.types import Answer, Claim, Document, SentenceHit, Verdict

_VERDICT_STYLE = {
    Verdict.SUPPORTED: ("cr-ok", "✓ supported"),
    Verdict.PARTIAL: ("cr-partial", "◐ partially supported"),
    Verdict.UNSUPPORTED: ("cr-bad", "✗ unsupported"),
}

# Characters that carry meaning in Markdown; escaped when untrusted text must go through st.markdown.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:])")

STYLESHEET = """<style>
.cr-answer, .cr-article, .cr-section { line-height: 1.6; }
.cr-claim { margin: 0 0 .35rem 0; }
.cr-cite { color: var(--st-link-color, #1c6ef2); cursor: pointer; font-size: .78em; vertical-align: super;
  margin-left: 1px; text-decoration: none; font-weight: 600; padding: 0 1px; border-radius: 3px; }
.cr-cite:hover, .cr-cite:focus { background: rgba(28, 110, 242, .15); outline: none; }
.cr-badge { display: inline-block; font-size: .72em; padding: 0 .45em; border-radius: .7em; margin-left: .4em;
  vertical-align: middle; white-space: nowrap; border: 1px solid transparent; }
.cr-ok { background: #e3f5e8; color: #16623a; border-color: #b6e2c4; }
.cr-partial { background: #fff4d6; color: #7a5300; border-color: #f1d98f; }
.cr-bad { background: #fde4e4; color: #8c1d1d; border-color: #f2b8b8; }
.cr-refusal { font-weight: 600; }
.cr-closest { margin: .3rem 0 0 0; padding-left: 1.2rem; color: #555; }
.cr-article { white-space: pre-wrap; }
.cr-hl { background: #ffe066; color: inherit; padding: 1px 0; border-radius: 2px;
  box-shadow: 0 0 0 2px #ffe066; }
.cr-term { border-bottom: 2px solid #d9480f; background: rgba(217, 72, 15, .08); }
.cr-meta { color: #666; font-size: .85em; }
.cr-quote { margin: .4rem 0; padding: .3rem .8rem; border-left: 4px solid #ffe066; background: #fffbea; }
</style>"""


def escape(text: str | None) -> str:
    """HTML-escape untrusted text, quotes included (safe in element bodies and attribute values)."""
    return html.escape(text or "", quote=True)


def escape_markdown(text: str | None) -> str:
    """Neutralise Markdown and HTML in untrusted text that must be passed to st.markdown or a widget label."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", (text or "").replace("\n", " "))


@dataclass(frozen=True)
class Span:
    """A stretch of a text to wrap in markup: [start, end) offsets into the raw text."""

    start: int
    end: int
    css_class: str
    title: str = ""
    element_id: str = ""


def highlight(text: str, spans: Iterable[Span]) -> str:
    """Escape `text` and wrap each span in a <mark>; overlapping or out-of-range spans are skipped."""
    out: list[str] = []
    pos = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < pos or span.end <= span.start or span.end > len(text):
            continue
        out.append(escape(text[pos : span.start]))
        attrs = f' class="{escape(span.css_class)}"'
        if span.title:
            attrs += f' title="{escape(span.title)}"'
        if span.element_id:
            attrs += f' id="{escape(span.element_id)}"'
        out.append(f"<mark{attrs}>{escape(text[span.start : span.end])}</mark>")
        pos = span.end
    out.append(escape(text[pos:]))
    return "".join(out)


def citation_ref(collection: str, doc_id: str, sentence_index: int) -> str:
    """The value a citation marker carries to the app: which sentence of which document to open."""
    return f"{collection}/{doc_id}/{sentence_index}"


def parse_citation_ref(ref: str) -> tuple[str, str, int] | None:
    """(collection, doc_id, sentence_index) from a marker's value, or None when it is malformed."""
    parts = ref.split("/")
    if len(parts) != 3 or not parts[2].isdigit():
        return None
    return parts[0], parts[1], int(parts[2])


def citation_marker(label: str, ref: str, tooltip: str) -> str:
    """A clickable inline marker such as [1]; the app's click listener opens the sentence named by `ref`."""
    return (
        f'<a class="cr-cite" role="button" tabindex="0" data-cite="{escape(ref)}" '
        f'title="{escape(tooltip)}">[{escape(label)}]</a>'
    )


def verdict_badge(verdict: Verdict | str, score: float | None = None, reasons: Sequence[str] = ()) -> str:
    """A small coloured label naming the verifier's verdict, with its score; the reasons show on hover."""
    css, label = _VERDICT_STYLE.get(Verdict(verdict), ("cr-bad", escape(str(verdict))))
    shown = f"{label} {score:.2f}" if score is not None else label
    why = "; ".join(reasons) or "verifier verdict and score"
    return f'<span class="cr-badge {css}" title="{escape(why)}">{shown}</span>'


def claim_html(claim: Claim, collection: str, *, badge: bool = True) -> str:
    """One claim: escaped text, its citation markers inline, then its verdict badge."""
    markers = "".join(
        citation_marker(
            str(c.marker), citation_ref(collection, c.doc_id, c.sentence_index),
            f"{c.outlet} · sentence {c.sentence_index + 1}",
        )
        for c in claim.citations
    )
    tail = verdict_badge(claim.verdict, claim.score, claim.reasons) if badge else ""
    lead = f"<strong>{escape(claim.label)}:</strong> " if claim.label else ""
    return f"{lead}{escape(claim.text)}{markers}{tail}"


def closest_html(hits: Sequence[SentenceHit], collection: str) -> str:
    """The sentences closest to an unanswered question, each openable like a citation."""
    if not hits:
        return ""
    items = "".join(
        f"<li>{escape(h.sentence.text)} "
        + citation_marker(
            h.outlet, citation_ref(collection, h.sentence.doc_id, h.sentence.index),
            f"{h.outlet} · sentence {h.sentence.index + 1}",
        )
        + "</li>"
        for h in hits
    )
    return f'<div class="cr-meta">Closest sentences found:</div><ul class="cr-closest">{items}</ul>'


def answer_html(answer: Answer, collection: str) -> str:
    """A whole answer: claims with markers and badges, or the refusal with the closest sentences."""
    if answer.refused or not answer.claims:
        return (
            f'<div class="cr-answer"><p class="cr-refusal">{escape(REFUSAL)}</p>'
            f"{closest_html(answer.closest, collection)}</div>"
        )
    body = "".join(f'<p class="cr-claim">{claim_html(c, collection)}</p>' for c in answer.claims)
    return f'<div class="cr-answer">{body}</div>'


def claims_html(claims: Sequence[Claim], collection: str, *, bullets: bool = False) -> str:
    """A briefing section's claims as paragraphs or a bulleted list."""
    if bullets:
        items = "".join(f"<li>{claim_html(c, collection)}</li>" for c in claims)
        return f'<ul class="cr-section">{items}</ul>'
    body = " ".join(claim_html(c, collection) for c in claims)
    return f'<p class="cr-section">{body}</p>'


def target_id(doc_id: str, sentence_index: int) -> str:
    """The element id of the highlighted sentence, so the page can scroll it into view."""
    return f"cr-target-{re.sub(r'[^A-Za-z0-9_-]', '', doc_id)}-{sentence_index}"


def article_html(doc: Document, sentence_index: int | None = None, terms: Sequence[Span] = ()) -> str:
    """The article body with one sentence highlighted (by its exact offsets) and/or loaded terms marked."""
    spans = list(terms)
    if sentence_index is not None and 0 <= sentence_index < len(doc.sentences):
        sentence = doc.sentences[sentence_index]
        spans = [s for s in spans if s.end <= sentence.start or s.start >= sentence.end]
        spans.append(Span(sentence.start, sentence.end, "cr-hl", f"sentence {sentence_index + 1}",
                          target_id(doc.doc_id, sentence_index)))
    return f'<div class="cr-article">{highlight(doc.text, spans)}</div>'


def meta_line(doc: Document, sentence_index: int | None = None) -> str:
    """Outlet · title · date (· sentence n of m), escaped."""
    m = doc.meta
    parts = [m.outlet or "outlet unknown", m.title or "(untitled)", m.date or "no date"]
    if sentence_index is not None:
        parts.append(f"sentence {sentence_index + 1} of {len(doc.sentences)}")
    return '<div class="cr-meta">' + " · ".join(escape(p) for p in parts) + "</div>"
