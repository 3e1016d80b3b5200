"""Neutral wording without rewording: the checks a briefing or answer sentence must pass.

Text inside a citation is never altered by substitution. Neutrality comes from selection (prefer the aligned
sentence with fewer loaded terms), deletion (rag.deletion.compress) and attribution (rag.attribution.attribute).
This module holds what is left: the verifier's calling convention, the loaded-term check, and the handling of
text a model wrote (flagged, attributed — never given quotation marks its sources did not have).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rag.attribution import attribute
from rag.framing import LoadedTerm, detect_loaded_terms
from rag.linguistics import parse, read
from rag.types import Verification

# verifier(claim, cited sentences, their outlets) -> verdict; outlets let it strip "X reported that" safely.
Verifier = Callable[[str, Sequence[str], Sequence[str]], Verification]


def loaded_outside_quotes(text: str) -> list[LoadedTerm]:
    """Loaded terms a sentence uses in its own voice (scare quotes are quotes, so excluded)."""
    return [t for t in detect_loaded_terms(text) if not t.quoted and t.category != "scare_quote"]


def is_attributed(text: str) -> bool:
    """Whether a sentence names who says what it says ("X reported that", ", according to X", "Y said")."""
    doc = parse([text])[0]
    return read(doc).speaker is not None or any(f" {verb} that " in text for verb in ("reported", "wrote", "argued"))


def attribute_text(text: str, outlet: str) -> str:
    """A model's sentence resting on one outlet, framed as that outlet's (grammatically, nothing deleted)."""
    doc = parse([text])[0]
    return attribute(doc, outlet, read(doc), compressed=False)


def check_generated(text: str) -> tuple[str, list[str]]:
    """The loaded-term check for text a model wrote: the text unchanged and one flag per loaded term in its own
    voice (the reader sees the flag; quoting the word would put quotation marks where no source had them)."""
    return text, [f"loaded term outside quotes: {t.term!r}" for t in loaded_outside_quotes(text)]
