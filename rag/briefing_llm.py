"""The LLM path of a briefing: the model writes the fact sentences; we resolve, check and verify them.

The generator gets the aligned sentences as numbered evidence (prompt `brief_chat` / `brief_completion`,
chosen by the generator). Each sentence it writes is resolved to the evidence it cites, put through the
loaded-term check (a loaded word in the model's own voice is flagged), attributed when it rests on one
outlet, and verified. Claims citing two or more outlets are key
facts; claims citing one are single-source. A model that writes no cited sentence at all counts as
unavailable, so the briefing falls back to the extractive composer (when allowed) and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rag.alignment import FactGroup
from rag.citations import resolve_claim
from rag.errors import ProviderUnavailable
from rag.neutral import Verifier, attribute_text, check_generated, is_attributed
from rag.prompts import is_refusal
from rag.types import Claim, Section, SectionKind, SentenceHit


def evidence_for(groups: Sequence[FactGroup], limits: tuple[int, int, int]) -> list[SentenceHit]:
    """Numbered evidence, kept short for small local models: one sentence per outlet of each agreed fact,
    then single-source sentences, in group order."""
    n_key, n_single, _ = limits
    agree = [g for g in groups if g.kind == "agree"][:n_key]
    single = [g for g in groups if g.kind == "single"][:n_single]
    hits: list[SentenceHit] = []
    for group in (*agree, *single):
        firsts = {m.outlet: m for m in reversed(group.members)}  # each outlet's first member
        hits.extend(SentenceHit(m.sentence, 1.0, m.outlet) for m in group.members if firsts[m.outlet] is m)
    return hits


def llm_fact_sections(
    generator: Any, topic: str, groups: Sequence[FactGroup], verifier: Verifier, limits: tuple[int, int, int]
) -> list[Section]:
    """Key-facts and single-source sections written by the generator, verified and loaded-term checked."""
    evidence = evidence_for(groups, limits)
    key: list[Claim] = []
    single: list[Claim] = []
    for draft in generator.generate("brief", topic, evidence):
        if is_refusal(draft.text):
            continue
        resolution = resolve_claim(draft, evidence)
        if not resolution.citations:
            continue
        text, flags = check_generated(draft.text)
        outlets = list(dict.fromkeys(c.outlet for c in resolution.citations))
        if len(outlets) == 1 and not is_attributed(text):
            text = attribute_text(text, outlets[0])
        verification = verifier(text, [c.text for c in resolution.citations], outlets)
        claim = Claim(text, resolution.citations, verification.verdict, verification.score,
                      (*verification.reasons, *flags, *resolution.problems))
        (key if len(outlets) >= 2 else single).append(claim)
    if not key and not single:
        raise ProviderUnavailable(f"{generator.name} wrote no sentence citing the sources")
    return [
        Section(SectionKind.KEY_FACTS, "Key facts", tuple(key[: limits[0]])),
        Section(SectionKind.SINGLE_SOURCE, "Reported by one outlet", tuple(single[: limits[1]])),
    ]
