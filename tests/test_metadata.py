"""Metadata header lines: the two shipped forms, Key: value lines, dates, and per-ingest overrides."""

from __future__ import annotations

from conftest import CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.loaders.text import load_text_file
from rag.metadata import merge_meta, normalise_date, split_header
from rag.types import DocumentMeta


def test_shipped_title_and_byline_form():
    path = next(p for p in sorted(CORPUS.glob("*.txt")) if "By Staff" in p.read_text())
    article = load_text_file(path, 10_000_000)
    assert article.meta.title == (
        "N Korean Leader Calls for Boost in Missile Production Amid Persisting Threats by US, S Korea"
    )
    assert article.meta.byline == "Staff, Agencies"
    assert article.text.startswith("North Korean leader Kim Jong-un has called")
    assert "By Staff" not in article.text and "Persisting Threats" not in article.text.split("\n")[0]


def test_shipped_leading_date_form():
    path = next(p for p in sorted(CORPUS.glob("*.txt")) if p.read_text().lstrip().startswith("date "))
    article = load_text_file(path, 10_000_000)
    assert article.meta.date == "2023-11-07"
    assert article.text.startswith("North Korean leader Kim Jong Un has emphasized")
    assert "2023-11-07" not in article.text[:40]


def test_key_value_lines():
    body, meta = split_header(
        "Title: Talks resume\nOutlet: Wire Times\nAuthor: A. Reporter\nPublished: 7 November 2023\n"
        "URL: https://example.com/talks\n\nNegotiators met again on Monday. Both sides were upbeat."
    )
    assert meta == DocumentMeta(
        outlet="Wire Times", title="Talks resume", byline="A. Reporter", date="2023-11-07",
        url="https://example.com/talks",
    )
    assert body == "Negotiators met again on Monday. Both sides were upbeat."


def test_prose_that_starts_like_a_header_is_left_alone():
    text = "Note: this is not metadata. The meeting ended early."
    body, meta = split_header(text)
    assert body == text and meta == DocumentMeta()
    text = "Officials met on Monday.\nBy evening the talks had failed."
    assert split_header(text) == (text, DocumentMeta())


def test_dates_normalise_to_iso_or_none():
    assert normalise_date("2024-03-05T10:00:00Z") == "2024-03-05"
    assert normalise_date("March 5, 2024") == "2024-03-05"
    assert normalise_date("not a date at all") is None


def test_overrides_win_and_blanks_do_not_erase():
    found = DocumentMeta(outlet="Header Outlet", title="Kept title", date="2020-01-01")
    merged = merge_meta(found, DocumentMeta(outlet="User Outlet", date="2024-02-02"))
    assert merged == DocumentMeta(outlet="User Outlet", title="Kept title", date="2024-02-02")
    assert merge_meta(found, DocumentMeta()) == found


# --- issue 9: metadata a real article carries ----------------------------------------------------

def test_byline_with_outlet_and_dateline_are_read_and_the_dateline_leaves_the_first_sentence(tmp_path):
    from rag.sentences import split_sentences

    path = tmp_path / "strike.txt"
    path.write_text("Port strike ends after two weeks\nBy Maria Jansen, Reuters\n"
                    "ROTTERDAM, March 14, 2024 - Dock workers returned to work on Thursday. Ships sailed again.\n")
    article = load_text_file(path, 10_000_000)
    assert (article.meta.outlet, article.meta.byline, article.meta.date) == ("Reuters", "Maria Jansen", "2024-03-14")
    first = split_sentences("d", article.text)[0]
    assert first.text == "Dock workers returned to work on Thursday."
    assert article.text[first.start : first.end] == first.text  # offsets index the stored body


def test_exported_title_and_source_headers_give_title_and_outlet():
    body, meta = split_header("Title: Senate passes the bill\nSource: Fox News\n\nWASHINGTON (AP) — The Senate voted.")
    assert (meta.title, meta.outlet) == ("Senate passes the bill", "Fox News")  # the header beats the dateline
    assert body == "The Senate voted."
    _, from_url = split_header("Title: X\nSource: https://www.foxnews.com/politics/x\n\nThe Senate voted.")
    assert from_url.outlet == "foxnews.com" and from_url.url == "https://www.foxnews.com/politics/x"


def test_a_byline_without_an_outlet_stays_a_byline():
    _, meta = split_header("Headline of the story\nBy Jo Lee, Staff Writer\nThe council met on Monday.")
    assert meta.byline == "Jo Lee, Staff Writer" and meta.outlet is None
    body, plain = split_header("US officials said on Monday - in a statement - that talks go on.")
    assert body.startswith("US officials") and plain.outlet is None


def test_html_meta_tags_give_outlet_and_date_and_the_url_site_is_the_fallback():
    from rag.loaders.html import html_to_article

    paragraph = "<p>The council approved the new budget on Monday after a long debate about schools.</p>" * 3
    page = ("<html><head><meta property='og:site_name' content='The Daily Planet'>"
            "<meta property='article:published_time' content='2024-03-05T10:00:00Z'><title>Budget</title></head>"
            f"<body><article>{paragraph}</article></body></html>")
    article = html_to_article(page, "p", url="https://www.dailyplanet.example/budget")
    assert (article.meta.outlet, article.meta.date) == ("The Daily Planet", "2024-03-05")
    bare = html_to_article(f"<html><body><article>{paragraph}</article></body></html>", "p",
                           url="https://www.dailyplanet.example/budget")
    assert bare.meta.outlet == "dailyplanet.example"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300) | st.lists(st.sampled_from(
    ["Title: ", "Source: ", "By ", "ROTTERDAM, ", "March 14, 2024", " - ", "(AP) ", "\n", "Reuters", "x", ", "]),
    max_size=30).map("".join))
def test_header_parser_never_raises_and_the_body_is_a_stretch_of_the_text(text):
    body, _ = split_header(text)
    assert body == body.strip() and (not body or body in text)


def test_a_hyphenated_opening_word_is_not_a_dateline() -> None:
    from rag.metadata import split_header

    body, meta = split_header("COVID-19 cases and hospitalizations in the United States are declining.")
    assert body.startswith("COVID-19 cases") and meta.date is None


def test_an_aggregators_medium_suffix_is_not_part_of_the_outlet_name() -> None:
    body, meta = split_header("Title: Census count\nSource: Fox News (Online News)\n\nThe count rose.")
    assert meta.outlet == "Fox News" and body == "The count rose."
    assert split_header("Source: New York Times (News)\n\nX.")[1].outlet == "New York Times"
    assert split_header("Source: One America News Network (OAN)\n\nX.")[1].outlet == "One America News Network (OAN)"


def test_a_title_case_place_before_a_long_dash_is_a_dateline_and_a_name_before_a_clause_is_not() -> None:
    body, _ = split_header("Title: Infrastructure\nSource: CBS News\n\nWashington — The Senate voted to approve a "
                           "roughly $1 trillion bill on Tuesday.")
    assert body.startswith("The Senate voted")
    body, _ = split_header("Title: Trump\nSource: CBS News\n\nTrump — who lost the election — said he would run.")
    assert body.startswith("Trump — who lost")
