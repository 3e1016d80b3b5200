"""Word-level rules shared by retrieval, the refusal gate and alignment (model-free)."""

from __future__ import annotations

import pytest

from rag.terms import figures_agree, figures_in, number_mentions, stem, term_matches


@pytest.mark.parametrize(("a", "b"), [("pass", "passed"), ("vote", "voted"), ("combatting", "combat"),
                                      ("based", "base"), ("sides", "side"), ("handling", "handle"),
                                      ("production", "producing")])
def test_forms_of_one_word_match(a: str, b: str) -> None:
    assert term_matches({stem(a)}, {stem(b)}) == {stem(a)}


@pytest.mark.parametrize(("a", "b"), [("see", "seen"), ("vote", "veto"), ("bill", "ball")])
def test_different_words_do_not(a: str, b: str) -> None:
    assert not term_matches({stem(a)}, {stem(b)})


def test_number_mentions_read_scales_and_words() -> None:
    assert dict(number_mentions("7.5 million people, $4.5bn and two ships")) == {
        "7.5 million": 7.5e6, "$4.5bn": 4.5e9, "two": 2.0}


def test_a_question_is_about_its_content_words_not_its_light_verbs() -> None:
    from rag.terms import question_terms, stem

    # the shipped corpus says "mobilizing tens of thousands of troops", never "took part": the question was refused
    assert question_terms("How many troops took part in the drills?") == {stem("troops"), stem("drills")}
    assert question_terms("When did the summit take place?") == {stem("summit")}


def test_a_year_is_four_bare_digits_and_no_figure() -> None:
    # event 5884: "rose by 2,000 last week to 373,000" gives two figures, "2,000" no year
    assert figures_in("Initial unemployment claims rose by 2,000 last week to 373,000.") == {2000.0, 373000.0}
    assert figures_in("The bill passed in 2021 after the 2020 election.") == set()
    assert figures_in("About 1,950 troops and $2000 in cash.") == {1950.0, 2000.0}
    # a number that is part of a name is no figure; a tally keeps both its numbers
    assert figures_in("Over 8% of people missed a second dose of the COVID-19 vaccines.") == {8.0}
    assert figures_in("The bill passed on a 252-to-175 vote.") == {252.0, 175.0}


def test_a_shared_small_figure_alone_does_not_make_two_counts_one_fact() -> None:
    # event 6054: "At least 28 Palestinians, including nine children" was co-cited with "Of the 26 people who died,
    # 16 of them were militants and at least nine were children"
    assert not figures_agree({28.0, 9.0}, {26.0, 16.0, 9.0})
    assert figures_agree({8.0}, {5_000_000.0, 8.0})  # "over 8%" / "five million people, or nearly 8 percent"
    assert figures_agree({498_000.0, 590_000.0}, {92_000.0, 498_000.0})  # a large figure shared
    assert not figures_agree({6.1, 6.0}, {6.0, 5.8})  # a forecast beside the rate
    assert figures_agree(set(), {3.0})
