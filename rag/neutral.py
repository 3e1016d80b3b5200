"""Safe neutral rewrites of source sentences, each checked by the verifier against what it cites.

Only four edits are made, all reversible by a reader looking at the cited sentence: drop a leading
discourse marker ("Meanwhile,"), replace a loaded term outside quotes with its reviewed neutral equivalent
("war games" → "military exercises", "claimed" → "said"), put a loaded term with no safe equivalent in
quotation marks, and attribute the sentence to its outlet. If the verifier does not find the rewrite
supported by the cited sentences, the original is quoted whole and attributed instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.framing import LoadedTerm, detect_loaded_terms, unquoted_loaded_terms
from rag.types import Verdict, Verification

# verifier(claim, cited sentences, their outlets) -> verdict; outlets let it strip "X reported that" safely.
Verifier = Callable[[str, Sequence[str], Sequence[str]], Verification]

_DISCOURSE = re.compile(
    r"^(?:meanwhile|additionally|furthermore|moreover|in addition|in conclusion|in a related development|"
    r"however|also|separately|overall|notably|importantly)\s*,\s+", re.IGNORECASE)
_EDITORIAL = re.compile(r"^it is (?:important|worth|crucial|essential) to (?:emphasize|note|stress) that\s+",
                        re.IGNORECASE)
# First words that are not names, so they may be lower-cased after "According to X, ".
_COMMON_OPENERS = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "their", "his", "her", "our", "there",
    "here", "he", "she", "they", "we", "some", "many", "most", "several", "both", "each", "all", "during",
    "after", "before", "while", "when", "in", "on", "at", "for", "by", "with", "as", "since", "despite",
))
_REPORT_CUE = re.compile(
    r"\b(?:according to|said|says|saying|told|reported|reports|stated|added|wrote|announced|quoted)\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Rewrite:
    """A neutral sentence, the source sentence it rewrites, what changed, and the verifier's verdict."""

    text: str
    original: str
    changes: tuple[str, ...]
    verification: Verification
    quoted_fallback: bool = False


def strip_discourse(text: str) -> str:
    """Drop a leading connective or editorial frame that only makes sense inside the source article."""
    for pattern in (_DISCOURSE, _EDITORIAL):
        match = pattern.match(text)
        if match and len(text) - match.end() > 20:
            text = text[match.end():]
            text = text[:1].upper() + text[1:]
    return text


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first.lower() in _COMMON_OPENERS and first[1:].islower() else text


def attribute(text: str, outlet: str) -> str:
    """Attribute a sentence to its outlet: "X reported that ...", or "According to X, ..." before a quotation
    or when the name holds punctuation, or "..., according to X." when it already opens with an attribution."""
    if text.lower().startswith("according to"):
        body = text.rstrip()
        end = body[-1] if body[-1] in ".!?" else "."
        return f"{body.rstrip('.!?')}, according to {outlet}{end}"
    if text[:1] in "\"“‘'" or re.search(r"[,.;:]", outlet):
        return f"According to {outlet}, {_lower_first(text)}"
    return f"{outlet} reported that {_lower_first(text)}"


def is_attributed(text: str) -> bool:
    """Whether a sentence names who says what it says (a report verb or "according to")."""
    return bool(_REPORT_CUE.search(text))


def quote_whole(text: str, outlet: str) -> str:
    """The original sentence as an attributed quotation; inner double quotes become single quotes."""
    inner = text.replace("“", "‘").replace("”", "’").replace('"', "'")
    return f"{outlet} reported: “{inner}”"


def neutral_wording(text: str) -> tuple[str, list[str], bool]:
    """Replace or quote each loaded term outside quotes; returns (text, changes, whether one was quoted)."""
    terms = [t for t in unquoted_loaded_terms(text) if t.category != "scare_quote"]
    changes: list[str] = []
    quoted_any = False
    for term in sorted(terms, key=lambda t: -t.start):  # right to left keeps earlier offsets valid
        replacement = _replacement(term)
        if replacement is None:
            replacement = f"“{term.term}”"
            quoted_any = True
            changes.append(f"quoted {replacement}")
        else:
            changes.append(f"{term.term} → {replacement}")
        text = text[: term.start] + replacement + text[term.end:]
    return re.sub(r"\s{2,}", " ", text), changes[::-1], quoted_any


def _replacement(term: LoadedTerm) -> str | None:
    if term.neutral is None:
        return None
    return term.neutral[:1].upper() + term.neutral[1:] if term.term[:1].isupper() else term.neutral


def neutral_rewrite(text: str, outlet: str, *, must_attribute: bool) -> tuple[str, list[str]]:
    """The neutral form of one source sentence, before verification."""
    body = strip_discourse(text.strip())
    changes = ["dropped connective"] if body != text.strip() else []
    body, wording, quoted_any = neutral_wording(body)
    changes.extend(wording)
    if must_attribute or quoted_any:
        body = attribute(body, outlet)
        changes.append(f"attributed to {outlet}")
    return body, changes


def rewrite_verified(
    text: str, outlet: str, sources: Sequence[str], verifier: Verifier, *, must_attribute: bool,
    outlets: Sequence[str] | None = None,
) -> Rewrite:
    """Rewrite neutrally, verify against the cited sentences; quote the original when the rewrite fails."""
    outlets = list(outlets or [outlet])
    rewritten, changes = neutral_rewrite(text, outlet, must_attribute=must_attribute)
    verification = verifier(rewritten, sources, outlets)
    if verification.verdict == Verdict.SUPPORTED and not unquoted_loaded_terms(rewritten):
        return Rewrite(rewritten, text, tuple(changes), verification)
    quoted = quote_whole(text, outlet)
    fallback = verifier(quoted, sources, outlets)
    reasons = (f"rewrite not verified ({verification.verdict}); quoted the source instead", *fallback.reasons)
    return Rewrite(quoted, text, ("quoted whole sentence",),
                   Verification(fallback.verdict, fallback.score, reasons), quoted_fallback=True)


def check_generated(text: str) -> tuple[str, list[str]]:
    """The loaded-term check for LLM output: replace terms outside quotes where a neutral word exists,
    quote the rest; returns the new text and one flag per term found."""
    flagged = [t for t in unquoted_loaded_terms(text) if t.category != "scare_quote"]
    if not flagged:
        return text, []
    new, _, _ = neutral_wording(text)
    return new, [f"loaded term outside quotes: {t.term!r}" for t in flagged]


def loaded_outside_quotes(text: str) -> list[LoadedTerm]:
    """Loaded terms a briefing sentence uses in its own voice (scare quotes are quotes, so excluded)."""
    return [t for t in detect_loaded_terms(text) if not t.quoted]
