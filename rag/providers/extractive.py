"""The default offline generator: composes an answer from the evidence sentences themselves.

It selects the sentences relevant to the question, merges near-identical sentences from different outlets
into one claim that cites all of them, attributes what only one outlet says ("According to KCNA, ..."), and
orders consensus before single-source content. Every claim is a source sentence (plus attribution), so it is
supported by construction; the verifier still checks it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from rag.settings import Settings, get_settings
from rag.terms import (
    STOPWORDS,
    content_terms,
    has_negation,
    number_mentions,
    question_terms,
    stem,
    term_matches,
    tokens,
)
from rag.types import DraftClaim, SentenceHit
from rag.vector_cache import encode_cached
from rag.verify import is_instruction

# Two sentences from different outlets are about the same thing at or above this cosine and word overlap
# (measured on the shipped corpus: paraphrases across its two articles sit at 0.65-0.79); if their numbers
# or negation then disagree, the outlets differ and each version is attributed.
SAME_FACT_COSINE = 0.65
SAME_FACT_OVERLAP = 0.4
# A sentence is used in an answer when its cosine is within this margin of the best one.
RELEVANCE_MARGIN = 0.12
# Each further outlet reporting a fact counts like this much extra relevance when ordering claims.
CONSENSUS_BONUS = 0.03
MAX_ANSWER_CLAIMS = 4
MIN_CLAIM_WORDS = 5


@dataclass(frozen=True)
class FactGroup:
    """Evidence positions (1-based) reporting one fact; `lead` is the one whose wording the claim uses."""

    lead: int
    members: tuple[int, ...]
    relevance: float
    contested: bool = False


def outlet_name(hit: SentenceHit) -> str | None:
    """The outlet as a reader would name it in prose, or None when the article's outlet is unknown."""
    return hit.meta.outlet or None


def attribute(text: str, hits: Sequence[SentenceHit], unnamed: str = "one report") -> str:
    """Say who reports a sentence: "…, according to KCNA." or "According to KCNA, the …".

    The attribution goes last unless the sentence already has an "according to" or ends in a quotation, so
    the sentence's own first word (a name, or a capitalised noun) never has to be lower-cased by guesswork.
    """
    names = sorted({n for n in (outlet_name(h) for h in hits) if n})
    if len(names) >= 2:
        who = ", ".join(names[:-1]) + " and " + names[-1]
    elif names:
        who = names[0]
    else:
        who = unnamed
    body = text.rstrip()
    first = re.match(r"[A-Za-z]+", body)
    if re.search(r"\baccording to\b", body, re.IGNORECASE) or re.search(r"[\"”’]\W*$|(?:\.\.\.|…)$", body):
        if first and first.group(0).lower() in STOPWORDS and not first.group(0).isupper():
            body = body[0].lower() + body[1:]
        elif re.match(r"^according to\b", body, re.IGNORECASE):
            return f"{who} reports: {body}"
        return f"According to {who}, {body}"
    end = re.search(r"[.!?…]+$", body)
    stop = end.group(0) if end else "."
    return f"{body[: end.start()] if end else body}, according to {who}{stop}"


def _terms(hit: SentenceHit) -> set[str]:
    return content_terms(hit.sentence.text)


def _numbers(hit: SentenceHit) -> set[float]:
    return {v for _, v in number_mentions(hit.sentence.text)}


def same_topic(a: SentenceHit, b: SentenceHit, cosine: float) -> bool:
    """Two sentences are about the same thing: close in meaning and sharing many content words."""
    ta, tb = _terms(a), _terms(b)
    overlap = len(ta & tb) / max(1, min(len(ta), len(tb)))
    return cosine >= SAME_FACT_COSINE and overlap >= SAME_FACT_OVERLAP


def same_fact(a: SentenceHit, b: SentenceHit, cosine: float) -> bool:
    """Two sentences report the same thing: same topic and not disagreeing on numbers or negation."""
    return same_topic(a, b, cosine) and not conflicting(a, b)


def conflicting(a: SentenceHit, b: SentenceHit) -> bool:
    """Both give numbers and the numbers differ, or only one is negated."""
    na, nb = _numbers(a), _numbers(b)
    numbers_differ = bool(na and nb and not (na & nb))
    return numbers_differ or has_negation(a.sentence.text) != has_negation(b.sentence.text)


def group_same_facts(evidence: Sequence[SentenceHit], vectors: np.ndarray, positions: Sequence[int]
                     ) -> list[list[int]]:
    """Cluster evidence positions (1-based) whose sentences say the same thing in different documents.

    A near-duplicate from a document already in the group is absorbed (not cited twice for one fact).
    """
    groups: list[list[int]] = []
    for pos in positions:
        hit = evidence[pos - 1]
        for group in groups:
            lead = evidence[group[0] - 1]
            if not same_fact(lead, hit, float(vectors[pos - 1] @ vectors[group[0] - 1])):
                continue
            if hit.sentence.doc_id not in {evidence[p - 1].sentence.doc_id for p in group}:
                group.append(pos)
            break
        else:
            groups.append([pos])
    return groups


def contested_groups(evidence: Sequence[SentenceHit], vectors: np.ndarray, groups: Sequence[Sequence[int]]
                     ) -> set[int]:
    """Indexes of groups whose lead is about the same thing as another outlet's lead but disagrees with it."""
    out: set[int] = set()
    for i, gi in enumerate(groups):
        for j in range(i + 1, len(groups)):
            a, b = evidence[gi[0] - 1], evidence[groups[j][0] - 1]
            if a.outlet == b.outlet:
                continue
            cosine = float(vectors[gi[0] - 1] @ vectors[groups[j][0] - 1])
            if same_topic(a, b, cosine) and conflicting(a, b):
                out |= {i, j}
    return out


_DISCOURSE_OPENER = re.compile(
    r"^(?:in conclusion|additionally|furthermore|moreover|meanwhile|in addition|also|in a related development"
    r"|on the other hand|however|nevertheless|overall|finally|first|second|third|lastly)\s*,\s*",
    re.IGNORECASE,
)


def without_opener(text: str) -> str:
    """A source sentence without the connective that tied it to its own article ("In conclusion, ...")."""
    match = _DISCOURSE_OPENER.match(text)
    if not match or len(text) - match.end() < 10:
        return text
    rest = text[match.end():]
    return rest[:1].upper() + rest[1:]


def usable_as_claim(text: str) -> bool:
    """A sentence that can stand as a claim: not an instruction to a model, not a clipped fragment."""
    words = len(text.split())
    clipped = text.rstrip().endswith(("...", "…"))
    return not is_instruction(text) and words >= MIN_CLAIM_WORDS and not (clipped and words < 2 * MIN_CLAIM_WORDS)


def relevance(question: str, hit: SentenceHit) -> float:
    """Dense cosine plus a bonus for each question term the sentence contains."""
    terms = question_terms(question)
    if not terms:
        return hit.score
    found = term_matches(terms, {stem(t) for t in tokens(hit.sentence.text)})
    return hit.score + 0.1 * len(found) / len(terms)


class ExtractiveGenerator:
    """Offline composer of cited claims from retrieved sentences."""

    name = "extractive"

    def __init__(self, settings: Settings | None = None, max_claims: int = MAX_ANSWER_CLAIMS):
        self.settings = get_settings(settings)
        self.max_claims = max_claims

    def _vectors(self, evidence: Sequence[SentenceHit]) -> np.ndarray:
        from rag.embeddings import SentenceEmbeddings

        embeddings = SentenceEmbeddings(self.settings.embedding_model)
        return encode_cached(embeddings, [h.sentence.text for h in evidence])

    def select(self, question: str, evidence: Sequence[SentenceHit], task: str = "answer") -> list[int]:
        """Positions (1-based) of evidence worth using, most relevant first.

        Text addressed to a model ("Ignore previous instructions…") is data that states nothing: never used.
        """
        usable = [(i + 1, h) for i, h in enumerate(evidence) if usable_as_claim(h.sentence.text)]
        scored = sorted(((relevance(question, h), p) for p, h in usable), reverse=True)
        if task == "brief" or not scored:
            return [p for _, p in scored]
        best = scored[0][0]
        return [p for r, p in scored if r >= best - RELEVANCE_MARGIN]

    def groups(self, question: str, evidence: Sequence[SentenceHit], task: str = "answer") -> list[FactGroup]:
        """Fact groups in answer order: by relevance, with a small bonus for facts several outlets report."""
        positions = self.select(question, evidence, task)
        if not positions:
            return []
        vectors = self._vectors(evidence)
        rel = {p: relevance(question, evidence[p - 1]) for p in positions}
        clusters = group_same_facts(evidence, vectors, positions)
        contested = contested_groups(evidence, vectors, clusters)
        out = [
            FactGroup(g[0], tuple(g), max(rel[p] for p in g), i in contested) for i, g in enumerate(clusters)
        ]
        def standing(g: FactGroup) -> float:
            return g.relevance + CONSENSUS_BONUS * (len({evidence[p - 1].outlet for p in g.members}) - 1)

        out.sort(key=standing, reverse=True)
        return out

    def generate(self, task: str, question: str, evidence: Sequence[SentenceHit]) -> Iterator[DraftClaim]:
        """Yield one claim per fact group, attributed when only one of several outlets reports it."""
        groups = self.groups(question, evidence, task)
        limit = self.max_claims if task == "answer" else len(groups)
        several_outlets = len({h.outlet for h in evidence}) > 1
        unnamed_reports = 0
        for group in groups[:limit]:
            members = [evidence[p - 1] for p in group.members]
            text = without_opener(evidence[group.lead - 1].sentence.text)
            single = len({h.outlet for h in members}) == 1
            named = any(outlet_name(h) for h in members)
            must_attribute = group.contested or (several_outlets and single and named)
            unnamed = "another report" if unnamed_reports else "one report"
            plain = attribute(text, members, unnamed) if must_attribute else text
            final = self._neutral(text, members, must_attribute, unnamed) or plain
            unnamed_reports += must_attribute and not named
            yield DraftClaim(text=final, markers=group.members)

    def _neutral(self, text: str, members: Sequence[SentenceHit], must_attribute: bool, unnamed: str) -> str | None:
        """The claim in neutral words ("war games" → "military exercises", "claimed" → "said", other loaded
        terms quoted and the claim attributed), or None when the verifier does not find that final text
        supported by the sentences it cites."""
        from rag.neutral import neutral_wording
        from rag.types import Verdict
        from rag.verify import verify_claim

        rewritten, changes, quoted_any = neutral_wording(text)
        if not changes:
            return None
        if must_attribute or quoted_any:
            rewritten = attribute(rewritten, members, unnamed)
        check = verify_claim(rewritten, [h.sentence.text for h in members], settings=self.settings,
                             outlets=[h.outlet for h in members])
        return rewritten if check.verdict == Verdict.SUPPORTED else None


def make_generator(settings: Settings) -> ExtractiveGenerator:
    return ExtractiveGenerator(settings)
