"""Comparison questions ("How do X and Y describe ...", "Where do the sources disagree ...", "What does each
outlet say ..."): for each outlet, what it says (cited, attributed); then one agreement line (a fact two or more
outlets report) and one difference line (a fact they report differently, or one only some report).

The agreement and difference lines carry a label shown before the claim ("Agreement", "Difference"); the claim
text itself is an attributed source sentence, so the verifier checks it like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from rag.attribution import attribute, join_names
from rag.deletion import needs_context
from rag.linguistics import Reading
from rag.types import DraftClaim, Evidence

if TYPE_CHECKING:
    from rag.providers.extractive import ExtractiveGenerator

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
    from rag.providers.extractive import article_names, conflicting, outlet_names, relevance, same_topic

    groups = generator.groups(question, evidence, positions, task="brief")
    names = article_names(evidence)
    rank = {p: relevance(question, evidence[p - 1]) for p in positions}
    outlets = list(dict.fromkeys(evidence[p - 1].outlet for p in sorted(positions, key=lambda p: -rank[p])))
    asked = [o for o in outlets if names_outlet(question, o)]
    # The outlets the question names first, then the closest others (a reader also wants who else reported it).
    outlets = (asked + [o for o in outlets if o not in asked])[:max(MAX_OUTLETS, len(asked))]
    positions = [p for p in positions if evidence[p - 1].outlet in outlets]
    groups = [g for g in groups if all(evidence[p - 1].outlet in outlets for p in g.members)]
    used: set[int] = set()
    for outlet in outlets:
        # an outlet's account stands alone: a sentence opening on "it" or "this" only if it has no other
        mine = [p for p in positions if evidence[p - 1].outlet == outlet]
        standalone = [p for p in mine if not needs_context(readings[p - 1][0])]  # type: ignore[arg-type]
        best = max(standalone or mine, key=lambda p: rank[p])
        used.add(best)
        doc, reading = readings[best - 1]
        yield DraftClaim(attribute(doc, outlet_names([evidence[best - 1]], names), reading), (best,))  # type: ignore[arg-type]
    if len(outlets) < 2:
        return
    shared = next((g for g in groups if len({evidence[p - 1].outlet for p in g.members}) > 1 and not g.contested
                   and not readings[g.lead - 1][1].tail and g.lead not in used), None)
    if shared is not None:
        doc, reading = readings[shared.lead - 1]
        who = outlet_names([evidence[p - 1] for p in shared.members], names)
        yield DraftClaim(attribute(doc, who, reading), shared.members, label="Agreement")  # type: ignore[arg-type]
    cos = evidence.cosines()
    for i, a in enumerate(groups):
        for b in groups[i + 1:]:
            ha, hb = evidence[a.lead - 1], evidence[b.lead - 1]
            if ha.outlet != hb.outlet and conflicting(ha, hb) and same_topic(
                    ha, hb, float(cos[a.lead - 1, b.lead - 1]), generator.settings):
                for g in (a, b):
                    doc, reading = readings[g.lead - 1]
                    yield DraftClaim(attribute(doc, outlet_names([evidence[g.lead - 1]], names), reading),  # type: ignore[arg-type]
                                     (g.lead,), label="Difference")
                return
    alone = next((g for g in groups if len({evidence[p - 1].outlet for p in g.members}) == 1
                  and g.lead not in used), None)
    if alone is not None:
        hit = evidence[alone.lead - 1]
        doc, reading = readings[alone.lead - 1]
        others = [o for o in outlets if o != hit.outlet]
        label = f"Difference: only {outlet_names([hit], names)[0]} reports this" + (
            f"; the sentences found from {join_names(others)} do not" if others else "")
        yield DraftClaim(attribute(doc, outlet_names([hit], names), reading), (alone.lead,), label=label)  # type: ignore[arg-type]
