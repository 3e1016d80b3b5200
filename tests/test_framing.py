"""Loaded-language detection: terms, inflections, offsets, quotes, scare quotes and outlet profiles."""

from __future__ import annotations

import pytest

from rag.framing import (
    detect_loaded_terms,
    emotive_weight,
    framing_profile,
    inflect,
    load_terms,
    quote_spans,
    unquoted_loaded_terms,
)
from rag.store import Store


def _terms(text: str) -> dict[str, str]:
    return {t.lemma: text[t.start : t.end] for t in detect_loaded_terms(text)}


@pytest.mark.slow  # a verb of saying is read in its parse (an act or a judgement)
def test_multi_word_terms_and_inflections_with_offsets() -> None:
    text = "The allies began their war games after Seoul claimed the drills were defensive."
    found = _terms(text)
    assert found["war game"] == "war games"
    assert found["claim"] == "claimed"
    claimed = next(t for t in detect_loaded_terms(text) if t.lemma == "claim")
    assert claimed.neutral == "said" and claimed.category == "report_verb"


@pytest.mark.slow  # a verb of saying is read in its parse (an act or a judgement)
def test_terms_inside_quotes_are_marked_quoted() -> None:
    text = '"The enemy would be annihilated," Kim declared.'
    terms = {t.lemma: t for t in detect_loaded_terms(text)}
    assert terms["annihilate"].quoted and terms["enemy"].quoted
    assert not terms["declare"].quoted
    assert [t.lemma for t in unquoted_loaded_terms(text)] == ["declare"]


def test_scare_quotes_and_plain_text() -> None:
    text = "Kim visited “typhoon-hit areas” on Sunday, state media reported."
    scare = [t for t in detect_loaded_terms(text) if t.category == "scare_quote"]
    assert [text[t.start : t.end] for t in scare] == ["“typhoon-hit areas”"]
    assert detect_loaded_terms("The ministers met in Tokyo on Tuesday.") == []


def test_a_quoted_title_or_a_speakers_quoted_words_are_no_scare_quotes() -> None:
    for text in ("She made the announcement exclusively on ‘CBS This Morning’ following weeks of controversy.",
                 "“Tucker Carlson Tonight” host said Monday that the agency is watching him.",
                 "The NSA denied he was a ‘target’, saying it deals with foreign threats.",
                 "A Beijing official hit back at the bill, saying it ‘exaggerated the threat’ from China.",
                 "Austin said in a memorandum made public Aug. 25 that the secretaries of all military departments "
                 "must “immediately begin full vaccination” of all service members."):
        assert not [t for t in detect_loaded_terms(text) if t.category == "scare_quote"], text
    text = "The drills were needed in light of North Korea's “provocations”, the ministry said."
    assert [t.term for t in detect_loaded_terms(text) if t.category == "scare_quote"] == ["“provocations”"]


def test_unclosed_quote_runs_to_the_end() -> None:
    assert quote_spans('He said "this is a') == [(8, 18)]


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_a_reporting_verbs_noun_form_is_not_a_loaded_verb() -> None:
    assert not [t for t in detect_loaded_terms("His claims were rejected.") if t.lemma == "claim"]
    assert not detect_loaded_terms("Initial jobless claims fell to 498,000 last week.")
    # Bloomberg, event 5771: the tagger reads "claims" as a verb, yet it is the subject
    assert not detect_loaded_terms("Initial unemployment claims in regular state programs dropped 29,000 to 348,000 "
                                   "in the week ended Aug. 14, a pandemic low, Labor Department data showed Thursday.")
    assert [t.term for t in detect_loaded_terms("The senator claims the bill is a disaster.")] == ["claims"]


@pytest.mark.slow  # loads the spaCy pipeline
def test_a_verb_of_saying_with_an_object_and_no_clause_is_an_act_not_a_judgement() -> None:
    # event 5889: all three outlets were listed as using the loaded reporting verb "declared"
    assert not detect_loaded_terms("On Tuesday, Gov. Andrew M. Cuomo declared a new state of emergency around gun "
                                   "violence.")
    assert not detect_loaded_terms("The Senate confirmed the nominee on Tuesday.")
    assert not detect_loaded_terms("Confirmed cases rose by 12% in the past week.")  # event 5868: an adjective
    assert [t.term for t in detect_loaded_terms("Cuomo declared that gun violence is a disaster.")] == ["declared"]
    assert [t.term for t in detect_loaded_terms('"We will win," she insisted.')] == ["insisted"]


def test_inflect() -> None:
    assert inflect("military exercise", "s") == "military exercises"
    assert inflect("say", "past") == "said"
    assert inflect("government", "base") == "government"


def test_table_is_well_formed() -> None:
    entries = load_terms()
    assert len({e.term for e in entries}) == len(entries)
    assert all(1 <= e.intensity <= 3 for e in entries)


def test_shipped_corpus_terms_and_profile(corpus_store: Store) -> None:
    listed = corpus_store.docs.list_documents("default")
    docs = [corpus_store.document("default", d["doc_id"]) for d in listed]
    found = {t.term.lower() for d in docs for s in d.sentences for t in detect_loaded_terms(s.text)}
    for term in ("war games", "provocations", "annihilated", "claimed", "annihilating"):
        assert term in found
    for doc in docs:
        for s in doc.sentences:
            for t in detect_loaded_terms(s.text):
                assert s.text[t.start : t.end] == t.term
    profiles = {p.outlet: p for p in (framing_profile(d) for d in docs)}
    loaded = max(profiles.values(), key=lambda p: p.loaded)
    war_games = next(u for u in loaded.terms if u.lemma == "war game")
    assert war_games.count >= 4 and loaded.by_category["label"] >= 5
    assert loaded.per_100_words > 0 and loaded.as_json()["terms"][0]["count"] >= 1


def test_emotive_weight_prefers_calm_wording() -> None:
    calm = "The ministers met in Tokyo on Tuesday to discuss trade."
    charged = "The furious ministers clashed in a disastrous, hateful meeting."
    assert emotive_weight(calm) < emotive_weight(charged)
    assert emotive_weight("") == 0.0


def test_research_lexicon_is_optional(corpus_store: Store) -> None:
    from pathlib import Path

    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "lexicons"
    doc = corpus_store.document("default", corpus_store.docs.list_documents("default")[0]["doc_id"])
    assert framing_profile(doc).mean_arousal is None
    if shared.exists():
        arousal = framing_profile(doc, shared).mean_arousal
        assert arousal is not None and 0.3 < arousal < 0.8


def test_an_evaluation_in_a_reports_words_is_loaded() -> None:
    # Event 5731: "Job creation for August was a huge disappointment, the Labor Department reported" was a title
    found = {t.lemma for t in detect_loaded_terms("Job creation for August was a huge disappointment, the Labor "
                                                  "Department reported Friday.")}
    assert {"huge", "disappointment"} <= found


def test_charged_words_of_a_testimony_story_are_loaded() -> None:
    # event 5699: this sentence was a key fact, stated as what two outlets say
    found = {t.lemma for t in detect_loaded_terms(
        "Gymnasts Simone Biles, Maggie Nichols, Aly Raisman, and McKayla Maroney shocked Congress on Wednesday, "
        "revealing details of the sexual abuse they suffered and blistering the FBI.")}
    assert {"shocked", "blister"} <= found
    assert "scathing" in {t.lemma for t in detect_loaded_terms("The inspector general issued a scathing report.")}


def test_a_paraphrase_carries_no_quotation() -> None:
    from rag.framing import carries_quotes

    quoted = ("“The qualitative level of war preparations depends on the development of the munitions industry,” "
              "Kim added.")
    assert not carries_quotes(quoted, "The leader underscored the importance of qualitative advancements in war "
                                      "preparations.")
    assert carries_quotes(quoted, '"The qualitative level of war preparations depends on the development of the '
                                  'munitions industry," Kim said on Friday.')
    assert carries_quotes("Kim visited three factories.", "Kim toured the factories.")  # nothing quoted
