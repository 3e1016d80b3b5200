"""Hybrid sentence retrieval: BM25 + dense fused by rank, outlet quota, neighbours, cache invalidation."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.ingest import ingest
from rag.retrieval import (
    lexical_search,
    outlet_quota,
    reciprocal_rank_fusion,
    retrieve,
    search_sentences,
)
from rag.settings import RetrievalSettings
from rag.store import Store
from rag.types import Sentence, SentenceHit


def write_article(folder: Path, name: str, outlet: str, title: str, body: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(f"Title: {title}\nSource: {outlet}\n\n{body}\n", encoding="utf-8")
    return str(path)


def hit(doc: str, index: int, outlet: str) -> SentenceHit:
    return SentenceHit(Sentence(doc, index, f"s{index}", 0, 2), 0.5, outlet)


def test_rrf_rewards_items_ranked_well_by_both():
    fused = reciprocal_rank_fusion([[("a", 0), ("b", 0), ("c", 0)], [("c", 0), ("b", 0), ("d", 0)]], k=60)
    assert fused[0] == ("b", 0) or fused[0] == ("c", 0)
    assert set(fused) == {("a", 0), ("b", 0), ("c", 0), ("d", 0)}
    assert fused.index(("b", 0)) < fused.index(("a", 0)) and fused.index(("c", 0)) < fused.index(("d", 0))


def test_outlet_quota_keeps_a_prolific_outlet_from_crowding_others():
    ranked = [hit("big", i, "Big") for i in range(6)] + [hit("small", 0, "Small"), hit("other", 0, "Other")]
    chosen = outlet_quota(ranked, k=5, per_outlet=3)
    assert [h.outlet for h in chosen].count("Big") == 3
    assert {"Small", "Other"} <= {h.outlet for h in chosen}
    # When nobody else has anything, the quota does not leave slots empty.
    assert len(outlet_quota(ranked[:6], k=5, per_outlet=2)) == 5


def test_hybrid_retrieval_on_the_shipped_corpus_gives_cosines_and_both_documents(corpus_store: Store):
    hits = retrieve(corpus_store, "default", "What did Kim Jong Un call for?", RetrievalSettings(top_k=6))
    assert len(hits) == 6
    assert all(-1.0 <= h.score <= 1.0 for h in hits)
    assert len({h.sentence.doc_id for h in hits}) == 2
    assert "called for" in hits[0].sentence.text


def test_bm25_finds_a_rare_exact_term_dense_ranks_low(corpus_store: Store):
    found = lexical_search(corpus_store, "default", "Khanun", 5)
    assert found and "Khanun" in corpus_store.docs.get_sentences("default", [found[0][:2]])[found[0][:2]].text
    hits = retrieve(corpus_store, "default", "Khanun", RetrievalSettings(top_k=3))
    assert "Khanun" in hits[0].sentence.text


def test_search_sentences_stays_dense_and_best_first(corpus_store: Store):
    hits = search_sentences(corpus_store, "default", "Camp David summit", 4)
    assert len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_lexical_search_sees_each_ingest_at_once(store: Store, tmp_path: Path):
    assert len(retrieve(store, "news", "anything")) == 0
    ingest([write_article(tmp_path / "a", "a", "Outlet A", "Budget", "The city budget grew by 4 percent.")],
           collection="news", store=store)
    assert len(lexical_search(store, "news", "budget okapi", 3)) == 1
    ingest([write_article(tmp_path / "b", "b", "Outlet B", "Zoo", "The zoo welcomed a new okapi on Sunday.")],
           collection="news", store=store)
    assert len(lexical_search(store, "news", "budget okapi", 3)) == 2  # the store's index is updated on write


@pytest.mark.parametrize("diversity", [True, False])
def test_diversity_switch(corpus_store: Store, diversity: bool):
    cfg = RetrievalSettings(top_k=4, per_outlet_max=2)
    question = "Kim called for war preparations and weapons production"
    hits = retrieve(corpus_store, "default", question, cfg, diversity=diversity)
    most_from_one = max([h.outlet for h in hits].count(o) for o in {h.outlet for h in hits})
    assert (most_from_one == 2) if diversity else (most_from_one > 2)
