"""Can the collection answer the question at all? If not, the answer is the refusal.

Dense similarity alone is not enough: "What is the population of Pyongyang?" sits close to any sentence about
Pyongyang, and a question about an event the store lacks sits close to other events on the same topic. So the
gate asks for one *document* that covers the question: the question's key terms, weighted by how rare they are
in the collection (a shared "COVID" says little; "Johnson" says a lot), must be found in that document — as the
word itself, or as a close word by embedding among its retrieved sentences ("output" finds "production") —
together with the names the question uses and the thing it asks for ("population" in "What is the population
of X?"). The documents that pass are the ones the answer may cite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.retrieval import term_weights
from rag.settings import Settings
from rag.store import Store
from rag.terms import QUESTION_WORDS, entities_in, question_terms, stem, term_matches, tokens
from rag.types import Evidence

# "What is the X of…", "How many X…", "Which X…": X is what the answer must contain.
_FOCUS = (
    re.compile(r"\b(?:what|which|who)(?:'s| is| are| was| were)\s+(?:the|a|an)\s+((?:\w+\s+){0,2}?\w+)\s+"
               r"(?:of|for|in|on|at|to|between|behind)\b", re.IGNORECASE),
    re.compile(r"\bhow (?:many|much)\s+(\w+)", re.IGNORECASE),
    re.compile(r"\b(?:what|which)\s+(\w+)\s+(?:is|are|was|were|did|does|do|has|have|will)\b", re.IGNORECASE),
)
# Questions about the coverage itself ("Where do the sources differ?") are answered from whatever was found.
_ABOUT_COVERAGE = re.compile(
    r"\b(?:sources?|outlets?|articles?|reports?|coverage)\b.*\b(?:differ|disagree|agree|compare|say|describe|"
    r"frame|cover|report)|\b(?:differ|disagree|compare)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Answerability:
    """The gate's decision, why, and which documents are on the question (best first)."""

    answerable: bool
    reason: str
    doc_ids: tuple[str, ...] = ()


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


def _close_words(terms: set[str], vocabulary: set[str], store: Store, cosine: float) -> set[str]:
    """Terms with a word at or above `cosine` in the vocabulary (by the sentence model)."""
    if not terms or not vocabulary:
        return set()
    asked, vocab = sorted(terms), sorted(vocabulary)
    vectors = store.embeddings.encode(asked + vocab)
    best = np.max(vectors[: len(asked)] @ vectors[len(asked):].T, axis=1)
    return {t for t, b in zip(asked, best, strict=True) if b >= cosine}


def judge(question: str, evidence: Evidence, store: Store, collection: str, settings: Settings, *,
          wide: bool = False) -> Answerability:
    """Decide whether the evidence answers the question, and which of its documents are on the question.

    With `wide` (comparisons: every outlet's account is wanted), once one article passes, articles covering
    half as much are on the question too."""
    cfg = settings.retrieval
    if not evidence.hits:
        return Answerability(False, "nothing in the collection is close to the question")
    if max(h.score for h in evidence) < cfg.min_relevance:
        return Answerability(False, "no sentence is close enough to the question")
    doc_ids = list(dict.fromkeys(h.sentence.doc_id for h in evidence))
    # Outlet names in a question ("How do Fox News and CNN describe ...") name articles, not their content.
    outlet_words = {stem(t) for h in evidence for t in tokens(h.meta.outlet or "")}
    terms = question_terms(question) - outlet_words
    if not terms or _ABOUT_COVERAGE.search(question) and len(terms) <= 1:
        return Answerability(True, "a question about the coverage itself", tuple(doc_ids))
    weights = term_weights(store, collection, sorted(terms))
    total = sum(weights.values()) or 1.0
    names, focus = names_in_question(question) & terms, focus_terms(question)
    hit_words: dict[str, set[str]] = {}
    for h in evidence:
        hit_words.setdefault(h.sentence.doc_id, set()).update(
            t for t in tokens(h.sentence.text) if not t.isdigit() and len(t) > 2)
    scored: list[tuple[float, str]] = []
    for doc_id in doc_ids:
        doc = store.docs.get_document(collection, doc_id)
        if doc is None:
            continue
        words = {stem(t) for t in tokens(f"{doc.meta.title or ''} {doc.text}")}
        found = term_matches(terms, words)
        missing = terms - found
        if missing and (missing - names):
            found |= _close_words(missing - names, hit_words.get(doc_id, set()), store, cfg.term_cosine)
        if names and len(names & found) / len(names) < cfg.name_coverage:
            continue
        if focus and not focus <= found:
            continue
        scored.append((sum(weights[t] for t in found) / total, doc_id))
    scored.sort(reverse=True)
    if not scored or scored[0][0] < cfg.term_coverage:
        return Answerability(False, "no article in the collection covers the question's key terms")
    floor = cfg.term_coverage / 2 if wide else cfg.term_coverage
    return Answerability(True, f"covered ({scored[0][0]:.0%} of the question's key terms)",
                         tuple(d for c, d in scored if c >= floor))
