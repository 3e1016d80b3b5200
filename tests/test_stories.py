"""Story grouping: same event together (embeddings), other events and distant dates apart."""

from __future__ import annotations

import numpy as np

from rag.sentences import split_sentences
from rag.store import Store
from rag.stories import group_stories
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
    stories = group_stories([docs[0], football, docs[1]], embeddings=corpus_store.embeddings)
    assert [set(s.doc_ids) for s in stories] == [{docs[0].doc_id, docs[1].doc_id}, {football.doc_id}]
    assert stories[0].title.startswith("N Korean Leader")


def test_dates_far_apart_split_similar_documents() -> None:
    a, b, c = _doc("One.", "2024-01-01"), _doc("Two.", "2024-03-01"), _doc("Three.", "2024-01-03")
    vectors = np.ones((3, 4), dtype=np.float32) / 2.0  # identical unit vectors
    stories = group_stories([a, b, c], vectors)
    assert [s.doc_ids for s in stories] == [(a.doc_id, c.doc_id), (b.doc_id,)]
    assert group_stories([a, b, c], vectors, max_days=100)[0].doc_ids == (a.doc_id, b.doc_id, c.doc_id)
