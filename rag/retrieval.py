"""Sentence retrieval: BM25 (the store's index) + dense (Chroma) fused by reciprocal rank, with a per-outlet quota.

`retrieve` returns an `Evidence` value: the hits in fused order, each with its dense cosine to the question
(also for sentences only BM25 found), and the vectors the store holds for them, so nothing downstream
re-encodes a stored sentence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from rag.docstore import lexical_tokens  # noqa: F401  (re-exported: the index's terms)
from rag.settings import RetrievalSettings, Settings, get_settings
from rag.store import Store
from rag.types import Document, Evidence, Sentence, SentenceHit, display_label


def term_weights(store: Store, collection: str, terms: Sequence[str]) -> dict[str, float]:
    """Inverse sentence frequency of stemmed terms in the collection: rare words say what a question is about."""
    index_terms = {t: t.replace("'", "") for t in terms}  # the lexical index drops apostrophes
    n, frequency = store.docs.term_frequencies(collection, list(index_terms.values()))
    n = n or 1
    return {t: math.log((n + 1) / (frequency.get(term, 0) + 0.5)) for t, term in index_terms.items()}


def lexical_search(store: Store, collection: str, query: str, k: int) -> list[tuple[str, int, float]]:
    """(doc_id, index, BM25 score) of the k best lexical matches with a positive score.

    The store keeps the index up to date as it writes (see `rag.docstore`), so no query pays a rebuild.
    """
    return store.docs.lexical_search(collection, query, k, store.settings.retrieval.lexical_budget)


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


def stored_vectors(store: Store, collection: str, refs: Sequence[Ref]) -> dict[Ref, np.ndarray]:
    """Sentence vectors as the vector store holds them (no encoding); refs it lacks are absent."""
    if not refs:
        return {}
    got = store.vectors.collection(collection).get(
        ids=[f"{d}:{i}" for d, i in dict.fromkeys(refs)], include=["embeddings", "metadatas"]
    )
    return {
        (str(meta["doc_id"]), int(meta["sentence_index"])): np.asarray(emb, dtype=np.float32)  # type: ignore[arg-type]
        for meta, emb in zip(got["metadatas"], got["embeddings"], strict=True)
    }


def sentence_vectors(store: Store, collection: str, sentences: Sequence[Sentence]) -> np.ndarray:
    """One unit row per sentence: stored vectors, encoding only what the store lacks."""
    if not sentences:
        return np.zeros((0, store.embeddings.dimension), dtype=np.float32)
    found = stored_vectors(store, collection, [(s.doc_id, s.index) for s in sentences])
    missing = [s for s in sentences if (s.doc_id, s.index) not in found]
    if missing:
        for s, v in zip(missing, store.embeddings.encode([s.text for s in missing]), strict=True):
            found[(s.doc_id, s.index)] = v
    return np.stack([found[(s.doc_id, s.index)] for s in sentences])


def lead_vectors(store: Store, collection: str, docs: Sequence[Document], sentences: int) -> np.ndarray:
    """One unit vector per document: the mean of its title's and its first `sentences` sentences' vectors."""
    if not docs:
        return np.zeros((0, store.embeddings.dimension), dtype=np.float32)
    leads = [list(d.sentences[:sentences]) for d in docs]
    vectors = sentence_vectors(store, collection, [s for lead in leads for s in lead])
    titles = [d.meta.title or "" for d in docs]
    title_vectors = store.embeddings.encode([t for t in titles if t]) if any(titles) else np.zeros((0, 0))
    out, at, t = [], 0, 0
    for doc, lead in zip(docs, leads, strict=True):
        rows = list(vectors[at: at + len(lead)])
        at += len(lead)
        if doc.meta.title:
            rows.append(title_vectors[t])
            t += 1
        mean = np.mean(rows, axis=0) if rows else store.embeddings.encode([doc.text[:500]])[0]
        out.append(mean / (np.linalg.norm(mean) or 1.0))
    return np.stack(out).astype(np.float32)


def retrieve(
    store: Store,
    collection: str,
    question: str,
    settings: Settings | RetrievalSettings | None = None,
    *,
    k: int | None = None,
    lexical: bool = True,
    diversity: bool = True,
) -> Evidence:
    """The best k sentences for a question: hybrid, fused, outlet-diverse; `score` is the dense cosine."""
    cfg = settings if isinstance(settings, RetrievalSettings) else get_settings(settings).retrieval
    k = k or cfg.top_k
    vector = store.embeddings.encode([question])[0]
    dense = store.vectors.query(collection, vector, cfg.candidates)
    cosines = {(d, i): s for d, i, s in dense}
    rankings = [[(d, i) for d, i, _ in dense]]
    if lexical:
        found = lexical_search(store, collection, question, cfg.candidates)
        rankings.append([(d, i) for d, i, _ in found])
    fused = reciprocal_rank_fusion(rankings, cfg.rrf_k)
    lexical_only = [ref for ref in fused if ref not in cosines]
    cosines.update({ref: float(v @ vector) for ref, v in stored_vectors(store, collection, lexical_only).items()})
    hits = _hits(store, collection, fused, cosines)
    chosen = outlet_quota(hits, k, cfg.per_outlet_max) if diversity else hits[:k]
    vectors = sentence_vectors(store, collection, [h.sentence for h in chosen])
    return Evidence(question, tuple(chosen), vectors, np.asarray(vector, dtype=np.float32))


def with_articles_of(store: Store, collection: str, evidence: Evidence, named: Callable[[str], bool],
                     per_article: int = 2) -> Evidence:
    """The evidence, plus the closest sentences of each article from an outlet `named` (the question names it)
    that the retrieval left out: "How do the New York Times and Newsmax describe ..." hears Newsmax even when
    its sentences ranked below the cut, and more of the Times than one clipped sentence. Vectors are the
    stored ones."""
    present = {(h.sentence.doc_id, h.sentence.index) for h in evidence}
    docs = [d for d in store.docs.list_documents(collection) if d["outlet"] and named(d["outlet"])]
    if not docs:
        return evidence
    refs = [(d["doc_id"], i) for d in docs for i in range(d["sentence_count"]) if (d["doc_id"], i) not in present]
    vectors = stored_vectors(store, collection, refs)
    best: list[Ref] = []
    for d in docs:
        mine = sorted((r for r in vectors if r[0] == d["doc_id"]),
                      key=lambda r: -float(vectors[r] @ evidence.question_vector))
        best += mine[:per_article]
    cosines = {r: float(vectors[r] @ evidence.question_vector) for r in best}
    extra = _hits(store, collection, best, cosines)
    if not extra:
        return evidence
    rows = np.stack([vectors[(h.sentence.doc_id, h.sentence.index)] for h in extra])
    return Evidence(evidence.question, evidence.hits + tuple(extra), np.vstack([evidence.vectors, rows]),
                    evidence.question_vector)
