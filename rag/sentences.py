"""Split article text into sentences with exact character offsets.

pysbd (a rule-based segmenter built for messy prose: abbreviations such as "U.S.", "Col.", "Aug.",
quotes and brackets) finds the boundaries; we compute offsets ourselves so that
`text[s.start:s.end] == s.text` holds for every sentence, whatever the segmenter does.
Line breaks are hard boundaries: news paragraphs never share a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import pysbd

from rag.types import Sentence

_PARAGRAPH = re.compile(r"[^\n]+")
# pysbd keeps these glued to the next sentence ("so… Then"); an ellipsis then a capitalised word ends one.
_ELLIPSIS_BREAK = re.compile(r"(?<=…)\s+(?=[\"“‘(\[]?[A-Z])")


@lru_cache(maxsize=4096)
def _compiled(pattern: str | re.Pattern[str], flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


class _KeptPatterns:
    """`re` as pysbd's modules see it, with compiled patterns kept in a cache big enough for them: pysbd builds a
    pattern per abbreviation it meets (~1,200 distinct ones on news), more than `re`'s own cache of 512 holds,
    so `re` compiled them again and again (half of pysbd's time). Same patterns, same flags, same results."""

    def __getattr__(self, name: str) -> object:
        return getattr(re, name)

    def sub(self, pattern: str, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0,
            flags: int = 0) -> str:
        return _compiled(pattern, flags).sub(repl, string, count)

    def findall(self, pattern: str, string: str, flags: int = 0) -> list[object]:
        return _compiled(pattern, flags).findall(string)

    def finditer(self, pattern: str, string: str, flags: int = 0) -> object:
        return _compiled(pattern, flags).finditer(string)

    def search(self, pattern: str, string: str, flags: int = 0) -> re.Match[str] | None:
        return _compiled(pattern, flags).search(string)

    def match(self, pattern: str, string: str, flags: int = 0) -> re.Match[str] | None:
        return _compiled(pattern, flags).match(string)

    def split(self, pattern: str, string: str, maxsplit: int = 0, flags: int = 0) -> list[object]:
        return _compiled(pattern, flags).split(string, maxsplit)


_PYSBD_MODULES = ("abbreviation_replacer", "between_punctuation", "exclamation_words", "lists_item_replacer",
                  "processor", "punctuation_replacer", "segmenter", "utils")


class _Segmenter(pysbd.Segmenter):  # type: ignore[misc]
    r"""pysbd's segmenter, its sentences' character spans found with `str.find` instead of one regular expression
    compiled per sentence (`re.escape(sentence) + r"\s*"`, each new: ~1.2 ms a sentence judged, a third of
    ingest's CPU outside the encoder). The same spans: the first occurrence, among non-overlapping ones from the
    left, whose end (trailing whitespace included, `\s` being `str.isspace`) passes the previous sentence's."""

    def sentences_with_char_spans(self, sentences: list[str]) -> list[object]:
        from pysbd.utils import TextSpan

        text, spans, prior = self.original_text, [], 0
        for sent in sentences:
            at = text.find(sent) if sent else -1
            if not sent:  # an empty pattern matches everywhere: pysbd's own way
                for match in re.finditer(r"\s*", text):
                    if match.end() > prior:
                        spans.append(TextSpan(match.group(), *match.span()))
                        prior = match.end()
                        break
            while at >= 0:
                end = at + len(sent)
                while end < len(text) and text[end].isspace():
                    end += 1
                if end > prior:
                    spans.append(TextSpan(text[at:end], at, end))
                    prior = end
                    break
                at = text.find(sent, end)
        return spans


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    import importlib

    for name in _PYSBD_MODULES:
        module = importlib.import_module(f"pysbd.{name}")
        if getattr(module, "re", None) is re:
            module.re = _KeptPatterns()  # type: ignore[attr-defined]
    return _Segmenter(language="en", clean=False)


# A candidate sentence end: terminal punctuation, closing quotes/brackets, whitespace, the next character.
_CANDIDATE = re.compile(r"(?P<stop>[.!?]+)(?P<close>[\"”’')\]]*)\s+(?P<open>[\"“‘(\[]*)(?P<next>\S)")


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    from pysbd.lang.english import English

    return frozenset(a.lower() for a in English.Abbreviation.ABBREVIATIONS)


def _is_clear_boundary(text: str, match: re.Match[str]) -> bool:
    """True when any segmenter would end a sentence here: no abbreviation, initial or list number involved."""
    if len(match["stop"]) != 1 or not match["next"].isupper():
        return False
    if match["stop"] != ".":
        return True
    first = match.start()
    while first > 0 and not text[first - 1].isspace():
        first -= 1
    token = text[first : match.start()].lstrip("\"“‘([")
    if not token or "." in token or token.lower() in _abbreviations():
        return False
    if token.isdigit():
        return len(token) > 2  # "in 2019. The" ends a sentence; "No. 5." or a list "1." needs judgement
    return sum(ch.isalpha() for ch in token) > 1  # "J. Smith": an initial


class _Nesting:
    """Open double quotes and brackets up to a position, updated incrementally along a paragraph."""

    def __init__(self) -> None:
        self.position = 0
        self.straight = self.curly = self.round = self.square = 0

    def advance(self, text: str, position: int) -> None:
        span = text[self.position : position]
        self.straight += span.count('"')
        self.curly += span.count("“") - span.count("”")
        self.round += span.count("(") - span.count(")")
        self.square += span.count("[") - span.count("]")
        self.position = position

    @property
    def inside(self) -> bool:
        return self.straight % 2 == 1 or self.curly > 0 or self.round > 0 or self.square > 0


def _segments(paragraph: str) -> list[str]:
    """Sentences of one paragraph, as substrings in order.

    pysbd is precise but slow (~1,000 sentences/s, slower than the embedding model on two cores), so it only
    sees the stretches that hold a boundary needing judgement (abbreviations, initials, numbers, quotes
    followed by lower case, ellipses); clear boundaries ("word. The") are cut directly.
    """
    pieces: list[str] = []
    for part in _ELLIPSIS_BREAK.split(paragraph):
        if not part.strip():
            continue
        start, needs_judgement = 0, False
        nesting = _Nesting()
        for match in _CANDIDATE.finditer(part):
            nesting.advance(part, match.end("close"))
            # Inside a quotation or brackets pysbd keeps sentences together with their attribution.
            if not nesting.inside and _is_clear_boundary(part, match):
                cut = match.end("close")
                pieces.extend(_judged(part[start:cut], needs_judgement))
                start, needs_judgement = cut, False
            else:
                needs_judgement = True
        pieces.extend(_judged(part[start:], needs_judgement or "…" in part[start:]))
    return pieces


def _judged(piece: str, needs_judgement: bool) -> list[str]:
    if not piece.strip():
        return []
    if not needs_judgement:
        return [piece]
    # pysbd sometimes cuts before ", said" ("D-Calif.") or leaves a lone closing quote; such a fragment
    # rejoins the sentence before it, as the same stretch of the original text.
    spans: list[list[int]] = []
    cursor = 0
    for segment in _segmenter().segment(piece):
        segment = segment.strip()
        if not segment:
            continue
        found = piece.find(segment, cursor)
        if found < 0:  # the segmenter altered the text: keep the stretch whole rather than lose any of it
            return [piece]
        end = found + len(segment)
        if spans and (segment[0] in ",;:)]" or not any(ch.isalnum() for ch in segment)):
            spans[-1][1] = end
        else:
            spans.append([found, end])
        cursor = end
    if not spans:
        return [piece]
    spans[-1][1] = max(spans[-1][1], len(piece.rstrip()))  # never drop text the segmenter skipped
    return [piece[a:b] for a, b in spans]


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


# Longer "sentences" (a megabyte line with no punctuation, a table flattened to one line) are cut at the
# last space before this many characters, or hard at it when there is none; offsets stay exact.
MAX_SENTENCE_CHARS = 1000


def _bounded(start: int, end: int, text: str) -> list[tuple[int, int]]:
    spans = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, limit)
        cut = cut if cut > start else limit
        stop = cut
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        spans.append((start, stop))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        spans.append((start, end))
    return spans


def split_sentences(doc_id: str, text: str) -> list[Sentence]:
    """The document's sentences, numbered from 0 in reading order."""
    return [
        Sentence(doc_id=doc_id, index=i, text=text[start:end], start=start, end=end)
        for i, (start, end) in enumerate(
            part for whole in sentence_spans(text) for part in _bounded(*whole, text)
        )
    ]
