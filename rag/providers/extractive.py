"""The default offline generator: composes an answer from the evidence sentences themselves.

The first claim is the direct answer: the most relevant statement, compressed by deletion (rag.linguistics).
Sentences from different outlets that say the same thing become one claim citing all of them; what one outlet
alone says, or what outlets report differently, is attributed to the outlet by name; opinion is "wrote", never
stated. Questions, asides, headlines, boilerplate and text addressed to a model are never used. Comparison
questions get a per-outlet answer (rag.comparison). Every remaining word is the source's, so each claim stays
verifiable against what it cites; the verifier still checks it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from rag.attribution import attribute, clean_claim, frame_names
from rag.deletion import needs_context
from rag.framing import carries_quotes
from rag.linguistics import Reading, Role, answer_types, gives_answer_type, parse, read
from rag.neutral import loaded_outside_quotes
from rag.prompts import is_instruction
from rag.settings import Settings, get_settings
from rag.terms import content_terms, figures_agree, figures_in, has_negation, question_terms, stem, term_matches, tokens
from rag.types import DraftClaim, Evidence, SentenceHit

UNNAMED = "one report"
_MARKUP = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?>|\[/?(?:INST|SYS)\]|<\|[a-z_]+\|>")


def addressed_to_a_model(text: str) -> bool:
    """Text that instructs a model or carries markup meant for one: data that states nothing, never used."""
    return is_instruction(text) or bool(_MARKUP.search(text))


@dataclass(frozen=True)
class EvidenceCluster:
    """Evidence positions (1-based) reporting one fact of an answer, ranked by `relevance`; `lead` is the one
    whose wording the claim uses. (A briefing's cross-outlet fact is rag.alignment.FactGroup.)"""

    lead: int
    members: tuple[int, ...]
    relevance: float
    contested: bool = False


def article_names(evidence: Sequence[SentenceHit]) -> dict[str, str]:
    """doc_id -> how frames name each article of the evidence (an outlet that reads as a command to a model
    counts as unknown)."""
    return frame_names((h.sentence.doc_id, h.meta.outlet if h.meta.outlet and not addressed_to_a_model(h.meta.outlet)
                        else None) for h in evidence)


def outlet_names(hits: Sequence[SentenceHit], names: dict[str, str] | None = None) -> list[str]:
    """Who to name for each hit, in order: its outlet, or "one report" / "another report" when unknown."""
    names = names or article_names(hits)
    return list(dict.fromkeys(names.get(h.sentence.doc_id, UNNAMED) for h in hits))


def same_topic(a: SentenceHit, b: SentenceHit, cosine: float, settings: Settings) -> bool:
    """Two sentences are about the same thing: close in meaning and sharing many content words."""
    ta, tb = content_terms(a.sentence.text), content_terms(b.sentence.text)
    overlap = len(ta & tb) / max(1, min(len(ta), len(tb)))
    return cosine >= settings.answer.same_fact_cosine and overlap >= settings.answer.same_fact_overlap


def calmest(positions: Sequence[int], evidence: Sequence[SentenceHit], readings: Sequence[tuple[object, Reading]],
            lead: int) -> int:
    """Of sentences stating one fact, the one with the fewest loaded terms outside quotations that a reader
    understands alone; `lead` on a tie (Fox's "Moderna has claimed that ..." and The Hill's "Moderna ...
    released the results ..., reporting it 96 percent effective": The Hill's words)."""
    alone = [p for p in positions if not needs_context(readings[p - 1][0])] or [lead]  # type: ignore[arg-type]
    return min(alone, key=lambda p: (len(loaded_outside_quotes(evidence[p - 1].sentence.text)), p != lead))


def same_fact(a: SentenceHit, b: SentenceHit, cosine: float, settings: Settings) -> bool:
    """Two sentences of one topic state one fact: very close in meaning (answer.agreement_cosine), or close and
    giving the same figure ("added 266,000 jobs in April" / "just 266,000 jobs last month"). What DeSantis said of
    a law and his signing it (0.70, no figure) share a topic only."""
    if cosine >= settings.answer.agreement_cosine:
        return True
    given = figures_in(a.sentence.text)
    return bool(given) and figures_agree(given, figures_in(b.sentence.text)) and same_topic(a, b, cosine, settings)


def conflict_kind(a: SentenceHit, b: SentenceHit) -> str | None:
    """The briefing's rule (rag.alignment.find_conflicts): numbers, dates or names that differ for the same
    unit or role ("number", "date", "name"); or only one of the two is negated ("negation"); else None."""
    from rag.alignment import OutletSentence, find_conflicts

    sides = OutletSentence(a.sentence, a.outlet), OutletSentence(b.sentence, b.outlet)
    kind = next((c.kind for c in find_conflicts(*sides) if c.kind != "framing"), None)
    if kind is None and has_negation(a.sentence.text) != has_negation(b.sentence.text):
        return "negation"
    return kind


def conflicting(a: SentenceHit, b: SentenceHit) -> bool:
    return conflict_kind(a, b) is not None


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
    notice: str | None = None

    def __init__(self, settings: Settings | None = None):
        self.settings = get_settings(settings)

    def readings(self, evidence: Sequence[SentenceHit]) -> list[tuple[object, Reading]]:
        docs = parse([h.sentence.text for h in evidence])
        return [(d, read(d)) for d in docs]

    def usable(self, evidence: Sequence[SentenceHit], readings: Sequence[tuple[object, Reading]]) -> list[int]:
        """Positions (1-based) that can be stated: statements, not questions, asides or injected commands."""
        return [i + 1 for i, (h, (_, r)) in enumerate(zip(evidence, readings, strict=True))
                if r.usable and not addressed_to_a_model(h.sentence.text)]

    def groups(self, question: str, evidence: Evidence, positions: Sequence[int], task: str,
               readings: Sequence[tuple[object, Reading]] | None = None) -> list[EvidenceCluster]:
        """Evidence clusters in answer order: by relevance, with a small bonus for facts several outlets report and
        (with `readings`) for sentences holding what the question asks for (a number for "how many")."""
        cfg = self.settings.answer
        rel = {p: relevance(question, evidence[p - 1]) for p in positions}
        wanted = answer_types(question)
        if wanted and readings is not None:
            for p in positions:
                rel[p] += cfg.answer_type_bonus * gives_answer_type(readings[p - 1][0], wanted)  # type: ignore[arg-type]
        ranked = sorted(positions, key=lambda p: -rel[p])
        if task == "answer" and ranked:
            best = rel[ranked[0]]
            ranked = [p for p in ranked if rel[p] >= best - cfg.relevance_margin]
        cos = evidence.cosines()
        clusters: list[list[int]] = []
        for pos in ranked:
            for group in clusters:
                lead = group[0]
                if same_topic(evidence[lead - 1], evidence[pos - 1], float(cos[lead - 1, pos - 1]), self.settings) \
                        and not conflicting(evidence[lead - 1], evidence[pos - 1]):
                    if evidence[pos - 1].sentence.doc_id not in {evidence[p - 1].sentence.doc_id for p in group}:
                        group.append(pos)
                    break
            else:
                clusters.append([pos])
        contested: set[int] = set()
        for i, gi in enumerate(clusters):
            for j in range(i + 1, len(clusters)):
                a, b = evidence[gi[0] - 1], evidence[clusters[j][0] - 1]
                if a.outlet != b.outlet and same_topic(a, b, float(cos[gi[0] - 1, clusters[j][0] - 1]),
                                                       self.settings) and conflicting(a, b):
                    contested |= {i, j}
        if readings is not None:  # a cluster is stated by a member a reader understands alone ("They have so far
            # recovered 24 people" may back a claim, never open one); a cluster with none is left out
            clusters = [[p for p in g if not needs_context(readings[p - 1][0])]  # type: ignore[arg-type]
                        + [p for p in g if needs_context(readings[p - 1][0])] for g in clusters]  # type: ignore[arg-type]
            keep = [i for i, g in enumerate(clusters) if not needs_context(readings[g[0] - 1][0])]  # type: ignore[arg-type]
            contested = {keep.index(i) for i in contested if i in keep}
            clusters = [clusters[i] for i in keep]
        out = [EvidenceCluster(g[0], tuple(g), max(rel[p] for p in g), i in contested) for i, g in enumerate(clusters)]

        def standing(g: EvidenceCluster) -> float:
            return g.relevance + cfg.consensus_bonus * (len({evidence[p - 1].outlet for p in g.members}) - 1)

        return sorted(out, key=standing, reverse=True)

    def claim(self, group: EvidenceCluster, evidence: Sequence[SentenceHit], readings: Sequence[tuple[object, Reading]],
              ) -> DraftClaim:
        """One group as a claim: stated plainly when several outlets agree, else attributed by name. Another
        outlet's sentence is cited only when it states the lead's fact, not only its topic (agreement_cosine)."""
        if isinstance(evidence, Evidence):
            cos = evidence.cosines()
            close = tuple(p for p in group.members if p == group.lead or same_fact(
                evidence[group.lead - 1], evidence[p - 1], float(cos[group.lead - 1, p - 1]), self.settings))
            group = replace(group, members=close)
        several = len({evidence[p - 1].outlet for p in group.members}) > 1
        if several:  # selection: of the sentences stating the fact, the calmest gives the words
            lead = calmest(group.members, evidence, readings, group.lead)
            # an outlet is cited with it only if it quotes what the lead quotes (a paraphrase backs no quotation)
            group = replace(group, lead=lead, members=(lead, *(p for p in group.members if p != lead and carries_quotes(
                evidence[lead - 1].sentence.text, evidence[p - 1].sentence.text))))
            several = len({evidence[p - 1].outlet for p in group.members}) > 1
        members = [evidence[p - 1] for p in group.members]
        doc, reading = readings[group.lead - 1]
        if several and loaded_outside_quotes(clean_claim(doc)):  # type: ignore[arg-type]
            # the words are one outlet's: theirs alone, never what several outlets say
            only = (group.lead,)
            return DraftClaim(attribute(doc, outlet_names([evidence[group.lead - 1]], article_names(evidence)),  # type: ignore[arg-type]
                                        reading), only)
        if several and not group.contested and reading.role == Role.FACT:
            text = clean_claim(doc)  # type: ignore[arg-type]
        else:
            text = attribute(doc, outlet_names(members, article_names(evidence)), reading)  # type: ignore[arg-type]
        return DraftClaim(text=text, markers=group.members)

    def generate(self, task: str, question: str, evidence: Sequence[SentenceHit]) -> Iterator[DraftClaim]:
        """Yield the direct answer first, then supporting claims (or, for a comparison, each outlet's account)."""
        if not isinstance(evidence, Evidence):  # a plain list of hits (tests, other callers): no stored vectors
            evidence = _as_evidence(question, evidence, self.settings)
        readings = self.readings(evidence)
        positions = self.usable(evidence, readings)
        if not positions:
            return
        from rag.comparison import compare, is_comparison

        if task == "answer" and is_comparison(question):
            yield from compare(question, evidence, readings, positions, self)
            return
        groups = self.groups(question, evidence, positions, task, readings)
        wanted = answer_types(question) if task == "answer" else frozenset()
        giving = next((g for g in groups if wanted and gives_answer_type(readings[g.lead - 1][0], wanted)), None)  # type: ignore[arg-type]
        if giving is not None:  # the direct answer first: "How many senators voted against?" → "... 94-1 vote"
            groups = [giving] + [g for g in groups if g is not giving]
        limit = self.settings.answer.max_claims if task == "answer" else len(groups)
        for group in groups[:limit]:
            yield self.claim(group, evidence, readings)


def _as_evidence(question: str, hits: Sequence[SentenceHit], settings: Settings) -> Evidence:
    from rag.embeddings import SentenceEmbeddings

    embeddings = SentenceEmbeddings(settings.embedding_model)
    vectors = embeddings.encode([question] + [h.sentence.text for h in hits])
    return Evidence(question, tuple(hits), vectors[1:], vectors[0])


def make_generator(settings: Settings) -> ExtractiveGenerator:
    return ExtractiveGenerator(settings)

