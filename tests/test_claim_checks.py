"""The verifier's hard checks fire on what a claim invents (a swapped name, an appended purpose or cause), not on
how a faithful claim is worded (an imperative first word, an acronym, a "to ..." complement)."""

from __future__ import annotations

import pytest

from rag.claim_checks import added_relations, claim_names, missing_names, negation_mismatch
from rag.linguistics import parse
from rag.terms import stem, tokens

pytestmark = pytest.mark.slow  # loads the spaCy pipeline


def names_missing(claim: str, source: str) -> list[str]:
    doc = parse([claim])[0]
    people = {t.text for t in doc if t.ent_type_ == "PERSON"}
    return missing_names(claim, claim_names(claim, doc), set(tokens(source)), source, people)


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


def test_a_defined_acronym_and_a_spaced_formula_are_found():
    # Real claims of the AttributionBench dev split that people labelled supported.
    court = "Online casebook: see Case, ICJ, Advisory Opinion on the legality of nuclear weapons."
    assert names_missing("The International Court of Justice (ICJ) has stated that nuclear weapons are "
                         "contrary to law.", court) == []
    assert names_missing("Titanium dioxide (TiO2) is a photocatalyst.", "titanium dioxide (TiO 2) is studied") == []
    # A name swapped before an acronym it does not spell, or inside a quotation, is still missing.
    cdc = "Citing data from the Centers for Disease Control and Prevention (CDC), NBC reported wasted shots."
    assert names_missing(cdc.replace("Centers", "Examiner"), cdc) == ["Examiner"]
    assert names_missing(cdc, cdc) == []
    assert names_missing('"We will not let Kamala Harris win," said Trump.', '"We will not let Joe Biden win," '
                         "said Trump.") == ["Kamala Harris"]


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
    # The "to ..." of a verb's object or of a noun says what it does, not why (real claims labelled supported).
    assert relations_added("Adrenaline and endorphins help to reduce the resting heart rate.",
                           "Adrenaline and endorphins lower the resting heart rate.") == []
    assert relations_added("Run-flat tires keep their ability to maintain control.",
                           "Run-flat tires keep control after a puncture.") == []
    # "while ..." says how the advice is followed, not an effect of it (a real claim people labelled supported).
    assert relations_added("Listen to her story with open-ended questions, while maintaining a calm demeanour.",
                           "Listen to her story and ask open-ended questions.") == []
    assert [k for k, _ in relations_added("Listen to her story, leading to protests.", "Listen to her story.")] \
        == ["effect"]


def test_an_elaborating_ing_clause_is_no_effect_but_a_stated_one_is():
    # "..., providing ..." elaborates (a real claim people labelled supported); "leading to", "causing" state
    # an effect of their own.
    source = "The HbA1c test does not require fasting and can be taken at any time of the day."
    claim = source[:-1] + ", providing a more accurate representation of long-term glucose control."
    assert relations_added(claim, source) == []
    for effect in ("leading to protests across the region", "causing delays for thousands of travellers"):
        assert [k for k, _ in relations_added(f"{source[:-1]}, {effect}.", source)] == ["effect"], effect


def test_negation_is_compared_with_the_cited_sentences():
    assert negation_mismatch("Kim has not called for more missiles.", ["Kim has called for more missiles."])
    assert negation_mismatch("Kim has called for more missiles.", ["Kim has called for more missiles."]) is None
    assert negation_mismatch("Kim has called for more missiles.", ["Kim has not called for more missiles."])
    # A paraphrase that moves the negation ("does not require" / "no ... is required") is not a flip.
    assert negation_mismatch("Becoming a lexicographer does not require a specific degree.",
                             ["No specific degree is required to become a lexicographer."]) is None


def test_a_titles_word_or_a_surname_alone_is_no_missing_name():
    # Real AttributionBench dev pairs people labelled attributable.
    assert names_missing("Milira sings the song 'I Want to Go Outside in the Rain.'",
                         '"Go Outside in the Rain" is a R&B song by Milira released in 1990.') == []
    assert names_missing("This is in contrast to the \"surface web\", which is accessible to anyone using the "
                         "Internet.", "the deep web is different from the surface web, where contents can be "
                         "accessed through search engines.") == []
    assert names_missing("Margot Robbie is the actress who plays Harley Quinn in several movies.",
                         "Robbie has arguably become the most recognizable Harley Quinn actress, largely because she "
                         "was the first to play her in a live-action movie.") == []
    # A surname the sources give another first name is still another person; a swapped name is still missing.
    assert names_missing("Jill Biden met Harley Quinn.", "Joe Biden met Harley Quinn. Biden left.") == ["Jill Biden"]
    assert names_missing("Pink sang the national anthem at the Super Bowl.",
                         "Lady Gaga sang the national anthem at the Super Bowl.") == ["Pink"]


def test_a_verbs_or_nouns_to_complement_is_no_added_purpose():
    # Real dev pairs labelled attributable: what is sought or designed for.
    assert relations_added("Moscow might seek to reinstate him.", "Moscow wants a puppet regime.") == []
    assert relations_added("They are designed to exist only in the space for which they were created.",
                           "installations are typically site-specific and often temporary.") == []


def test_words_that_negate_nothing_are_no_negation():
    # Real dev pairs labelled attributable: "not only important" affirms, "No. 20" is a number.
    assert negation_mismatch("Maintaining a healthy work-life balance is important for health, relationships, "
                             "and productivity.", ["Maintaining a healthy work-life balance is not only important "
                                                   "for health and relationships, but it can also improve your "
                                                   "employee's productivity."]) is None
    assert negation_mismatch("Cliff Richard sang the song 'Suddenly' with Olivia Newton John.",
                             ['Newton-John charted with "Magic" (No. 1 Pop, No. 1 AC), "Suddenly" with Cliff '
                              'Richard (No. 20 Pop, No. 4 AC).']) is None
    assert negation_mismatch("To clean an iPad screen, use a soft, slightly damp, lint-free cloth.",
                             ["The proper way to clean the iPad display is to use nothing but a soft damp "
                              "cloth:"]) is None
