"""Safe HTML for the app: untrusted text (articles, titles, model output) is escaped before markup is added.

Every function here returns HTML in which the only tags are the ones written in this module; the text of an
article or a claim can never open a tag, an attribute or a link. Highlighting works on character offsets
into the raw text, and each slice is escaped on its own, so offsets stay exact.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rag.prompts import REFUSAL
from rag.types import Answer, Claim, Document, SentenceHit, Verdict, shorten

if TYPE_CHECKING:
    from rag.chat_history import Conversation

_VERDICT_STYLE = {
    Verdict.SUPPORTED: ("cr-ok", "✓ supported"),
    Verdict.PARTIAL: ("cr-partial", "◐ partially supported"),
    Verdict.UNSUPPORTED: ("cr-bad", "✗ unsupported"),
}

# Loaded-term categories (rag.framing) as a chart legend names them.
CATEGORY_WORDS = {"charged_adjective": "charged adjectives", "charged_verb": "charged verbs",
                  "intensifier": "intensifiers", "label": "labels", "report_verb": "loaded reporting verbs",
                  "scare_quote": "scare quotes"}

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
.cr-verify { display: inline; }
.cr-verify > summary { display: inline; cursor: pointer; list-style: none; margin-left: .35em; }
.cr-verify > summary::-webkit-details-marker { display: none; }
.cr-verify > summary.cr-quiet { color: #2b8a4b; font-size: .8em; }
.cr-verify[open] > ol { display: block; font-size: .85em; color: #444; margin: .3rem 0 .6rem 0; }
.cr-dialog-title { margin: 0; font-size: 1.15rem; line-height: 1.35; }
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
    """A briefing section's claims as a bulleted list (a badge per claim) or as prose: one paragraph whose
    verification is a single mark at its end, opening to each sentence's verdict."""
    if bullets:
        items = "".join(f"<li>{claim_html(c, collection)}</li>" for c in claims)
        return f'<ul class="cr-section">{items}</ul>'
    body = " ".join(claim_html(c, collection, badge=False) for c in claims)
    return f'<div class="cr-section">{body}{verification_html(claims)}</div>'


def verification_summary(claims: Sequence[Claim]) -> str:
    """In words: "all 4 sentences supported", or how many fall short ("1 of 4 sentences partially supported")."""
    partial = sum(1 for c in claims if c.verdict == Verdict.PARTIAL)
    unsupported = sum(1 for c in claims if c.verdict not in (Verdict.SUPPORTED, Verdict.PARTIAL))
    total = len(claims)
    noun = "sentence" if total == 1 else "sentences"
    if not partial and not unsupported:
        return f"all {total} {noun} supported" if total > 1 else "the sentence is supported"
    parts = [f"{n} partially supported" for n in (partial,) if n] + [f"{n} unsupported" for n in (unsupported,) if n]
    return f"{' and '.join(parts)} of {total} {noun}"


def verification_html(claims: Sequence[Claim]) -> str:
    """A quiet ✓ when every claim is supported, a visible flag otherwise; a click lists each claim's verdict,
    score and the verifier's reasons."""
    if not claims:
        return ""
    summary = verification_summary(claims)
    if all(c.verdict == Verdict.SUPPORTED for c in claims):
        head = f'<summary class="cr-quiet" title="Verified: {escape(summary)}. Click for details.">✓</summary>'
    else:
        worst = Verdict.UNSUPPORTED if any(c.verdict == Verdict.UNSUPPORTED for c in claims) else Verdict.PARTIAL
        css, mark = _VERDICT_STYLE[worst]
        head = (f'<summary class="cr-badge {css}" title="Click for each sentence\'s verdict">'
                f"{escape(mark.split()[0])} {escape(summary)}</summary>")
    items = "".join(
        f"<li>{escape(shorten(c.text, 90))} {verdict_badge(c.verdict, c.score, c.reasons)}"
        + (f' <span class="cr-meta">{escape("; ".join(c.reasons))}</span>' if c.reasons else "")
        + "</li>"
        for c in claims
    )
    return f'<details class="cr-verify">{head}<ol>{items}</ol></details>'


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
    """What is known beside the title shown above it: outlet (or the site), byline, date, then
    "sentence n of m"; unknown parts are left out rather than named."""
    m = doc.meta
    site = urlsplit(m.url).hostname if m.url else None
    parts = [m.outlet or site or "", m.byline or "", m.date or ""]
    if sentence_index is not None:
        parts.append(f"sentence {sentence_index + 1} of {len(doc.sentences)}")
    return '<div class="cr-meta">' + " · ".join(escape(p) for p in parts if p) + "</div>"


def conversation_titles(conversations: Sequence[Conversation], now: float) -> dict[str, str]:
    """id → a readable, distinct sidebar label: the first question, when it was last used ("today 14:05",
    "20 Nov 09:12"), the collection when there are several, and a number when two labels would still match."""
    several = len({c.collection for c in conversations}) > 1
    labels: dict[str, str] = {}
    seen: dict[str, int] = {}
    for c in conversations:
        label = f"{shorten(c.title, 48)} · {when(c.updated_at, now)}"
        if several:
            label += f" · {c.collection}"
        seen[label] = seen.get(label, 0) + 1
        labels[c.id] = label if seen[label] == 1 else f"{label} ({seen[label]})"
    return labels


def when(timestamp: float, now: float) -> str:
    """A time as a reader says it: "today 14:05", "yesterday 09:12", "20 Nov 09:12", "20 Nov 2024"."""
    day = time.localtime(timestamp)
    today = time.localtime(now)
    days_ago = (time.mktime(today[:3] + (0, 0, 0, 0, 0, -1)) - time.mktime(day[:3] + (0, 0, 0, 0, 0, -1)))
    days_ago = round(days_ago / 86400)
    clock = time.strftime("%H:%M", day)
    if days_ago == 0:
        return f"today {clock}"
    if days_ago == 1:
        return f"yesterday {clock}"
    if day.tm_year == today.tm_year:
        return f"{day.tm_mday} {time.strftime('%b', day)} {clock}"
    return f"{day.tm_mday} {time.strftime('%b %Y', day)}"


def category_words(category: str) -> str:
    """A loaded-term category in plain words ("charged_adjective" → "charged adjectives")."""
    return CATEGORY_WORDS.get(category, category.replace("_", " "))


def wrap_label(text: str, width: int = 28) -> str:
    """A chart label broken into lines of at most `width` characters (at spaces), joined by newlines."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def document_choice_label(row: Mapping[str, object]) -> str:
    """How a picker names a stored document (a row of list_documents): title · outlet · date, known parts only."""
    parts = [str(row.get(k) or "") for k in ("title", "outlet", "date")]
    label = " · ".join(p for p in parts if p) or f"untitled document ({row.get('sentence_count', 0)} sentences)"
    return shorten(label, 120)


def outcome_reason(source: str, reason: str | None) -> str:
    """An ingest outcome's reason without the input it is shown beside ("…/story: could not reach…")."""
    text = (reason or "").strip()
    return text[len(source) + 2:] if text.startswith(f"{source}: ") else text
