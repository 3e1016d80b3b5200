"""The refusal gate's reading of a question: what it asks for (real spaCy parse)."""

from __future__ import annotations

import pytest

from rag.refusal import focus_terms

pytestmark = pytest.mark.slow  # parses with the spaCy pipeline


@pytest.mark.parametrize(("question", "focus"), [
    ("Did Trump win the 2020 election?", {"win"}),  # an article on Trump and the election must say who won
    ("What is the population of Pyongyang?", {"population"}),
    ("What happened to the Champlain Towers South building?", set()),  # a light verb asks nothing in itself
    ("What did Rose McGowan say about the Democratic Party?", set()),
])
def test_what_a_question_hinges_on(question: str, focus: set[str]) -> None:
    assert focus_terms(question) == focus
