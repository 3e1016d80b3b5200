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

import functools
import operator
import re
from dataclasses import dataclass

import numpy as np

from rag.retrieval import term_weights
from rag.settings import Settings
from rag.store import Store
from rag.terms import QUESTION_WORDS, STOPWORDS, entities_in, question_terms, stem, term_matches, tokens
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


# Verbs that say nothing of what happened ("What happened to ...", "What did X say ...").
_LIGHT_VERBS = frozenset(("be", "do", "have", "happen", "say", "go", "get", "make", "take", "come", "mean",
                          "know", "think", "see", "describe", "report", "cover", "tell"))


# A yes/no question opens on an auxiliary: "Did Trump win ...?" hinges on the verb; "How did McAfee die?" asks
# about an event the articles may tell in other words ("was found dead").
_POLAR = re.compile(r"\s*(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should)\b", re.IGNORECASE)


_SHORT_QUESTION = 14  # words; a longer question names too much to hinge on one verb or one word


def asked_verb(question: str) -> set[str]:
    """What a short direct question asks happened, as its main verb's stemmed lemma: "win" in "Did Trump win the
    2020 election?" (an article about Trump and the election that says nothing of winning does not answer it);
    nothing for a light verb, or for statements ending in "?" and long questions, which name too much to hinge
    on one verb."""
    if len(question.split()) > _SHORT_QUESTION or not _POLAR.match(question):
        return set()
    from rag.linguistics import parse

    doc = parse([question])[0]
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ != "VERB" or root.lemma_.lower() in _LIGHT_VERBS:
        return set()
    return question_terms(root.lemma_)  # "lost" asks about losing: the lemma meets "lose", "losing"


_FIGURE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+\.\d+|\d{3,})(?![\w,]\d)")


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Pins:
    """What pins a report to one event: the figures it states ("473,000", "2.5", "600"; commas dropped, years
    aside) and the weekdays it names (a week's news holds several events on one topic)."""

    figures: frozenset[str]
    weekdays: frozenset[int]

    @classmethod
    def of(cls, text: str) -> Pins:
        found = {m.group(1).replace(",", "") for m in _FIGURE.finditer(text)}
        figures = {f for f in found if not (len(f) == 4 and f.isdigit() and 1900 <= int(f) <= 2100)}
        return cls(frozenset(figures), frozenset(_WEEKDAYS.index(m.group(1).lower()) for m in _WEEKDAY.finditer(text)))

    def __bool__(self) -> bool:
        return bool(self.figures or self.weekdays)

    def met_by(self, stated: Pins) -> bool:
        """One of the figures is stated (a later count may replace the others: "nearly 200 killed" where the
        articles say 170), and each weekday is within a day of one the articles name, if they name any (a report of
        Sunday's events is written on Monday; a Thursday event is not Tuesday's)."""
        return (not self.figures or bool(self.figures & stated.figures)) and (not stated.weekdays or all(
            any(min((day - other) % 7, (other - day) % 7) <= 1 for other in stated.weekdays)
            for day in self.weekdays))

    def __or__(self, other: Pins) -> Pins:
        return Pins(self.figures | other.figures, self.weekdays | other.weekdays)


_NO_PINS = Pins(frozenset(), frozenset())


def names_in_question(question: str) -> set[str]:
    """Stemmed words of the capitalised names in the question (not the "u" of "U.S.")."""
    words = {stem(t) for name in entities_in(question) for t in tokens(name) if len(t) > 1}
    return words - {stem(w) for w in QUESTION_WORDS}


class _CloseWords:
    """Which question terms have a close word (by the sentence model) among each document's retrieved words;
    all terms and words are encoded in one batch, once per question."""

    def __init__(self, terms: set[str], words_by_doc: dict[str, set[str]], store: Store, cosine: float):
        self.terms = sorted(terms)
        vocab = sorted(set().union(*words_by_doc.values())) if words_by_doc else []
        self.column = {w: i for i, w in enumerate(vocab)}
        self.words_by_doc, self.cosine = words_by_doc, cosine
        self.sims = np.zeros((len(self.terms), len(vocab)), dtype=np.float32)
        if self.terms and vocab:
            vectors = store.embeddings.encode(self.terms + vocab)
            self.sims = vectors[: len(self.terms)] @ vectors[len(self.terms):].T

    def found(self, missing: set[str], doc_id: str) -> set[str]:
        columns = [self.column[w] for w in self.words_by_doc.get(doc_id, ())]
        if not columns:
            return set()
        best = self.sims[:, columns].max(axis=1)
        return {t for t, b in zip(self.terms, best, strict=True) if t in missing and b >= self.cosine}


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
    names, focus, asked = names_in_question(question) & terms, focus_terms(question), asked_verb(question)
    hit_words: dict[str, set[str]] = {}
    for h in evidence:
        hit_words.setdefault(h.sentence.doc_id, set()).update(
            t for t in tokens(h.sentence.text) if not t.isdigit() and len(t) > 3 and t not in STOPWORDS)
    pins = Pins.of(question)
    found_by_doc: dict[str, set[str]] = {}
    stated_in: dict[str, Pins] = {}
    for doc_id in doc_ids:
        doc = store.docs.get_document(collection, doc_id)
        if doc is not None:
            found_by_doc[doc_id] = term_matches(terms, {stem(t) for t in tokens(f"{doc.meta.title or ''} {doc.text}")})
            stated_in[doc_id] = Pins.of(f"{doc.meta.title or ''}\n{doc.text}") if pins else _NO_PINS

    # Where the asked verb may be: any word of the article, and the lemmas of its sentences the retrieval found
    # ("struck down" answers "Why did the judge strike down ...").
    asked_in: dict[str, set[str]] = {d: set() for d in found_by_doc}
    if asked:
        from rag.linguistics import parse

        texts = [h.sentence.text for h in evidence if h.sentence.doc_id in asked_in]
        for h, parsed in zip([h for h in evidence if h.sentence.doc_id in asked_in], parse(texts), strict=True):
            asked_in[h.sentence.doc_id] |= {stem(t.lemma_.lower()) for t in parsed}
        for doc_id in asked_in:
            article = store.docs.get_document(collection, doc_id)
            asked_in[doc_id] |= {stem(t) for t in tokens(article.text)} if article is not None else set()

    def passes(found: set[str], asked_words: set[str], stated: Pins) -> bool:
        # the asked verb must be in the article itself: a close word ("lose" for "win") won't do; a figure the
        # question states must be there too ("claims fell to 473,000" is another week than "to 498,000")
        return not (names and len(names & found) / len(names) < cfg.name_coverage or focus and not focus <= found
                    or asked and term_matches(asked, asked_words) != asked or not pins.met_by(stated))

    # A close word is a hint, not the word: "shootings" is close to "shot" (0.85), and an article on second vaccine
    # shots says nothing of shootings. In a short question it counts at a share of the term's weight; a long one
    # (a statement ending in "?") is told in the articles' own words, where close words carry it.
    hint = cfg.close_word_weight if len(question.split()) <= _SHORT_QUESTION else 1.0

    def coverage(found: set[str], literal: set[str]) -> float:
        return sum(weights[t] * (1.0 if t in literal else hint) for t in found) / total

    def score(close: _CloseWords | None) -> tuple[list[tuple[float, str]], dict[str, set[str]]]:
        out, covered = [], {}
        for doc_id, found in found_by_doc.items():
            missing = terms - found
            if close is not None and missing - names:
                found = found | close.found(missing - names, doc_id)
            covered[doc_id] = found
            if passes(found, asked_in[doc_id], stated_in[doc_id]):
                out.append((coverage(found, found_by_doc[doc_id]), doc_id))
        return out, covered

    scored, covered = score(None)
    if not any(c >= cfg.term_coverage for c, _ in scored):  # only then is it worth asking for close words
        unmatched = set().union(*(terms - f for f in found_by_doc.values())) - names if found_by_doc else set()
        if unmatched:
            scored, covered = score(_CloseWords(unmatched, hit_words, store, cfg.term_cosine))
    if not any(c >= cfg.term_coverage for c, _ in scored) and len(covered) > 1:
        scored = _story_scores(store, collection, covered, scored, settings,
                               lambda found, docs: passes(found, set().union(*(asked_in[d] for d in docs)),
                                                          functools.reduce(operator.or_, (stated_in[d] for d in docs))),
                               lambda found: coverage(found, set().union(*found_by_doc.values())))
    scored.sort(reverse=True)
    # A sentence that restates the question closely lowers the bar: long questions spread their terms over an
    # event's articles (measured on 40 stored and 30 held-out dev events: 70% -> 90% answered, refusals kept).
    best_by_doc: dict[str, float] = {}
    for h in evidence:
        best_by_doc[h.sentence.doc_id] = max(best_by_doc.get(h.sentence.doc_id, 0.0), h.score)
    needed = {d: cfg.relaxed_term_coverage if best_by_doc.get(d, 0.0) >= cfg.close_match else cfg.term_coverage
              for _, d in scored}
    if not any(c >= needed[d] for c, d in scored):
        return Answerability(False, "no article in the collection covers the question's key terms")
    share = cfg.comparison_coverage_share if wide else 1.0
    return Answerability(True, f"covered ({scored[0][0]:.0%} of the question's key terms)",
                         tuple(d for c, d in scored if c >= share * needed[d]))


def _story_scores(store: Store, collection: str, covered: dict[str, set[str]], scored: list[tuple[float, str]],
                  settings: Settings, passes, coverage) -> list[tuple[float, str]]:
    """Coverage of the question by each story's articles together: a long question ("Trump-appointed Judge
    Dabney Friedrich overturned the CDC's eviction moratorium on Wednesday, ruling that ...") spreads its terms
    over one event's articles. Stories are rag.stories' groups of the candidate articles (no lone article
    attached), so articles of two events never pool their words; a story's articles score what it covers."""
    from rag.retrieval import lead_vectors
    from rag.stories import group_stories

    docs = [d for d in (store.document(collection, doc_id) for doc_id in covered) if d is not None]
    cfg = settings.stories
    best = dict((d, c) for c, d in scored)
    for story in group_stories(docs, lead_vectors(store, collection, docs, cfg.lead_sentences), cfg, attach=False):
        members = [d.doc_id for d in story.docs]
        if len(members) < 2:
            continue
        found = set().union(*(covered[d] for d in members))
        if passes(found, members):
            for d in members:
                best[d] = max(best.get(d, 0.0), coverage(found))
    return [(c, d) for d, c in best.items()]
