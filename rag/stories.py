"""Story grouping: articles about the same event, by embedding similarity and date proximity.

A document is represented by the mean of its (normalised) sentence vectors over its opening sentences,
where news states what the story is. Documents whose vectors are close and whose dates (when both are
known) are within a few days of each other are linked; a story is a connected group (single linkage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from rag.embeddings import SentenceEmbeddings
from rag.types import Document

OPENING_SENTENCES = 12
SIMILARITY_THRESHOLD = 0.6
MAX_DAYS_APART = 4


@dataclass(frozen=True)
class Story:
    """Documents about one event, oldest-added first."""

    docs: tuple[Document, ...]

    @property
    def doc_ids(self) -> tuple[str, ...]:
        return tuple(d.doc_id for d in self.docs)

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d.label for d in self.docs))

    @property
    def title(self) -> str:
        """A headline for the story: the first title any of its documents carries, else its first sentence."""
        for doc in self.docs:
            if doc.meta.title:
                return doc.meta.title
        first = self.docs[0].sentences[0].text if self.docs and self.docs[0].sentences else "Briefing"
        return first if len(first) <= 90 else first[:87].rstrip() + "…"


def document_vectors(docs: Sequence[Document], embeddings: SentenceEmbeddings) -> np.ndarray:
    """One unit vector per document: the mean of its opening sentences' vectors."""
    texts: list[str] = []
    owners: list[int] = []
    for i, doc in enumerate(docs):
        opening = [s.text for s in doc.sentences[:OPENING_SENTENCES]] or [doc.text[:500]]
        if doc.meta.title:
            opening.insert(0, doc.meta.title)
        texts.extend(opening)
        owners.extend([i] * len(opening))
    vectors = embeddings.encode(texts)
    out = np.zeros((len(docs), vectors.shape[1] if len(vectors) else embeddings.dimension), dtype=np.float32)
    for row, owner in zip(vectors, owners, strict=True):
        out[owner] += row
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def _days_apart(a: str | None, b: str | None) -> int | None:
    try:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) if a and b else None
    except ValueError:
        return None


def group_stories(
    docs: Sequence[Document],
    vectors: np.ndarray | None = None,
    *,
    embeddings: SentenceEmbeddings | None = None,
    threshold: float = SIMILARITY_THRESHOLD,
    max_days: int = MAX_DAYS_APART,
) -> list[Story]:
    """Group documents into stories; largest story first (ties: the one whose first document came first)."""
    if not docs:
        return []
    if vectors is None:
        vectors = document_vectors(docs, embeddings or SentenceEmbeddings())
    parent = list(range(len(docs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    similarity = vectors @ vectors.T
    for i in range(len(docs)):
        for j in range(i + 1, len(docs)):
            apart = _days_apart(docs[i].meta.date, docs[j].meta.date)
            if similarity[i, j] >= threshold and (apart is None or apart <= max_days):
                parent[root(j)] = root(i)
    groups: dict[int, list[Document]] = {}
    for i, doc in enumerate(docs):
        groups.setdefault(root(i), []).append(doc)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [Story(tuple(members)) for _, members in ordered]
