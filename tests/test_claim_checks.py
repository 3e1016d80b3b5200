"""The verifier's hard checks fire on what a claim invents (a swapped name, an appended purpose or cause), not on
how a faithful claim is worded (an imperative first word, an acronym, a "to ..." complement)."""

from __future__ import annotations

import pytest

from rag.claim_checks import added_relations, claim_names, name_found, negation_mismatch
from rag.linguistics import parse
from rag.terms import stem, tokens

pytestmark = pytest.mark.slow  # loads the spaCy pipeline


def names_missing(claim: str, source: str) -> list[str]:
    doc = parse([claim])[0]
    return [n for n in claim_names(claim, doc) if not name_found(n, set(tokens(source)), source)]


def relations_added(claim: str, source: str) -> list[tuple[str, str]]:
    words = {stem(t) for t in tokens(source)}

    def missing(token) -> bool:
        return stem(token.lemma_.lower()) not in words and stem(token.lower_) not in words

    return [(a.kind, a.text) for a in added_relations(parse([claim])[0], missing)]


def test_a_capitalised_first_word_is_not_a_name():
    source = "Drinking water through the day keeps the body hydrated."
    assert names_missing("Make sure you drink water through the day.", source) == []
    assert names_missing("Routine hydration keeps the body working.", source) == []


def test_a_swapped_name_is_missing_and_an_acronym_of_the_source_is_not():
    source = "Senator Joe Manchin met President Joe Biden in the United States Capitol."
    assert names_missing("Senator Lisa Murkowski met President Joe Biden.", source) == ["Senator Lisa Murkowski"]
    assert names_missing("Joe Manchin met Joe Biden in the US Capitol.", source) == []
    assert names_missing("Joe Manchin met Joe Biden at the FBI.", source) == ["FBI"]


def test_an_appended_purpose_cause_effect_or_time_is_added():
    source = "The company said the contract was worth 480 million dollars over five years."
    for added, kind in (("to reassure nervous investors", "purpose"), ("because officials feared a backlash", "cause"),
                        ("due to pressure from donors", "cause"), ("last week", "time")):
        found = relations_added(f"{source[:-1]} {added}.", source)
        assert [k for k, _ in found] == [kind], (added, found)
    assert relations_added(source, source) == []


def test_a_to_complement_or_a_topic_word_is_not_an_added_relation():
    source = "Consulting a doctor is crucial; the risks of the injury differ, and symptoms mean an infection."
    assert relations_added("It is crucial to consult a doctor.", source) == []
    assert relations_added("The risks differ, meaning the injury may be an infection.", source) == []


def test_negation_is_compared_with_the_cited_sentences():
    assert negation_mismatch("Kim has not called for more missiles.", ["Kim has called for more missiles."])
    assert negation_mismatch("Kim has called for more missiles.", ["Kim has called for more missiles."]) is None
