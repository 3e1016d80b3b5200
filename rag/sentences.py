"""Split article text into sentences with exact character offsets.

pysbd (a rule-based segmenter built for messy prose: abbreviations such as "U.S.", "Col.", "Aug.",
quotes and brackets) finds the boundaries; we compute offsets ourselves so that
`text[s.start:s.end] == s.text` holds for every sentence, whatever the segmenter does.
Line breaks are hard boundaries: news paragraphs never share a sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from rag.types import Sentence

_PARAGRAPH = re.compile(r"[^\n]+")
# pysbd keeps these glued to the next sentence ("so… Then"); an ellipsis followed by a capitalised word ends one.
_ELLIPSIS_BREAK = re.compile(r"(?<=…)\s+(?=[\"“‘(\[]?[A-Z])")


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def _segments(paragraph: str) -> list[str]:
    pieces: list[str] = []
    for part in _ELLIPSIS_BREAK.split(paragraph):
        pieces.extend(_segmenter().segment(part) if part.strip() else [])
    return pieces


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, stripped of surrounding whitespace, in order."""
    spans: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(text):
        base, body = para.start(), para.group()
        cursor = 0
        for piece in _segments(body):
            piece = piece.strip()
            if not piece:
                continue
            found = body.find(piece, cursor)
            if found < 0:  # the segmenter altered the text; keep the rest of the paragraph whole
                break
            spans.append((base + found, base + found + len(piece)))
            cursor = found + len(piece)
        rest = body[cursor:]
        if rest.strip():
            lead = len(rest) - len(rest.lstrip())
            spans.append((base + cursor + lead, base + cursor + len(rest.rstrip())))
    return spans


def split_sentences(doc_id: str, text: str) -> list[Sentence]:
    """The document's sentences, numbered from 0 in reading order."""
    return [
        Sentence(doc_id=doc_id, index=i, text=text[start:end], start=start, end=end)
        for i, (start, end) in enumerate(sentence_spans(text))
    ]
