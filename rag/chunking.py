"""Retrieval chunks: windows of consecutive sentences that remember which sentences they hold."""

from __future__ import annotations

from collections.abc import Sequence

from rag.types import Chunk, Sentence


def chunk_sentences(sentences: Sequence[Sentence], size: int = 5, overlap: int = 1) -> list[Chunk]:
    """Windows of `size` sentences, consecutive windows sharing `overlap` sentences."""
    if size < 1 or not 0 <= overlap < size:
        raise ValueError("chunk size must be >= 1 and overlap in [0, size)")
    chunks: list[Chunk] = []
    step = size - overlap
    for first in range(0, max(len(sentences) - overlap, 1), step):
        window = sentences[first : first + size]
        if not window:
            break
        doc_id = window[0].doc_id
        chunks.append(
            Chunk(
                chunk_id=f"{doc_id}:c{first}",
                doc_id=doc_id,
                sentence_ids=tuple(s.sentence_id for s in window),
                text=" ".join(s.text for s in window),
            )
        )
    return chunks


def chunk_of(chunks: Sequence[Chunk], sentence_id: str) -> Chunk | None:
    """The first chunk that holds a sentence."""
    return next((c for c in chunks if sentence_id in c.sentence_ids), None)
