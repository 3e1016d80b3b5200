"""What the verifier measures about a claim and the passages it cites: similarity, word coverage, agreement of
numbers, names and negation, alignment of predicate-argument units from the spaCy parse, and relations (purpose,
cause, time) the claim adds. `rag/verify.py` turns these into a verdict; `benchmarks/train_verifier.py` learns
the weights from them.

Passages may be whole web pages (a header, a URL, boilerplate around the relevant part): they are split into
sentences and only the ones closest to the claim are parsed, so the cost stays bounded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from rag.claim_checks import (
    Added,
    added_relations,
    arguments,
    claim_names,
    missing_names,
    negation_mismatch,
    swapped_doer,
)
from rag.claim_units import weakest_unit
from rag.sentences import sentence_spans
from rag.terms import content_terms, number_in, number_mentions, stem, term_matches, tokens

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from rag.embeddings import SentenceEmbeddings
    from rag.linguistics import Reader

# Features in the order the shipped weights expect them.
FEATURES = (
    "sim_best", "sim_top2", "sim_window", "sim_mean", "coverage", "coverage_near", "coverage_window",
    "bigram_coverage", "lemma_coverage",
    "predicate_coverage", "unit_alignment", "added_relations", "missing_numbers", "missing_names", "negation",
    "claim_words", "log_source_words", "instruction_form", "addresses_reader",
    "names_missing_share", "modal_unmatched", "long_word_coverage", "coverage_best_sentence", "missing_terms_log",
    "coverage_two_sentences",
)
# Hard checks measured beside them, which only cap the verdict (rag.verify.ceiling), never feed the model.
CHECKS = ("swapped_doer",)
_MARKER = re.compile(r"\s*\[\d+(?:[,\s]+\d+)*\]")
_LIST_ITEM = re.compile(r"^(?:\d{1,2}[.)]|[•*–-])\s+(?=\S)")  # "4. Turn on the diffuser": the 4 is no claim
_URL_LINE = re.compile(r"^\s*(?:\[\d+\]\s*)?https?://\S+\s*$", re.MULTILINE)
_URL = re.compile(r"https?://\S+")
_GLUED = re.compile(r"([a-z]{2}[.!?])([A-Z][a-z])")  # "spending.Just" in scraped pages
_LIGHT_VERBS = frozenset(["be", "have", "do", "make", "get", "take", "give", "go", "come", "use", "help", "allow"])


@dataclass
class Evidence:
    """The cited passages as sentences, with the claim's vector and the sentences nearest to it."""

    sentences: list[str]
    origin: list[int]  # which cited passage (0-based) each sentence comes from
    similarities: np.ndarray
    near: list[int] = field(default_factory=list)


class TextCache:
    """Vectors and parses of the texts one request verifies, each computed once.

    `vectors`: what the store already holds (sentence text → unit vector), so cited sentences are not encoded
    again; `reader`: the request's parser, so sentences the composer or generator parsed are not parsed again.
    Claims are encoded together when `vectors_of` gets several at once. One instance per request.
    """

    def __init__(self, embeddings: SentenceEmbeddings, vectors: Mapping[str, np.ndarray] | None = None,
                 reader: Reader | None = None) -> None:
        from rag.linguistics import Reader

        self.embeddings = embeddings
        self._vectors: dict[str, np.ndarray] = dict(vectors or {})
        self.reader = reader or Reader()
        self._words: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def add_vectors(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        self._vectors.update(zip(texts, np.asarray(vectors, dtype=np.float32), strict=True))

    def vectors_of(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text; only texts not seen before are encoded, in one batch."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            self.add_vectors(missing, self.embeddings.encode(missing))
        return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    def docs_of(self, texts: Sequence[str]) -> list[Doc]:
        """The spaCy parse of each text (parsed at most once per request, several in one batch)."""
        self.reader.prefetch(texts)
        return [self.reader(t)[0] for t in texts]

    def words_of(self, text: str) -> tuple[frozenset[str], frozenset[str]]:
        """(stems of the words and lemmas, stems of the verb, noun and adjective lemmas) of a cited sentence."""
        if text not in self._words:
            doc = self.docs_of([text])[0]
            lemmas = {stem(t.lemma_.lower()) for t in doc} | {stem(t.lower_) for t in doc}
            predicates = {stem(t.lemma_.lower()) for t in doc if t.pos_ in {"VERB", "NOUN", "ADJ"}}
            self._words[text] = (frozenset(lemmas), frozenset(predicates))
        return self._words[text]


@dataclass
class Measured:
    features: dict[str, float]
    evidence: Evidence
    missing_terms: list[str]
    missing_numbers: list[str]
    missing_names: list[str]
    negation: str | None
    added: list[Added]
    weakest: tuple[str, float] | None = None  # the clause least found in the sources, with its share found
    swapped: str | None = None  # the claim's doer of an action the sources have others do


def clean_claim(text: str) -> str:
    """The claim without citation markers ("[2]") and runs of whitespace."""
    return _LIST_ITEM.sub("", re.sub(r"\s+", " ", _MARKER.sub("", text)).strip())


def passage_sentences(sources: Sequence[str], limit: int) -> tuple[list[str], list[int]]:
    """Each cited passage split into sentences (URLs dropped), with the passage each comes from."""
    sentences: list[str] = []
    origin: list[int] = []
    for i, source in enumerate(sources):
        text = _GLUED.sub(r"\1 \2", _URL.sub(" ", _URL_LINE.sub(" ", source)))
        for block in re.split(r"\n\s*\n|\n(?=[A-Z])|\s\|\s", text):
            for start, end in sentence_spans(block.strip()) if block.strip() else []:
                piece = re.sub(r"\s+", " ", block.strip()[start:end]).strip()
                if re.search(r"[A-Za-z]{2}", piece):
                    sentences.append(piece)
                    origin.append(i)
        if len(sentences) >= limit:
            break
    return sentences[:limit], origin[:limit]


def gather_evidence(claim: str, sources: Sequence[str], texts: TextCache, *, near: int, limit: int,
                    source_vectors: np.ndarray | None = None) -> tuple[Evidence, np.ndarray, np.ndarray]:
    """Sentences of the passages, the claim's similarity to each, and (claim vector, sentence vectors)."""
    if source_vectors is not None and len(source_vectors) == len(sources):
        sentences, origin = [s.strip() for s in sources], list(range(len(sources)))
        texts.add_vectors(sentences, source_vectors)
    else:
        sentences, origin = passage_sentences(sources, limit)
        if not sentences:
            sentences, origin = [s.strip() for s in sources], list(range(len(sources)))
    encoded = texts.vectors_of([claim, *sentences])
    claim_vector, vectors = encoded[0], encoded[1:]
    similarities = vectors @ claim_vector
    closest = [int(i) for i in np.argsort(-similarities)[:near]]
    return Evidence(sentences, origin, similarities, closest), claim_vector, vectors


def measure(claim: str, sources: Sequence[str], texts: TextCache, *, near: int = 3, limit: int = 400,
            source_vectors: np.ndarray | None = None) -> Measured:
    """All features of (claim, cited passages), with the parts of the claim the passages lack.

    Args:
        near: how many cited sentences closest to the claim are parsed and aligned.
        limit: how many sentences of long passages are read.
        source_vectors: the sources' embeddings when the caller has them (one per source, same order).
    """
    evidence, claim_vector, vectors = gather_evidence(claim, sources, texts, near=near, limit=limit,
                                                      source_vectors=source_vectors)
    sims = evidence.similarities
    order = np.argsort(-sims)
    top2 = vectors[order[:2]].sum(axis=0)
    same = np.array(evidence.origin[1:]) == np.array(evidence.origin[:-1])
    pairs = (vectors[1:] + vectors[:-1])[same] if len(vectors) > 1 else vectors[:0]
    window_sims = [_cosine(v, claim_vector) for v in pairs]
    sentence_terms = [content_terms(s) for s in evidence.sentences]
    mean = vectors.mean(axis=0)
    joined = " ".join(sources)
    near_text = " ".join(evidence.sentences[i] for i in evidence.near)

    terms = content_terms(claim)
    pool = content_terms(joined)
    covered = term_matches(terms, pool)
    near_covered = term_matches(terms, content_terms(near_text))
    near_texts = [evidence.sentences[i] for i in evidence.near]
    claim_doc = texts.docs_of([claim, *near_texts])[0]
    near_words = [texts.words_of(t) for t in near_texts]
    source_lemmas = set().union(*(w[0] for w in near_words)) | {stem(t) for t in tokens(joined)}
    source_verbs = set().union(*(w[1] for w in near_words))
    units, aligned, predicates, predicates_found = _unit_alignment(claim_doc, source_verbs, source_lemmas)

    def lacking(token: Token) -> bool:
        return not (_lemma_found(token, source_lemmas) or stem(token.lower_) in pool)

    added = added_relations(claim_doc, lacking)
    source_numbers = [value for _, value in number_mentions(joined)]
    missing_numbers = [text for text, value in number_mentions(claim) if not number_in(value, source_numbers)]
    source_tokens = set(tokens(joined))
    names = claim_names(claim, claim_doc)
    people = {t.text for t in claim_doc if t.ent_type_ == "PERSON"}
    names_lacking = missing_names(claim, names, source_tokens, joined, people)
    negation = negation_mismatch(claim, near_texts[:1])  # the closest sentence; far ones are about other things
    modals = [t for t in claim_doc if t.tag_ == "MD" and t.lower_ not in {"will", "would", "'ll", "wo"}]
    long_terms = {t for t in terms if len(t) >= 7}
    claim_lemmas = [t for t in claim_doc if _is_content(t)]
    features = {
        "sim_best": float(sims.max()),
        "sim_top2": _cosine(top2, claim_vector),
        "sim_window": max([float(sims.max()), *window_sims]),
        "sim_mean": _cosine(mean, claim_vector),
        "coverage": len(covered) / len(terms) if terms else 1.0,
        "coverage_near": len(near_covered) / len(terms) if terms else 1.0,
        "coverage_window": _window_coverage(terms, sentence_terms, evidence.near),
        "bigram_coverage": _bigram_coverage(claim, joined),
        "lemma_coverage": (sum(_lemma_found(t, source_lemmas) for t in claim_lemmas) / len(claim_lemmas)
                           if claim_lemmas else 1.0),
        "predicate_coverage": predicates_found / predicates if predicates else 1.0,
        "unit_alignment": aligned / units if units else 1.0,
        "added_relations": float(len(added)),
        "missing_numbers": float(len(missing_numbers)),
        "missing_names": float(len(names_lacking)),
        "negation": float(negation is not None),
        "claim_words": float(np.log1p(len(claim.split()))),
        "log_source_words": float(np.log1p(len(joined.split()))),
        # Advice and talk to the reader ("Make sure ...", "you can ...") are often not what the page says.
        "instruction_form": float(any(t.dep_ == "ROOT" and t.tag_ == "VB" and not any(
            c.dep_ in {"nsubj", "nsubjpass"} for c in t.children) for t in claim_doc)),
        "addresses_reader": float(any(t.lower_ in {"you", "your", "i", "we", "my", "our"} for t in claim_doc)),
        "names_missing_share": len(names_lacking) / len(names) if names else 0.0,
        "modal_unmatched": float(any(not _lemma_found(t, source_lemmas) for t in modals)),
        "long_word_coverage": len(term_matches(long_terms, pool)) / len(long_terms) if long_terms else 1.0,
        "coverage_best_sentence": max(len(term_matches(terms, sentence_terms[i])) / len(terms)
                                      for i in evidence.near) if terms and evidence.near else 1.0,
        "missing_terms_log": float(np.log1p(len(terms - covered))),
        "coverage_two_sentences": _pair_coverage(terms, sentence_terms, [int(i) for i in order[:6]]),
    }
    # a hard check outside the model's features: who does what in the claim against the closest sentences
    swapped = swapped_doer(claim_doc, texts.docs_of(near_texts))
    features["swapped_doer"] = float(swapped is not None)
    missing = terms - covered
    missing_words = list(dict.fromkeys(t for t in tokens(claim) if stem(t) in missing))
    return Measured(features, evidence, missing_words, missing_numbers, names_lacking, negation, added,
                    weakest_unit(claim_doc, pool), swapped)


def _window_coverage(terms: set[str], sentence_terms: list[set[str]], near: list[int]) -> float:
    """Best share of the claim's terms found in one near sentence together with its neighbours."""
    if not terms:
        return 1.0
    best = 0.0
    for i in near:
        pool = set().union(*sentence_terms[max(0, i - 1): i + 2])
        best = max(best, len(term_matches(terms, pool)) / len(terms))
    return best


def _pair_coverage(terms: set[str], sentence_terms: list[set[str]], nearest: list[int]) -> float:
    """Best share of the claim's terms found in two of the sentences nearest to it, wherever they are (support
    spread over two cited sentences)."""
    if not terms:
        return 1.0
    return max(len(term_matches(terms, sentence_terms[a] | sentence_terms[b])) / len(terms)
               for a in nearest for b in nearest if a <= b)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else 0.0


def _bigram_coverage(claim: str, source: str) -> float:
    """Share of the claim's word pairs (stemmed, in order) that occur as a pair in the sources."""
    def pairs(text: str) -> set[tuple[str, str]]:
        words = [stem(t) for t in tokens(text)]
        return set(zip(words, words[1:], strict=False))

    claimed = pairs(claim)
    return len(claimed & pairs(source)) / len(claimed) if claimed else 1.0


def _is_content(token: Token) -> bool:
    return token.pos_ in {"NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM"} and not token.is_stop and token.is_alpha


def _lemma_found(token: Token, lemmas: set[str]) -> bool:
    key = stem(token.lemma_.lower())
    if key in lemmas or stem(token.lower_) in lemmas:
        return True
    return len(key) >= 6 and any(x[:6] == key[:6] for x in lemmas if len(x) >= 6)


def _unit_alignment(claim_doc: Doc, source_verbs: set[str], lemmas: set[str]) -> tuple[int, int, int, int]:
    """(units, units aligned, predicates, predicates found): a unit is a content verb with its arguments; it is
    aligned when one cited sentence has the verb (or the same stem) and the sources have every argument."""
    units = aligned = predicates = found = 0
    for token in claim_doc:
        if token.pos_ != "VERB" or token.lemma_.lower() in _LIGHT_VERBS:
            continue
        predicates += 1
        verb_found = stem(token.lemma_.lower()) in source_verbs or _lemma_found(token, lemmas)
        found += verb_found
        args = arguments(token)
        if args:
            units += 1
            aligned += verb_found and all(_lemma_found(a, lemmas) for a in args)
    return units, aligned, predicates, found
