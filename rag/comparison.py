"""Comparison questions ("How do X and Y describe ...", "Where do the sources disagree ...", "What does each
outlet say ..."): for each outlet, what it says (cited, attributed); then one agreement line (a fact two or more
outlets report) and one difference line (a fact they report differently, or one only some report).

The agreement and difference lines carry a label shown before the claim ("Agreement", "Figures differ"); the claim
text itself is an attributed source sentence, so the verifier checks it like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from rag.alignment import DIFFERENCE_LABELS
from rag.attribution import attribute, join_names
from rag.deletion import needs_context
from rag.linguistics import Reading, denies
from rag.neutral import loaded_outside_quotes
from rag.types import DraftClaim, Evidence

if TYPE_CHECKING:
    from rag.providers.extractive import EvidenceCluster, ExtractiveGenerator

_COMPARISON = re.compile(
    r"\bhow (?:do|did|does|have|are)\b.{0,120}?\b(?:describ|cover|report|frame|portray|characteri[sz]|present|"
    r"treat|differ|compar|see|view)\w*"
    r"|\bcompar(?:e|es|ed|ing|ison)\b|\bdiffer(?:s|ed|ence|ences|ent)?\b|\bdisagree|\bagree\b"
    r"|\beach (?:outlet|source|article|report|side|publication)\b"
    r"|\bwhat do (?:the )?(?:outlets|sources|articles|reports)\b|\bversus\b|\bvs\.?\s|\bin contrast\b",
    re.IGNORECASE,
)


MAX_OUTLETS = 4  # outlets given a line of their own when the question names none


def names_outlet(question: str, outlet: str) -> bool:
    """Whether the question names this outlet ("the Washington Times" names "Washington Times (News)")."""
    core = re.sub(r"\s*\(.*?\)\s*$", "", outlet).strip().lower()
    core = re.sub(r"^the\s+", "", core)
    return bool(core) and core in question.lower()


def is_comparison(question: str) -> bool:
    """Whether the question asks how outlets compare rather than what happened."""
    return bool(_COMPARISON.search(question))


def compare(question: str, evidence: Evidence, readings: Sequence[tuple[object, Reading]],
            positions: Sequence[int], generator: ExtractiveGenerator) -> Iterator[DraftClaim]:
    """Each outlet's account, then where they agree and where they differ."""
    from rag.providers.extractive import (
        article_names,
        calmest,
        conflict_kind,
        outlet_names,
        relevance,
        same_fact,
        same_topic,
    )

    groups = generator.groups(question, evidence, positions, task="brief")
    names = article_names(evidence)
    rank = {p: relevance(question, evidence[p - 1]) for p in positions}
    outlets = list(dict.fromkeys(evidence[p - 1].outlet for p in sorted(positions, key=lambda p: -rank[p])))
    asked = [o for o in outlets if names_outlet(question, o)]
    # The outlets the question names first, then the closest others (a reader also wants who else reported it).
    outlets = (asked + [o for o in outlets if o not in asked])[:max(MAX_OUTLETS, len(asked))]
    positions = [p for p in positions if evidence[p - 1].outlet in outlets]
    groups = [g for g in groups if all(evidence[p - 1].outlet in outlets for p in g.members)]
    accounts: dict[str, int] = {}
    for outlet in outlets:
        # an outlet's account stands alone: a sentence opening on "it" or "this" only if it has no other
        mine = [p for p in positions if evidence[p - 1].outlet == outlet]
        standalone = [p for p in mine if not needs_context(readings[p - 1][0])]  # type: ignore[arg-type]
        accounts[outlet] = max(standalone or mine, key=lambda p: rank[p])

    def said(p: int, who: Sequence[int] | None = None, label: str | None = None) -> DraftClaim:
        doc, reading = readings[p - 1]
        markers = tuple(who or (p,))
        return DraftClaim(attribute(doc, outlet_names([evidence[m - 1] for m in markers], names), reading),  # type: ignore[arg-type]
                          markers, label=label)

    if len(outlets) < 2:
        yield from (said(p) for p in accounts.values())
        return
    # Agreement: a fact two or more outlets report. Outlets whose own account is that fact are cited there
    # rather than given a line that says it again.
    cos = evidence.cosines()

    def agreeing(g: EvidenceCluster) -> tuple[int, ...]:
        """The members that state the lead's fact, not only its topic (rag.providers.extractive.same_fact)."""
        return tuple(p for p in g.members if p == g.lead or same_fact(
            evidence[g.lead - 1], evidence[p - 1], float(cos[g.lead - 1, p - 1]), generator.settings))

    def agreement(g: EvidenceCluster) -> tuple[int, ...]:
        """The agreeing members, the one whose words are stated first (the calmest); () when they are not
        several outlets' or the calmest still holds one outlet's loaded words (those are no agreement)."""
        members = agreeing(g)
        if g.contested or readings[g.lead - 1][1].tail or len({evidence[p - 1].outlet for p in members}) < 2:
            return ()
        lead = calmest(members, evidence, readings, g.lead)
        if loaded_outside_quotes(evidence[lead - 1].sentence.text):
            return ()
        return (lead, *(p for p in members if p != lead))

    agreed_members = next((m for m in map(agreement, groups) if m), ())
    agreed = set(agreed_members)
    # Difference: the first two facts from different outlets that conflict on a figure, date, name or negation;
    # each side is shown once, under the label that says what differs.
    sides: tuple[int, int] | None = None
    kind = None
    for i, a in enumerate(groups):
        for b in groups[i + 1:]:
            ha, hb = evidence[a.lead - 1], evidence[b.lead - 1]
            if ha.outlet != hb.outlet and same_topic(ha, hb, float(cos[a.lead - 1, b.lead - 1]), generator.settings):
                kind = conflict_kind(ha, hb)
                da, db = (denies(readings[g.lead - 1][0]) for g in (a, b))  # type: ignore[arg-type]
                if kind == "negation" and da == db:
                    kind = None  # "renters who could not pay" denies nothing the other side states
                if kind is not None:
                    sides = (a.lead, b.lead)
                    break
        if sides is not None:
            break
    held = agreed | set(sides or ())
    for p in accounts.values():
        if p not in held:
            yield said(p)
    if agreed_members:
        yield said(agreed_members[0], agreed_members, label="Agreement")
    if sides is not None and kind is not None:
        yield said(sides[0], label=DIFFERENCE_LABELS[kind])
        yield said(sides[1])
        return
    shown = set(accounts.values()) | agreed
    alone = next((g for g in groups if len({evidence[p - 1].outlet for p in g.members}) == 1
                  and g.lead not in shown), None)
    if alone is not None:
        hit = evidence[alone.lead - 1]
        others = [o for o in outlets if o != hit.outlet]
        label = f"Difference: only {outlet_names([hit], names)[0]} reports this" + (
            f"; the sentences found from {join_names(others)} do not" if others else "")
        yield said(alone.lead, label=label)
