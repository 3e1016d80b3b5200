"""The refusal gate's reading of a question: what it asks for (real spaCy parse)."""

from __future__ import annotations

import pytest

from rag.refusal import asked_verb, focus_terms

pytestmark = pytest.mark.slow  # parses with the spaCy pipeline


def test_the_thing_asked_for() -> None:
    assert focus_terms("What is the population of Pyongyang?") == {"population"}


@pytest.mark.parametrize(("question", "verb"), [
    ("Did Trump win the 2020 election?", {"win"}),  # an article on Trump and the election must say who won
    ("How many people lost unemployment benefits?", {"lose"}),  # the lemma: meets "lose", "losing"
    ("What happened to the Champlain Towers South building?", set()),  # a light verb asks nothing in itself
    ("What did Rose McGowan say about the Democratic Party?", set()),
])
def test_the_verb_a_short_question_hinges_on(question: str, verb: set[str]) -> None:
    assert asked_verb(question) == verb
