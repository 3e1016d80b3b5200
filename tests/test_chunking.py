"""Chunks are windows of consecutive sentences that know which sentences they hold."""

from __future__ import annotations

import pytest

from rag.chunking import chunk_of, chunk_sentences
from rag.sentences import split_sentences

TEXT = " ".join(f"Sentence number {i} is here." for i in range(12))


def test_windows_overlap_and_cover_every_sentence():
    sentences = split_sentences("d", TEXT)
    chunks = chunk_sentences(sentences, size=5, overlap=1)
    assert [c.sentence_ids for c in chunks][:2] == [
        tuple(f"d:{i}" for i in range(0, 5)), tuple(f"d:{i}" for i in range(4, 9)),
    ]
    covered = {sid for c in chunks for sid in c.sentence_ids}
    assert covered == {s.sentence_id for s in sentences}
    assert chunks[-1].sentence_ids[-1] == "d:11"
    by_id = {s.sentence_id: s.text for s in sentences}
    assert all(c.text == " ".join(by_id[sid] for sid in c.sentence_ids) for c in chunks)


def test_short_documents_make_one_chunk_and_ids_are_unique():
    sentences = split_sentences("d", "Only one. And two.")
    chunks = chunk_sentences(sentences, size=5, overlap=1)
    assert len(chunks) == 1 and chunks[0].sentence_ids == ("d:0", "d:1")
    many = chunk_sentences(split_sentences("d", TEXT), size=3, overlap=2)
    assert len({c.chunk_id for c in many}) == len(many)


def test_chunk_of_finds_the_window_of_a_sentence():
    chunks = chunk_sentences(split_sentences("d", TEXT), size=4, overlap=0)
    assert chunk_of(chunks, "d:6") is chunks[1]
    assert chunk_of(chunks, "other:0") is None


@pytest.mark.parametrize(("size", "overlap"), [(0, 0), (3, 3), (3, -1)])
def test_invalid_windows_are_refused(size, overlap):
    with pytest.raises(ValueError):
        chunk_sentences(split_sentences("d", TEXT), size=size, overlap=overlap)
