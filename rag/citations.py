"""Citation markers: parse `[n]`, `[n, m]`, `[n][m]` out of model text and resolve them against the evidence.

A marker is a 1-based position in the evidence list the generator saw. Resolution only ever produces a
`Citation` for a position that exists in that list; anything else (out of range, malformed, missing) is
reported as a problem and never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rag.sentences import sentence_spans
from rag.types import Citation, DraftClaim, SentenceHit

# A bracket holding only numbers separated by commas/semicolons/"and", or a range "2-4": a citation marker.
# Anything else in brackets (e.g. "[KCNA]", "[North]") is prose and stays in the text.
_MARKER = re.compile(r"\[\s*(\d{1,6}(?:\s*(?:[,;]|[-–]|and)\s*\d{1,6})*)\s*\]")
# Brackets that look like an attempted citation but are malformed: "[3a]", "[#2]", "[ ]", "[Source 2]".
_BRACKET = re.compile(r"\[[^\[\]]{0,24}\]")
_MAX_RANGE = 20


@dataclass(frozen=True)
class Resolution:
    """Citations that resolve to given evidence, and what was dropped (for logs and the benchmark)."""

    citations: tuple[Citation, ...]
    problems: tuple[str, ...] = ()


def _numbers_in(body: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*(?:[,;]|and)\s*", body):
        if not part:
            continue
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2:
            low, high = int(bounds[0]), int(bounds[1])
            if low <= high and high - low < _MAX_RANGE:
                numbers.extend(range(low, high + 1))
            else:
                numbers.append(-1)  # an absurd range is malformed, reported as out of range
        else:
            numbers.append(int(part))
    return numbers


def extract_markers(text: str) -> tuple[str, tuple[int, ...]]:
    """Text with citation markers removed (spacing tidied), and the markers in order of appearance, unique."""
    found: list[int] = []
    for match in _MARKER.finditer(text):
        for n in _numbers_in(match.group(1)):
            if n not in found:
                found.append(n)
    clean = _MARKER.sub("", text)
    clean = re.sub(r"[ \t]+([.,;:!?])", r"\1", clean)
    clean = re.sub(r"[ \t]{2,}", " ", clean).strip()
    return clean, tuple(found)


def malformed_markers(text: str) -> list[str]:
    """Bracketed strings that look like attempted citations but are not valid markers."""
    return [
        m.group(0) for m in _BRACKET.finditer(text)
        if not _MARKER.fullmatch(m.group(0))
        and (re.search(r"\d", m.group(0)) or not m.group(0)[1:-1].strip())
    ]


def draft_claims_from_text(text: str) -> list[DraftClaim]:
    """Split generated prose into sentences, each with the markers that follow or sit inside it.

    A marker that opens a sentence ("... production. [2] He also ...") belongs to the sentence before it.
    """
    claims: list[tuple[str, list[int]]] = []
    for start, end in sentence_spans(text):
        piece = text[start:end]
        lead = re.match(r"^(?:\s*\[[^\]]*\])+", piece)
        if lead and claims:
            _, moved = extract_markers(lead.group(0))
            claims[-1][1].extend(m for m in moved if m not in claims[-1][1])
            piece = piece[lead.end():]
        clean, markers = extract_markers(piece)
        if re.search(r"\w", clean):
            claims.append((clean, list(markers)))
        elif markers and claims:  # a sentence that was only markers
            claims[-1][1].extend(m for m in markers if m not in claims[-1][1])
    return [DraftClaim(text=t, markers=tuple(m)) for t, m in claims]


def citation_for(position: int, hit: SentenceHit) -> Citation:
    """The citation of evidence item `position` (1-based)."""
    s = hit.sentence
    return Citation(marker=position, doc_id=s.doc_id, sentence_index=s.index, start=s.start, end=s.end,
                    text=s.text, outlet=hit.outlet)


def resolve_markers(markers: Iterable[int], evidence: Sequence[SentenceHit]) -> Resolution:
    """Citations for markers that name an evidence item; every other marker becomes a reported problem."""
    citations: list[Citation] = []
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    for marker in markers:
        if not isinstance(marker, int) or isinstance(marker, bool):
            problems.append(f"malformed marker {marker!r} dropped")
            continue
        if not 1 <= marker <= len(evidence):
            problems.append(f"marker [{marker}] is out of range (1-{len(evidence)}); dropped")
            continue
        hit = evidence[marker - 1]
        key = (hit.sentence.doc_id, hit.sentence.index)
        if key in seen:
            continue
        seen.add(key)
        citations.append(citation_for(marker, hit))
    return Resolution(tuple(citations), tuple(problems))


def resolve_claim(draft: DraftClaim, evidence: Sequence[SentenceHit]) -> Resolution:
    """Resolve a draft claim's markers; a claim citing nothing is reported as missing its citation."""
    resolution = resolve_markers(draft.markers, evidence)
    problems = list(resolution.problems)
    problems.extend(f"malformed marker {m!r} dropped" for m in malformed_markers(draft.text))
    if not draft.markers:
        problems.append("claim cites no evidence")
    return Resolution(resolution.citations, tuple(problems))


class MarkerNumbering:
    """Display numbers for cited sentences, 1, 2, 3… by first use; the same sentence keeps its number.

    Streaming-safe: numbers already shown never change.
    """

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, int], int] = {}

    def apply(self, citations: Iterable[Citation]) -> tuple[Citation, ...]:
        out = []
        for c in citations:
            key = (c.doc_id, c.sentence_index)
            number = self._numbers.setdefault(key, len(self._numbers) + 1)
            out.append(replace(c, marker=number))
        return tuple(out)
