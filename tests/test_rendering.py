"""Safe HTML rendering: hostile text stays inert, highlights sit on exact offsets, markers carry targets."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from rag.sentences import split_sentences
from rag.types import (
    Answer,
    Citation,
    Claim,
    Document,
    DocumentMeta,
    Sentence,
    SentenceHit,
    Verdict,
    content_id,
)
from ui.rendering import (
    Span,
    answer_html,
    article_html,
    category_words,
    citation_ref,
    claim_html,
    claims_html,
    conversation_titles,
    document_choice_label,
    escape_markdown,
    highlight,
    meta_line,
    parse_citation_ref,
    target_id,
    verdict_badge,
    verification_summary,
    when,
    wrap_label,
)

HOSTILE = (
    'Officials met on Monday. <script>alert("x")</script> said <img src=x onerror="alert(1)"> nothing. '
    "Read [more](javascript:alert(2)) & <b>bold</b> claims. The talks ended."
)


class _Tags(HTMLParser):
    """Collects every tag and attribute a browser would build from the markup."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


def hostile_doc() -> Document:
    doc_id = content_id(HOSTILE)
    return Document(doc_id, HOSTILE, DocumentMeta(outlet="<b>Evil</b> Times", title="<script>t()</script>"),
                    tuple(split_sentences(doc_id, HOSTILE)))


def test_highlight_escapes_each_slice_and_marks_exact_offsets() -> None:
    text = "a < b & c > d. <i>next</i>"
    start = text.index("<i>")
    out = highlight(text, [Span(start, len(text), "cr-hl")])
    tags = parse(out)
    assert tags.tags == ["mark"]
    assert "".join(tags.text) == text
    marked = re.search(r"<mark[^>]*>(.*)</mark>", out)
    assert marked and marked.group(1) == "&lt;i&gt;next&lt;/i&gt;"


def test_highlight_skips_overlapping_and_out_of_range_spans() -> None:
    out = highlight("abcdef", [Span(0, 3, "x"), Span(2, 5, "y"), Span(4, 99, "z"), Span(3, 3, "w")])
    assert parse(out).tags == ["mark"]
    assert out.startswith('<mark class="x">abc</mark>')


def test_hostile_article_renders_inert_with_the_cited_sentence_highlighted() -> None:
    doc = hostile_doc()
    index = next(s.index for s in doc.sentences if "<script>" in s.text)
    out = article_html(doc, index)
    tags = parse(out)
    assert set(tags.tags) == {"div", "mark"}
    assert not {a for a in tags.attrs if a.startswith("on") or a in ("src", "href")}
    assert "".join(tags.text) == doc.text
    highlighted = re.search(r'<mark class="cr-hl"[^>]*id="([^"]+)"[^>]*>(.*?)</mark>', out)
    assert highlighted is not None
    assert highlighted.group(1) == target_id(doc.doc_id, index)
    assert parse(highlighted.group(0)).text == [doc.sentences[index].text]


def test_claim_with_hostile_text_and_outlet_has_only_our_tags() -> None:
    claim = Claim(
        text='He said <img src=x onerror=alert(1)> and [x](javascript:alert(1)).',
        citations=(Citation(1, "abc", 2, 10, 20, "s", 'Evil" onclick="alert(1)'),),
        verdict=Verdict.PARTIAL, score=0.61,
    )
    out = claim_html(claim, "default")
    tags = parse(out)
    assert tags.tags == ["a", "span"]
    assert "onclick" not in tags.attrs
    assert "href" not in tags.attrs
    assert re.search(r'data-cite="default/abc/2"', out)
    assert "partially supported 0.61" in out


def test_refusal_shows_the_phrase_and_openable_closest_sentences() -> None:
    hit = SentenceHit(Sentence("d1", 4, "<script>x</script> Pyongyang is big.", 0, 10), 0.3, "KCNA")
    answer = Answer("What is the population?", (), True, "extractive", closest=(hit,))
    out = answer_html(answer, "news")
    assert "The sources don" in out
    assert 'data-cite="news/d1/4"' in out
    assert "<script>" not in out and "&lt;script&gt;" in out


@pytest.mark.parametrize("verdict", list(Verdict))
def test_each_verdict_has_a_distinct_badge(verdict: Verdict) -> None:
    out = verdict_badge(verdict, 0.5)
    assert str(verdict).split()[0] in out
    others = [verdict_badge(v, 0.5) for v in Verdict if v != verdict]
    assert out not in others


def test_citation_ref_round_trips_and_rejects_garbage() -> None:
    assert parse_citation_ref(citation_ref("my-news", "0123abcd", 7)) == ("my-news", "0123abcd", 7)
    assert parse_citation_ref("a/b") is None
    assert parse_citation_ref("a/b/x") is None


def test_escape_markdown_neutralises_links_and_html() -> None:
    out = escape_markdown("[x](javascript:alert(1)) <b>hi</b> *bold*")
    assert "](" not in out and "<b>" not in out and "*bold*" not in out
    assert re.sub(r"\\(.)", r"\1", out) == "[x](javascript:alert(1)) <b>hi</b> *bold*"


def test_badge_shows_reasons_on_hover_escaped() -> None:
    reasons = ('number 480 not in source"><script>x()</script>', "negation")
    out = verdict_badge(Verdict.UNSUPPORTED, 0.2, reasons)
    tags = parse(out)
    assert tags.tags == ["span"]
    assert set(tags.attrs) == {"class", "title"}
    assert 'title="number 480 not in source&quot;&gt;&lt;script&gt;x()&lt;/script&gt;; negation"' in out


def _claims(*verdicts: Verdict) -> list[Claim]:
    cite = Citation(1, "d1", 0, 0, 10, "Talks resumed.", "Wire")
    return [Claim(f"Claim {i} <b>x</b>.", (cite,), v, 0.9 if v == Verdict.SUPPORTED else 0.6, ("why <i>",))
            for i, v in enumerate(verdicts)]


def test_a_paragraph_all_supported_gets_one_quiet_mark_opening_to_each_verdict() -> None:
    markup = claims_html(_claims(Verdict.SUPPORTED, Verdict.SUPPORTED), "default")
    assert markup.count("<summary") == 1 and 'class="cr-quiet"' in markup
    assert "all 2 sentences supported" in markup
    # The detail, one click away: each sentence's badge with its reasons, escaped.
    assert markup.count("cr-badge cr-ok") == 2 and "why &lt;i&gt;" in markup
    tags = parse(markup)
    assert set(tags.tags) <= {"div", "a", "details", "summary", "ol", "li", "span"}
    assert markup.index("</a>") < markup.index("<details")  # text and markers first, the mark last


def test_a_paragraph_with_a_weak_sentence_shows_a_visible_flag() -> None:
    claims = _claims(Verdict.SUPPORTED, Verdict.PARTIAL, Verdict.UNSUPPORTED)
    markup = claims_html(claims, "default")
    assert "cr-quiet" not in markup and '<summary class="cr-badge cr-bad"' in markup
    assert verification_summary(claims) == "1 partially supported and 1 unsupported of 3 sentences"
    assert verification_summary(claims[1:2]) == "1 partially supported of 1 sentence"


def test_bullets_keep_a_badge_per_claim() -> None:
    markup = claims_html(_claims(Verdict.SUPPORTED, Verdict.PARTIAL), "default", bullets=True)
    assert markup.count("cr-badge") == 2 and "<details" not in markup


def test_meta_line_names_what_is_known_and_never_repeats_the_title() -> None:
    doc = Document("d", "Text.", DocumentMeta(outlet="Wire", title="Talks resume", byline="Ann Lee",
                                              date="2023-08-14"), ())
    assert meta_line(doc) == '<div class="cr-meta">Wire · Ann Lee · 2023-08-14</div>'
    bare = Document("d", "One. Two.", DocumentMeta(title="Talks", url="https://news.example.org/a"),
                    (Sentence("d", 0, "One.", 0, 4), Sentence("d", 1, "Two.", 5, 9)))
    line = meta_line(bare, 1)
    assert line == '<div class="cr-meta">news.example.org · sentence 2 of 2</div>'
    assert "unknown" not in line and "no date" not in line and "Talks" not in line


class _Conv:
    def __init__(self, cid: str, title: str, collection: str, updated_at: float) -> None:
        self.id, self.title, self.collection, self.updated_at = cid, title, collection, updated_at


def test_conversation_titles_are_readable_dated_and_distinct() -> None:
    import time

    now = time.mktime((2026, 11, 22, 15, 0, 0, 0, 0, -1))
    same = "What did Kim Jong Un call for?"
    conversations = [_Conv("a", same, "default", now - 60), _Conv("b", same, "default", now - 60),
                     _Conv("c", same, "default", now - 86400), _Conv("d", "x" * 80, "default", now - 40 * 86400)]
    titles = conversation_titles(conversations, now)
    assert len(set(titles.values())) == 4
    assert titles["a"] == f"{same} · today 14:59"
    assert titles["b"] == f"{same} · today 14:59 (2)"
    assert titles["c"] == f"{same} · yesterday 15:00"
    assert titles["d"].startswith("x" * 10) and "…" in titles["d"] and "13 Oct" in titles["d"]
    assert "default" not in "".join(titles.values())  # one collection: not worth naming
    two = conversation_titles([_Conv("a", same, "default", now), _Conv("b", same, "korea", now)], now)
    assert two["b"].endswith("· korea")
    assert when(time.mktime((2024, 3, 5, 9, 0, 0, 0, 0, -1)), now) == "5 Mar 2024"


def test_chart_and_picker_labels_are_plain_words() -> None:
    assert category_words("charged_adjective") == "charged adjectives"
    assert category_words("scare_quote") == "scare quotes"
    assert category_words("new_kind") == "new kind"
    assert wrap_label("“N Korean Leader Calls for Boost in Missile…”", 20).split("\n") == [
        "“N Korean Leader", "Calls for Boost in", "Missile…”"]
    assert document_choice_label({"title": "Talks", "outlet": None, "date": "2023-08-14"}) == "Talks · 2023-08-14"
    assert "—" not in document_choice_label({"title": None, "outlet": None, "date": None, "sentence_count": 3})


def test_an_outcome_reason_does_not_repeat_its_input() -> None:
    from ui.rendering import outcome_reason

    url = "http://127.0.0.1:9/story"
    assert outcome_reason(url, f"{url}: could not reach the site (connection refused)") == (
        "could not reach the site (connection refused)")
    assert outcome_reason(url, "HTTP 404 Not Found") == "HTTP 404 Not Found"
    assert outcome_reason(url, None) == ""
