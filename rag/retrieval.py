"""Sentence retrieval: BM25 + dense (Chroma) fused by reciprocal rank, with a per-outlet quota.

Each hit carries its dense cosine to the question (also for sentences only BM25 found), so callers can apply
relevance thresholds; hits are ordered by fused rank.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from rag.settings import RetrievalSettings, Settings, get_settings
from rag.store import Store
from rag.terms import STOPWORDS, stem, tokens
from rag.types import Sentence, SentenceHit, display_label
from rag.vector_cache import encode_cached, remember


@dataclass
class _LexicalIndex:
    version: tuple[int, float]
    sentences: list[Sentence]
    bm25: bm25s.BM25 | None


_lexical_cache: dict[tuple[str, str], _LexicalIndex] = {}
_lexical_lock = threading.Lock()


def lexical_tokens(text: str) -> list[str]:
    """BM25 tokens: stemmed words without stopwords."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS]


def lexical_index(store: Store, collection: str) -> _LexicalIndex:
    """The BM25 index over all sentences of complete documents, rebuilt when the collection changes."""
    key = (str(store.docs.path), collection)
    version = store.docs.version(collection)
    with _lexical_lock:
        cached = _lexical_cache.get(key)
        if cached is not None and cached.version == version:
            return cached
        sentences = store.docs.all_sentences(collection)
        bm25 = None
        if sentences:
            bm25 = bm25s.BM25()
            bm25.index([lexical_tokens(s.text) or ["_"] for s in sentences], show_progress=False)
        index = _LexicalIndex(version, sentences, bm25)
        _lexical_cache[key] = index
        return index


def lexical_search(store: Store, collection: str, query: str, k: int) -> list[tuple[str, int, float]]:
    """(doc_id, index, BM25 score) of the k best lexical matches with a positive score."""
    index = lexical_index(store, collection)
    query_tokens = lexical_tokens(query)
    if index.bm25 is None or not query_tokens:
        return []
    k = min(k, len(index.sentences))
    ids, scores = index.bm25.retrieve([query_tokens], k=k, show_progress=False, n_threads=0)
    return [
        (index.sentences[i].doc_id, index.sentences[i].index, float(s))
        for i, s in zip(ids[0], scores[0], strict=True) if s > 0
    ]


Ref = tuple[str, int]


def _hits(store: Store, collection: str, refs: Sequence[Ref], cosines: dict[Ref, float]) -> list[SentenceHit]:
    sentences = store.docs.get_sentences(collection, list(refs))
    metas = store.docs.metas(collection, [d for d, _ in refs])
    hits = []
    for ref in refs:
        sentence = sentences.get(ref)
        if sentence is None:  # vector of a document not (yet) complete
            continue
        meta = metas[ref[0]]
        hits.append(SentenceHit(sentence, cosines.get(ref, 0.0), display_label(meta, ref[0]), meta))
    return hits


def search_sentences(store: Store, collection: str, query: str, k: int = 10) -> list[SentenceHit]:
    """The k sentences closest to the query by dense similarity, best first."""
    vector = store.embeddings.encode([query])[0]
    found = store.vectors.query(collection, vector, k)
    return _hits(store, collection, [(d, i) for d, i, _ in found], {(d, i): s for d, i, s in found})


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Ref]], k: int = 60) -> list[Ref]:
    """Items of several best-first rankings, ordered by the sum of 1 / (k + rank)."""
    scores: dict[tuple[str, int], float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda item: -scores[item])


def outlet_quota(hits: Sequence[SentenceHit], k: int, per_outlet: int) -> list[SentenceHit]:
    """The first k hits taking at most `per_outlet` from one outlet, topped up in order if too few remain."""
    chosen: list[SentenceHit] = []
    counts: dict[str, int] = {}
    for hit in hits:
        if len(chosen) == k:
            break
        if counts.get(hit.outlet, 0) < per_outlet:
            chosen.append(hit)
            counts[hit.outlet] = counts.get(hit.outlet, 0) + 1
    for hit in hits:
        if len(chosen) == k:
            break
        if hit not in chosen:
            chosen.append(hit)
    return chosen


def _stored_vectors(store: Store, collection: str, refs: Sequence[Ref]) -> dict[Ref, np.ndarray]:
    """Sentence vectors as stored in Chroma (also remembered in the vector cache by sentence text)."""
    if not refs:
        return {}
    got = store.vectors.collection(collection).get(
        ids=[f"{d}:{i}" for d, i in refs], include=["embeddings", "metadatas", "documents"]
    )
    remember(store.embeddings.model_name, got["documents"], got["embeddings"])
    return {
        (str(meta["doc_id"]), int(meta["sentence_index"])): np.asarray(emb)  # type: ignore[arg-type]
        for meta, emb in zip(got["metadatas"], got["embeddings"], strict=True)
    }


def retrieve(
    store: Store,
    collection: str,
    question: str,
    settings: Settings | RetrievalSettings | None = None,
    *,
    k: int | None = None,
    lexical: bool = True,
    diversity: bool = True,
) -> list[SentenceHit]:
    """The best k sentences for a question: hybrid, fused, outlet-diverse; `score` is the dense cosine."""
    cfg = settings if isinstance(settings, RetrievalSettings) else get_settings(settings).retrieval
    k = k or cfg.top_k
    vector = encode_cached(store.embeddings, [question])[0]
    dense = store.vectors.query(collection, vector, cfg.candidates)
    cosines = {(d, i): s for d, i, s in dense}
    rankings = [[(d, i) for d, i, _ in dense]]
    if lexical:
        found = lexical_search(store, collection, question, cfg.candidates)
        rankings.append([(d, i) for d, i, _ in found])
    fused = reciprocal_rank_fusion(rankings, cfg.rrf_k)
    lexical_only = [ref for ref in fused if ref not in cosines]
    stored = _stored_vectors(store, collection, lexical_only)
    cosines.update({ref: float(v @ vector) for ref, v in stored.items()})
    hits = _hits(store, collection, fused, cosines)
    chosen = outlet_quota(hits, k, cfg.per_outlet_max) if diversity else hits[:k]
    _stored_vectors(store, collection, [(h.sentence.doc_id, h.sentence.index) for h in chosen])
    return chosen


def neighbours(store: Store, collection: str, hit: SentenceHit, window: int = 1) -> list[Sentence]:
    """The hit's sentence with up to `window` sentences either side, in document order."""
    return store.docs.neighbours(collection, hit.sentence.doc_id, hit.sentence.index, window)

