"""Values every part of Crossread passes around: documents, sentences, chunks, citations, claims, answers.

The citation unit is a sentence, addressed by (doc_id, index); retrieval returns sentences too.
Ids derive from content so that re-ingesting the same article is a no-op.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, overload

import numpy as np


def normalise_text(text: str) -> str:
    """Canonical form used for document identity: NFKC, case-folded, whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def content_id(text: str) -> str:
    """Stable 16-hex-digit id of a text's normalised content."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document; `document.text[start:end] == text` always holds."""

    doc_id: str
    index: int
    text: str
    start: int
    end: int

    @property
    def sentence_id(self) -> str:
        return sentence_id(self.doc_id, self.index)


def sentence_id(doc_id: str, index: int) -> str:
    """The vector-store id of a sentence."""
    return f"{doc_id}:{index}"


@dataclass(frozen=True)
class DocumentMeta:
    """What we know about an article besides its text."""

    outlet: str | None = None
    title: str | None = None
    byline: str | None = None
    date: str | None = None  # ISO 8601 date (YYYY-MM-DD) when known
    url: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Document:
    """An article as stored: body text (metadata header lines removed), metadata and sentences."""

    doc_id: str
    text: str
    meta: DocumentMeta
    sentences: tuple[Sentence, ...] = ()

    @property
    def label(self) -> str:
        """How the product names this document to a reader when attributing a claim."""
        return display_label(self.meta, self.doc_id)


def shorten(text: str, limit: int) -> str:
    """The text cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return (cut if not cut.endswith("…") else cut[:-1]) + "…"


def display_label(meta: DocumentMeta, doc_id: str) -> str:
    if meta.outlet:
        return meta.outlet
    if meta.title:
        return f"“{shorten(meta.title, 48)}”"
    return f"document {doc_id[:8]}"


@dataclass(frozen=True)
class LoadedArticle:
    """What a loader returns: raw text plus whatever metadata the source itself carried."""

    text: str
    meta: DocumentMeta


class IngestStatus(StrEnum):
    ADDED = "added"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class IngestResult:
    """The outcome of one input (file, URL or feed entry) of an ingest run."""

    input: str
    status: IngestStatus
    doc_id: str | None = None
    reason: str | None = None
    duplicate_of: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "status": str(self.status),
            "doc_id": self.doc_id,
            "reason": self.reason,
            "duplicate_of": self.duplicate_of,
        }


@dataclass(frozen=True)
class SentenceHit:
    """A retrieved sentence with its score and the document metadata needed to cite it."""

    sentence: Sentence
    score: float
    outlet: str
    meta: DocumentMeta = field(default_factory=DocumentMeta)

    def as_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.sentence.doc_id,
            "sentence_index": self.sentence.index,
            "text": self.sentence.text,
            "score": round(self.score, 4),
            "outlet": self.outlet,
        }


@dataclass(frozen=True, eq=False)
class Evidence(Sequence[SentenceHit]):
    """What retrieval found for a question: the hits, best first, with the vectors the store holds for them.

    The refusal gate, generators, verifier and briefing all read these vectors instead of re-encoding. It is a
    sequence of hits, so code that only needs the sentences iterates it.
    """

    question: str
    hits: tuple[SentenceHit, ...]
    vectors: np.ndarray  # one unit row per hit, same order
    question_vector: np.ndarray

    def __len__(self) -> int:
        return len(self.hits)

    @overload
    def __getitem__(self, index: int) -> SentenceHit: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[SentenceHit]: ...

    def __getitem__(self, index: int | slice) -> SentenceHit | Sequence[SentenceHit]:
        return self.hits[index]

    def __iter__(self) -> Iterator[SentenceHit]:
        return iter(self.hits)

    def only(self, doc_ids: Sequence[str]) -> Evidence:
        """The hits (and their vectors) from these documents, in the same order."""
        keep = [i for i, h in enumerate(self.hits) if h.sentence.doc_id in set(doc_ids)]
        return Evidence(self.question, tuple(self.hits[i] for i in keep), self.vectors[keep], self.question_vector)

    def cosines(self) -> np.ndarray:
        """Pairwise cosine similarity of the hits."""
        return self.vectors @ self.vectors.T if len(self.hits) else np.zeros((0, 0), dtype=np.float32)


class Verdict(StrEnum):
    SUPPORTED = "supported"
    PARTIAL = "partially supported"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    score: float
    reasons: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"verdict": str(self.verdict), "score": round(self.score, 4), "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Citation:
    """A resolved reference from a claim to one stored sentence."""

    marker: int
    doc_id: str
    sentence_index: int
    start: int
    end: int
    text: str
    outlet: str

    def as_json(self) -> dict[str, Any]:
        return {
            "marker": self.marker,
            "doc_id": self.doc_id,
            "sentence_index": self.sentence_index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "outlet": self.outlet,
        }


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer or briefing, the sentences it cites, and the verifier's verdict."""

    text: str
    citations: tuple[Citation, ...]
    verdict: Verdict
    score: float
    reasons: tuple[str, ...] = ()
    label: str | None = None  # what the claim does in a comparison: "Agreement", "Difference" (shown before it)

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "text": self.text,
            "verdict": str(self.verdict),
            "score": round(self.score, 4),
            "reasons": list(self.reasons),
            "citations": [c.as_json() for c in self.citations],
        }


@dataclass(frozen=True)
class Answer:
    """A grounded answer: claims with citations, or a refusal with the closest sentences found."""

    question: str
    claims: tuple[Claim, ...]
    refused: bool
    generator: str
    closest: tuple[SentenceHit, ...] = ()
    notice: str | None = None  # e.g. "Ollama unreachable; answered with extractive"

    @property
    def text(self) -> str:
        """The answer with inline [n] markers."""
        parts = []
        for claim in self.claims:
            markers = "".join(f"[{c.marker}]" for c in claim.citations)
            parts.append(f"{claim.text} {markers}".strip())
        return " ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "generator": self.generator,
            "notice": self.notice,
            "claims": [c.as_json() for c in self.claims],
            "closest": [h.as_json() for h in self.closest],
        }


@dataclass(frozen=True)
class DraftClaim:
    """A sentence a generator produced, citing evidence by 1-based position (before resolution/verification).

    `markers` refer to the numbered evidence list the generator was given; anything out of range is
    dropped by citation resolution, never shown.
    """

    text: str
    markers: tuple[int, ...]
    label: str | None = None  # "Agreement" / "Difference" in a comparison; not part of the verified text


class SectionKind(StrEnum):
    KEY_FACTS = "key_facts"
    SINGLE_SOURCE = "single_source"
    DIFFERENCES = "differences"
    FRAMING = "framing"


@dataclass(frozen=True)
class Section:
    kind: SectionKind
    title: str
    claims: tuple[Claim, ...]

    def as_json(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "title": self.title, "claims": [c.as_json() for c in self.claims]}


@dataclass(frozen=True)
class Briefing:
    """A neutral multi-source briefing: sections of verified, cited claims and per-outlet coverage."""

    title: str
    generator: str
    sections: tuple[Section, ...]
    coverage: dict[str, float]
    notice: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "generator": self.generator,
            "notice": self.notice,
            "sections": [s.as_json() for s in self.sections],
            "coverage": {k: round(v, 4) for k, v in self.coverage.items()},
        }
