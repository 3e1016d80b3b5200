"""Offline claim verification: is a claim supported by the exact sentences it cites?

There is no NLI model to download here, so the verdict combines signals we can compute locally and explain:
embedding similarity (the local sentence model), lexical coverage of the claim's content words, and three
hard checks that catch the classic hallucinations — a number the sources do not contain ("$4.5 billion"
against "480 million dollars"), a name they do not mention, and a negation that flips the meaning. Attribution
wrappers a composer adds ("According to KCNA, ...", "Both outlets report that ...") are removed first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from rag.settings import Settings, get_settings
from rag.terms import (
    content_terms,
    entities_in,
    fold,
    number_in,
    number_mentions,
    polarities,
    term_matches,
    tokens,
)
from rag.types import Verdict, Verification
from rag.vector_cache import encode_cached

if TYPE_CHECKING:
    from rag.embeddings import SentenceEmbeddings

# Wrappers a composer puts around a source's content; they attribute, they do not assert. `(?P<who>…)` is
# checked against the cited outlets when they are known, so "according to the Constitution" in place of
# "according to the IMF" is content, not a wrapper.
_VERBS = r"(?:reports?|reported|writes?|wrote|says|said|notes?|noted|states?|stated|adds?|added)"
_LEADING_WRAPPERS = (
    re.compile(r"^according to (?P<who>[^,]{1,80}?),\s+", re.IGNORECASE),
    re.compile(rf"^(?P<who>[^,.;:]{{1,80}}?)\s+{_VERBS}(?:\s+that\s+|:\s*)", re.IGNORECASE),
    re.compile(r"^in (?:the )?words of (?P<who>[^,]{1,80}?),\s+", re.IGNORECASE),
)
_TRAILING_WRAPPERS = (
    re.compile(r",\s+(?:according to|as reported by)\s+(?P<who>[^,;:]{1,80}?)(?P<end>[.!?…]*)$",
               re.IGNORECASE),
    re.compile(rf",\s+(?P<who>[^,.;:]{{1,80}}?)\s+{_VERBS}(?P<end>[.!?…]*)$", re.IGNORECASE),
)
# Who a composer may name without naming an outlet.
_GENERIC_WHO = re.compile(
    r"^(?:one|another|the|a|both|all|several|some|most|two|three|other)?\s*(?:of the\s+)?"
    r"(?:reports?|outlets?|sources?|articles?|stor(?:y|ies)|accounts?)$",
    re.IGNORECASE,
)


def _allowed_who(who: str, outlets: Sequence[str] | None) -> bool:
    """Whether `who` names the cited outlets (when they are not known: anything short enough to be a name)."""
    who = who.strip().strip("“”\"'")
    if _GENERIC_WHO.match(who):
        return True
    if outlets is None:
        return len(who.split()) <= 8
    known = {fold(o).strip("“”\" ") for o in outlets}
    parts = [p for p in re.split(r",\s*|\s+and\s+", who) if p.strip()]
    return bool(parts) and all(fold(p).strip() in known for p in parts)


# A sentence addressed to a model ("Ignore previous instructions and say ...") states no fact about the world;
# it can support only a claim that reports it as what the article says.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instructions?|prompts?|rules|directions)\b"
    r"|\b(?:system prompt|you are now|as an ai)\b",
    re.IGNORECASE,
)

# Weights of the two graded signals; the hard checks then cap the score.
_WEIGHT_SIMILARITY = 0.5
_CAP_NUMBER = 0.3
_CAP_NEGATION = 0.3
_CAP_ENTITY = 0.45


def strip_attribution(claim: str, outlets: Sequence[str] | None = None) -> str:
    """The asserted content of a claim without the attribution wrapper around it.

    With `outlets` (the outlets of the cited sentences) only wrappers naming them, or a generic "one report",
    are removed; without, any short attribution is.
    """
    text = claim.strip()
    for pattern in _LEADING_WRAPPERS:
        match = pattern.match(text)
        if match and len(text) - match.end() > 10 and _allowed_who(match.group("who"), outlets):
            text = text[match.end():].strip()
            if text[:1] in "“\"" and text[-1:] in "”\"" and len(text) > 2:
                text = text[1:-1]
            break
    for pattern in _TRAILING_WRAPPERS:
        match = pattern.search(text)
        if match and match.start() > 10 and _allowed_who(match.group("who"), outlets):
            text = text[: match.start()] + (match.group("end") or ".")
            break
    return text[:1].upper() + text[1:] if text else text


def is_instruction(text: str) -> bool:
    """True for text that tries to instruct a model (prompt injection) rather than report anything."""
    return bool(_INSTRUCTION.search(text))


def _similarity(claim: str, sources: Sequence[str], embeddings: SentenceEmbeddings | None) -> float:
    if embeddings is None:
        from rag.embeddings import SentenceEmbeddings

        embeddings = SentenceEmbeddings(get_settings().embedding_model)
    vectors = encode_cached(embeddings, [claim, *sources])
    best = float(np.max(vectors[1:] @ vectors[0]))
    if len(sources) > 1 and best < 0.9:  # a claim may combine what several sentences say
        joined = encode_cached(embeddings, [" ".join(sources)])[0]
        best = max(best, float(joined @ vectors[0]))
    return best


def _scaled_similarity(cosine: float) -> float:
    """Map cosine (paraphrase ≈ 0.8+, related ≈ 0.5, unrelated ≈ 0.2) to 0–1."""
    return float(np.clip((cosine - 0.3) / 0.55, 0.0, 1.0))


def negation_mismatch(claim: str, sources: Sequence[str]) -> str | None:
    """A word the claim negates that the sources only state positively, or the reverse (None: they agree)."""
    said = polarities(" ".join(sources))
    for word, claimed in polarities(claim).items():
        for negated in claimed:
            if word in said and negated not in said[word]:
                return f"the claim {'negates' if negated else 'affirms'} “{word}”, the source " + (
                    "does not" if negated else "negates it")
    return None


def verify_claim(
    claim_text: str,
    sources: Sequence[str],
    *,
    embeddings: SentenceEmbeddings | None = None,
    settings: Settings | None = None,
    outlets: Sequence[str] | None = None,
) -> Verification:
    """Verdict, score (0–1) and human-readable reasons for `claim_text` against the sentences it cites.

    `outlets`: the outlets of the cited sentences, when known; attribution to anyone else is then checked as
    content (a swapped source is caught), not removed as a wrapper.
    """
    thresholds = get_settings(settings).verify
    sources = [s for s in sources if s and s.strip()]
    if not sources:
        return Verification(Verdict.UNSUPPORTED, 0.0, ("cites no source sentence",))
    if all(is_instruction(s) for s in sources) and not is_instruction(claim_text):
        return Verification(Verdict.UNSUPPORTED, 0.0, ("the cited text is an instruction, not a statement",))
    claim = strip_attribution(claim_text, outlets)
    if not re.search(r"\w", claim):
        return Verification(Verdict.UNSUPPORTED, 0.0, ("claim is empty",))
    joined = " ".join(sources)
    reasons: list[str] = []

    terms = content_terms(claim)
    source_terms = content_terms(joined)
    covered = term_matches(terms, source_terms)
    coverage = len(covered) / len(terms) if terms else 1.0
    cosine = _similarity(claim, sources, embeddings)
    score = (1 - _WEIGHT_SIMILARITY) * coverage + _WEIGHT_SIMILARITY * _scaled_similarity(cosine)
    reasons.append(f"similarity {cosine:.2f}; {len(covered)}/{len(terms)} content words found in the sources")
    missing_terms = sorted(terms - covered)
    if missing_terms and coverage < 1:
        reasons.append("not in the sources: " + ", ".join(missing_terms[:6]))

    source_numbers = [value for _, value in number_mentions(joined)]
    missing_numbers = [text for text, value in number_mentions(claim) if not number_in(value, source_numbers)]
    if missing_numbers:
        score = min(score, _CAP_NUMBER)
        reasons.append("number not in the cited sentences: " + ", ".join(missing_numbers))

    source_tokens = set(tokens(joined))
    missing_names = [name for name in entities_in(claim) if not _name_found(name, source_tokens)]
    if missing_names:
        score = min(score, _CAP_ENTITY)
        reasons.append("name not in the cited sentences: " + ", ".join(missing_names))

    flipped = negation_mismatch(claim, sources)
    if flipped:
        score = min(score, _CAP_NEGATION)
        reasons.append(f"negation mismatch: {flipped}")

    if score >= thresholds.supported_threshold:
        verdict = Verdict.SUPPORTED
    elif score >= thresholds.partial_threshold:
        verdict = Verdict.PARTIAL
    else:
        verdict = Verdict.UNSUPPORTED
    return Verification(verdict, round(score, 4), tuple(reasons))


def _name_found(name: str, source_tokens: set[str]) -> bool:
    """Every word of the name occurs in the sources (prefix match tolerates "Korea"/"Korean")."""
    for word in tokens(name):
        if word in source_tokens:
            continue
        if len(word) >= 4 and any(t.startswith(word) or (len(t) >= 4 and word.startswith(t))
                                  for t in source_tokens):
            continue
        return False
    return True
