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
from rag.terms import STOPWORDS, question_terms, stem, term_matches, tokens
from rag.types import DraftClaim, SentenceHit

# Cosine at or above which two sentences from different outlets are treated as reporting the same thing.
SAME_FACT_COSINE = 0.78
# A sentence is used in an answer when its cosine is within this margin of the best one.
RELEVANCE_MARGIN = 0.22
MAX_ANSWER_CLAIMS = 4


@dataclass(frozen=True)
class FactGroup:
    """Evidence positions (1-based) reporting one fact; `lead` is the one whose wording the claim uses."""

    lead: int
    members: tuple[int, ...]
    relevance: float


def outlet_name(hit: SentenceHit) -> str | None:
    """The outlet as a reader would name it in prose, or None when the article's outlet is unknown."""
    return hit.meta.outlet or None


def attribute(text: str, hits: Sequence[SentenceHit]) -> str:
    """Prefix a sentence with who reports it: "According to KCNA, ..." (or "According to one report, ...")."""
    names = sorted({n for n in (outlet_name(h) for h in hits) if n})
    if len(names) >= 2:
        who = ", ".join(names[:-1]) + " and " + names[-1]
    elif names:
        who = names[0]
    else:
        who = "one report"
    if re.match(r"^according to\b", text, re.IGNORECASE):
        return f"{who} reports: {text}"
    return f"According to {who}, {_lower_first(text)}"


def _lower_first(text: str) -> str:
    """Lower-case the first word only when it is a common word ("The", "This"), never a name or acronym."""
    match = re.match(r"[A-Za-z]+", text)
    if match and match.group(0).lower() in STOPWORDS and not match.group(0).isupper():
        return text[0].lower() + text[1:]
    return text


def group_same_facts(evidence: Sequence[SentenceHit], vectors: np.ndarray, positions: Sequence[int],
                     threshold: float = SAME_FACT_COSINE) -> list[list[int]]:
    """Cluster evidence positions (1-based) whose sentences say the same thing in different documents."""
    groups: list[list[int]] = []
    for pos in positions:
        for group in groups:
            lead = group[0]
            docs = {evidence[p - 1].sentence.doc_id for p in group}
            if evidence[pos - 1].sentence.doc_id in docs:
                continue
            if float(vectors[pos - 1] @ vectors[lead - 1]) >= threshold:
                group.append(pos)
                break
        else:
            groups.append([pos])
    return groups


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

        return SentenceEmbeddings(self.settings.embedding_model).encode([h.sentence.text for h in evidence])

    def select(self, question: str, evidence: Sequence[SentenceHit], task: str = "answer") -> list[int]:
        """Positions (1-based) of evidence worth using, most relevant first."""
        scored = sorted(((relevance(question, h), i + 1) for i, h in enumerate(evidence)), reverse=True)
        if task == "brief" or not scored:
            return [p for _, p in scored]
        best = scored[0][0]
        return [p for r, p in scored if r >= best - RELEVANCE_MARGIN]

    def groups(self, question: str, evidence: Sequence[SentenceHit], task: str = "answer") -> list[FactGroup]:
        """Fact groups in answer order: facts several outlets report first, then by relevance."""
        positions = self.select(question, evidence, task)
        if not positions:
            return []
        vectors = self._vectors(evidence)
        rel = {p: relevance(question, evidence[p - 1]) for p in positions}
        clusters = group_same_facts(evidence, vectors, positions)
        out = [FactGroup(g[0], tuple(g), max(rel[p] for p in g)) for g in clusters]
        out.sort(key=lambda g: (-len({evidence[p - 1].outlet for p in g.members}), -g.relevance))
        return out

    def generate(self, task: str, question: str, evidence: Sequence[SentenceHit]) -> Iterator[DraftClaim]:
        """Yield one claim per fact group, attributed when only one of several outlets reports it."""
        groups = self.groups(question, evidence, task)
        limit = self.max_claims if task == "answer" else len(groups)
        several_outlets = len({h.outlet for h in evidence}) > 1
        for group in groups[:limit]:
            members = [evidence[p - 1] for p in group.members]
            text = evidence[group.lead - 1].sentence.text
            if several_outlets and len({h.outlet for h in members}) == 1:
                text = attribute(text, members)
            yield DraftClaim(text=text, markers=group.members)


def make_generator(settings: Settings) -> ExtractiveGenerator:
    return ExtractiveGenerator(settings)
