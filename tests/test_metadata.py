"""Metadata header lines: the two shipped forms, Key: value lines, dates, and per-ingest overrides."""

from __future__ import annotations

from conftest import CORPUS

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
