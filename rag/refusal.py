"""Can the retrieved sentences answer the question at all? If not, the answer is the refusal.

Dense similarity alone is not enough: "What is the population of Pyongyang?" sits close to any sentence about
Pyongyang. So besides a similarity floor, each key term of the question must be found in the evidence, either
as the word itself or as a close word by embedding (so "output" still finds "production").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from rag.settings import Settings, get_settings
from rag.store import Store
from rag.terms import QUESTION_WORDS, STOPWORDS, entities_in, question_terms, stem, term_matches, tokens
from rag.types import SentenceHit
from rag.vector_cache import encode_cached

# "What is the X of…", "How many X…", "Which X…": X is what the answer must contain.
_FOCUS = (
    re.compile(r"\b(?:what|which|who)(?:'s| is| are| was| were)\s+(?:the|a|an)\s+((?:\w+\s+){0,2}?\w+)\s+"
               r"(?:of|for|in|on|at|to|between|behind)\b", re.IGNORECASE),
    re.compile(r"\bhow (?:many|much)\s+(\w+)", re.IGNORECASE),
    re.compile(r"\b(?:what|which)\s+(\w+)\s+(?:is|are|was|were|did|does|do|has|have|will)\b", re.IGNORECASE),
)
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
    vectors = encode_cached(store.embeddings, [originals.get(m, m) for m in missing] + vocab)
    asked, have = vectors[: len(missing)], vectors[len(missing):]
    best = np.max(asked @ have.T, axis=1)
    return [m for m, b in zip(missing, best, strict=True) if b < TERM_COSINE]


def focus_terms(question: str) -> set[str]:
    """The thing asked for: "population" in "What is the population of X?", "troops" in "How many troops…"."""
    found: set[str] = set()
    for pattern in _FOCUS:
        for match in pattern.finditer(question):
            found |= question_terms(match.group(1))
    return found


def names_in_question(question: str) -> set[str]:
    """Stemmed words of the capitalised names in the question."""
    words = {stem(t) for name in entities_in(question) for t in tokens(name)}
    return words - {stem(w) for w in QUESTION_WORDS}


def answerable(question: str, hits: Sequence[SentenceHit], store: Store | None = None,
               settings: Settings | None = None) -> bool:
    """True when the best hit is similar enough and the evidence covers the question's key terms.

    Refuse when the asked-for thing is missing, or half or more of the names, or of all key terms.
    """
    if not hits:
        return False
    cfg = get_settings(settings).retrieval
    if max(h.score for h in hits) < cfg.min_relevance:
        return False
    terms = question_terms(question)
    names = names_in_question(question)
    literal_missing = set(missing_terms(question, hits))  # names must be there as written
    if names and len(literal_missing & names) / len(names) >= 0.5:
        return False
    focus = focus_terms(question)

    def covered_enough(missing: set[str]) -> bool:
        return not (missing & focus) and (not terms or len(missing) / len(terms) < 0.5)

    # Only when the words as written fall short is it worth asking the model for close words.
    return covered_enough(literal_missing) or covered_enough(set(missing_terms(question, hits, store)))
