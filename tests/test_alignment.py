"""Fact alignment across outlets: agreement, single-source facts and conflicts."""

from __future__ import annotations

import numpy as np
import pytest

from rag.alignment import OutletSentence, align_facts, date_mentions, find_conflicts, quantities
from rag.sentences import split_sentences
from rag.store import Store
from rag.types import Document, DocumentMeta, Sentence, content_id

pytestmark = pytest.mark.slow  # aligns with the real encoder and spaCy pipeline


def _doc(text: str, outlet: str) -> Document:
    doc_id = content_id(text)
    return Document(doc_id, text, DocumentMeta(outlet=outlet), tuple(split_sentences(doc_id, text)))


def _vectors(store: Store, docs: list[Document]) -> np.ndarray:
    return store.embeddings.encode([s.text for d in docs for s in d.sentences])


def _side(text: str, outlet: str) -> OutletSentence:
    return OutletSentence(Sentence("d" + outlet, 0, text, 0, len(text)), outlet)


def test_shipped_corpus_has_many_aligned_pairs(corpus_store: Store) -> None:
    listed = corpus_store.docs.list_documents("default")
    docs = [corpus_store.document("default", d["doc_id"]) for d in listed]
    groups = align_facts(docs, _vectors(corpus_store, docs))
    agree = [g for g in groups if g.kind == "agree"]
    assert len(agree) >= 6
    assert all(len(g.outlets) == 2 for g in agree)
    # The drills announcement (Ulchi Freedom Guardian, Aug 21-31) is stated by both outlets.
    ulchi = [g for g in agree if all("Ulchi" in m.sentence.text for m in g.members)]
    assert ulchi and ulchi[0].conflicts and ulchi[0].conflicts[0].kind == "framing"
    # The typhoon visit is only in the second article.
    singles = [g.members[0].sentence.text for g in groups if g.kind == "single"]
    assert any("typhoon" in s for s in singles)
    every = [(m.sentence.doc_id, m.sentence.index) for g in groups for m in g.members]
    assert len(every) == len(set(every)) == sum(len(d.sentences) for d in docs)


def test_conflicting_numbers_and_dates_make_a_difference(store: Store) -> None:
    a = _doc("The drills will involve 30 field training programs and run from Aug. 21 to Aug. 31. "
             "The weather in Seoul was mild.", "Outlet A")
    b = _doc("The exercises will involve 40 field training programs and run from August 14 to August 24. "
             "Officials did not comment on the budget.", "Outlet B")
    groups = align_facts([a, b], _vectors(store, [a, b]))
    differ = [g for g in groups if g.kind == "differ"]
    assert len(differ) == 1
    kinds = {c.kind for c in differ[0].conflicts}
    assert {"number", "date"} <= kinds


def test_find_conflicts_by_hand() -> None:
    same = find_conflicts(_side("About 30 field programs run Aug. 21-31.", "A"),
                          _side("Some 30 field programs run from August 21 to August 31.", "B"))
    assert same == []
    assert date_mentions("from Aug. 21-31") == {(8, 21), (8, 31)}
    framing = find_conflicts(_side("Seoul claimed the war games were defensive.", "A"),
                             _side("Seoul said the exercises were defensive.", "B"))
    assert [c.kind for c in framing] == ["framing"]


def test_names_for_the_same_role_conflict() -> None:
    same = find_conflicts(_side("Spokesman Col. Lee Sung-jun said the drills were defensive.", "A"),
                          _side("The drills are defensive, said spokesman Lee Sung-jun.", "B"))
    assert same == []
    differ = find_conflicts(_side("Spokesman Lee Sung-jun said the drills were defensive.", "A"),
                            _side("The drills are defensive, said spokesman Kim Min-seok.", "B"))
    assert [c.kind for c in differ] == ["name"] and "lee" in differ[0].detail and "kim" in differ[0].detail


def test_vote_tallies_that_differ_are_a_number_conflict() -> None:
    kinds = [c.kind for c in find_conflicts(_side("It ultimately passed 94-1 with one senator voting no.", "A"),
                                            _side("The Senate passed the bill 92-6 on Thursday.", "B"))]
    assert "number" in kinds
    assert [c.kind for c in find_conflicts(_side("Drills run Aug. 21-31.", "A"),
                                           _side("Drills run Aug. 21-31 in the south.", "B"))] == []


def test_figures_are_compared_by_what_they_count_and_the_verb_they_belong_to() -> None:
    differ = find_conflicts(_side("That means some 9 million people will lose all benefits this week.", "A"),
                            _side("Roughly 11.2 million Americans will lose federal unemployment benefits.", "B"))
    assert [c.kind for c in differ] == ["number"]
    # a national count and a city's count of a different event; two figures of which one is shared
    assert not find_conflicts(_side("At least 150 people were killed in shootings over the weekend.", "A"),
                              _side("In New York City, at least 26 people were shot from Friday through Sunday.", "B"))
    assert not find_conflicts(
        _side("Organizers collected 1,626,042 signatures, more than the roughly 1.5 million required.", "A"),
        _side("Officials said 1,626,042 valid signatures were collected, above the 1,495,709 signatures needed.", "B"))
    assert not find_conflicts(_side("The census found the population topped 331 million people.", "A"),
                              _side("The census found the population was 331.5 million people.", "B"))
    assert quantities("About 74% of 469 COVID-19 cases were among vaccinated people.").keys() == {"%", "case"}


def test_a_count_whose_verb_only_one_sentence_gives_is_still_compared() -> None:
    differ = find_conflicts(
        _side("About 74% of 469 COVID-19 cases associated with large gatherings were among vaccinated people.", "A"),
        _side("Gatherings in Provincetown contributed to at least 900 cases, and roughly 75% were vaccinated.", "B"))
    assert any(c.kind == "number" and "469" in c.detail and "900" in c.detail for c in differ)


def test_two_tallies_of_one_bodys_vote_are_compared_however_worded() -> None:
    """Event 6032: "The Senate ... on a 94-1 vote" and "It passed the Senate 92-6" (cosine 0.44) are compared;
    a House tally beside a Senate one is not."""
    import numpy as np

    from rag.alignment import OutletSentence, figure_pairs, score_conflicts
    from rag.settings import BriefingSettings
    from rag.types import Sentence

    def item(outlet: str, text: str) -> OutletSentence:
        return OutletSentence(Sentence(outlet, 0, text, 0, len(text)), outlet)

    hill = item("The Hill", "The Senate last month approved the COVID-19 Hate Crimes Act on a 94-1 vote.")
    caller = item("The Daily Caller", "It passed the Senate 92-6 in April, and now heads to President Biden's desk.")
    house = item("Fox News", "The bill passed the House 364-62 on Tuesday.")
    cosine = np.full((3, 3), 0.44)
    assert figure_pairs([hill, caller, house], cosine, BriefingSettings()) == [(0, 1)]
    assert [c.detail for c in score_conflicts(hill, caller)] == ["vote 94-1 vs 92-6"]
