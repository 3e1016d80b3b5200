"""The refusal gate's reading of a question: what it asks for (real spaCy parse)."""

from __future__ import annotations

import pytest

from rag.refusal import Pins, asked_verb, focus_terms, names_in_question


def test_the_thing_asked_for() -> None:
    assert focus_terms("What is the population of Pyongyang?") == {"population"}


@pytest.mark.slow  # parses with the spaCy pipeline
@pytest.mark.parametrize(("question", "verb"), [
    ("Did Trump win the 2020 election?", {"win"}),  # an article on Trump and the election must say who won
    ("Did more people lose unemployment benefits?", {"lose"}),  # the lemma: meets "lose", "losing"
    ("How did John McAfee die?", set()),  # a wh-question: the articles may say "was found dead"
    ("Who killed the Haitian president?", set()),
    ("What happened to the Champlain Towers South building?", set()),  # a light verb asks nothing in itself
    ("What did Rose McGowan say about the Democratic Party?", set()),
])
def test_the_verb_a_short_question_hinges_on(question: str, verb: set[str]) -> None:
    assert asked_verb(question) == verb


def test_figures_and_weekdays_pin_a_question_to_one_event() -> None:
    asked = Pins.of("The number of Americans who filed jobless claims last week fell to 473,000?")
    assert asked.figures == {"473000"}
    assert not asked.met_by(Pins.of("Initial claims fell by 92,000 to 498,000 in the week ended May 1."))
    assert asked.met_by(Pins.of("Jobless claims fell to 473,000, a pandemic low."))
    # a later count may replace the others: one figure stated is enough ("nearly 200 killed" where articles say 170)
    assert Pins.of("killed nearly 200 people and wounded at least 140 more").met_by(Pins.of("The toll rose to 200."))
    assert Pins.of("The deal was signed in 2021 by 12 states").figures == frozenset()  # years and small counts


def test_a_weekday_must_be_within_a_day_of_one_the_articles_name() -> None:
    thursday = Pins.of("Israel's ground forces attacked the Gaza Strip on Thursday?")
    assert not thursday.met_by(Pins.of("The confrontation escalated Tuesday as Israel unleashed new airstrikes."))
    assert thursday.met_by(Pins.of("Troops crossed into Gaza late on Wednesday."))  # reported the day after
    assert thursday.met_by(Pins.of("Troops crossed into Gaza."))  # an article naming no day cannot contradict it
    assert Pins.of("Crews will return on Monday?").met_by(Pins.of("Crews said on Sunday they would return."))


def test_names_of_a_question_leave_out_the_letters_of_abbreviations() -> None:
    assert "u" not in names_in_question("The U.S. economy added jobs, the Bureau of Labor Statistics reported?")
