"""Can the retrieved sentences answer the question at all? If not, the answer is the refusal.

Dense similarity alone is not enough: "What is the population of Pyongyang?" sits close to any sentence about
Pyongyang. So besides a similarity floor, each key term of the question must be found in the evidence, either
as the word itself or as a close word by embedding (so "output" still finds "production").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.settings import Settings, get_settings
from rag.store import Store
from rag.terms import STOPWORDS, question_terms, stem, term_matches, tokens
from rag.types import SentenceHit

# A question word counts as covered by an evidence word at or above this cosine.
TERM_COSINE = 0.6


def missing_terms(question: str, hits: Sequence[SentenceHit], store: Store | None = None) -> list[str]:
    """Key question terms that no evidence sentence contains, literally or (with a store) as a close word."""
    terms = question_terms(question)
    words = {t for h in hits for t in tokens(h.sentence.text) if t not in STOPWORDS and not t.isdigit()}
    missing = sorted(terms - term_matches(terms, {stem(w) for w in words}))
    if not missing or store is None or not words:
        return missing
    originals = {stem(t): t for t in tokens(question)}
    vocab = sorted(words)
    vectors = store.embeddings.encode([originals.get(m, m) for m in missing] + vocab)
    asked, have = vectors[: len(missing)], vectors[len(missing):]
    best = np.max(asked @ have.T, axis=1)
    return [m for m, b in zip(missing, best, strict=True) if b < TERM_COSINE]


def answerable(question: str, hits: Sequence[SentenceHit], store: Store | None = None,
               settings: Settings | None = None) -> bool:
    """True when the best hit is similar enough and the evidence covers the question's key terms."""
    if not hits:
        return False
    cfg = get_settings(settings).retrieval
    if max(h.score for h in hits) < cfg.min_relevance:
        return False
    return not missing_terms(question, hits, store)
