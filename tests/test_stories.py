"""Story grouping: one event's articles together despite different headlines; other events and distant dates
apart; every event of a mixed collection whole."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import allsides_events, write_event

from rag.briefing import select_stories
from rag.ingest import ingest
from rag.sentences import split_sentences
from rag.store import Store
from rag.stories import average_linkage, group_stories
from rag.types import Document, DocumentMeta, content_id


def _doc(text: str, date: str | None = None, outlet: str = "X") -> Document:
    doc_id = content_id(text)
    meta = DocumentMeta(outlet=outlet, date=date)
    return Document(doc_id, text, meta, tuple(split_sentences(doc_id, text)))


def test_shipped_articles_form_one_story_and_an_unrelated_one_stays_apart(corpus_store: Store) -> None:
    listed = corpus_store.docs.list_documents("default")
    docs = [corpus_store.document("default", d["doc_id"]) for d in listed]
    football = _doc("Arsenal beat Chelsea 3-1 at the Emirates on Saturday. Bukayo Saka scored twice in the "
                    "second half as the home side moved top of the Premier League table.")
    vectors = corpus_store.embeddings.encode([" ".join(s.text for s in d.sentences[:3]) for d in
                                              (docs[0], football, docs[1])])
    stories = group_stories([docs[0], football, docs[1]], vectors)
    assert [set(s.doc_ids) for s in stories] == [{docs[0].doc_id, docs[1].doc_id}, {football.doc_id}]


def test_dates_far_apart_split_similar_documents() -> None:
    a, b, c = _doc("One two three.", "2024-01-01"), _doc("Four five six.", "2024-03-01"), \
        _doc("Seven eight nine.", "2024-01-03")
    vectors = np.ones((3, 4), dtype=np.float32) / 2.0  # identical unit vectors
    stories = group_stories([a, b, c], vectors)
    assert [s.doc_ids for s in stories] == [(a.doc_id, c.doc_id), (b.doc_id,)]


def test_average_linkage_does_not_chain_two_groups_through_one_broad_member() -> None:
    # 0-1 close, 2-3 close, 1-2 close but 0-3 far: single linkage would make one group.
    sim = np.array([[1, .9, .2, .0], [.9, 1, .6, .2], [.2, .6, 1, .9], [.0, .2, .9, 1]])
    assert sorted(map(sorted, average_linkage(sim, 0.5))) == [[0, 1], [2, 3]]


@pytest.mark.slow
def test_three_outlets_with_different_headlines_stay_together_and_events_apart(tmp_path, store: Store) -> None:
    # Two COVID events and a climate event: shared vocabulary, separate stories.
    events = allsides_events([6112, 6105, 6103])
    for e in events:
        write_event(e, tmp_path)
    ingest([str(tmp_path)], store=store)
    stories = select_stories(store, "default", None, None)
    titles = [{d.meta.title for d in s.docs} for s in stories]
    expected = [{item["newsTitle"] for item in e["news"].values()} for e in events]
    assert sorted(map(sorted, titles)) == sorted(map(sorted, expected))


def test_without_attachment_a_lone_article_stays_alone() -> None:
    import numpy as np

    from rag.stories import group_stories
    from rag.types import Document, DocumentMeta, Sentence

    texts = ["Biden pledged to halve emissions by 2030 at the climate summit.",
             "Biden set a target to cut greenhouse gas emissions in half by 2030.",
             "Biden will attend a summit in Brussels on his first trip abroad."]
    docs = [Document(str(i), t, DocumentMeta(outlet=f"O{i}", title=t), (Sentence(str(i), 0, t, 0, len(t)),))
            for i, t in enumerate(texts)]
    vectors = np.array([[1.0, 0.0], [0.99, 0.14], [0.45, 0.89]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert [len(s.docs) for s in group_stories(docs, vectors, attach=False)] == [2, 1]
    assert [len(s.docs) for s in group_stories(docs, vectors)] == [3]
