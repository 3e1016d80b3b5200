"""Loaded-language detection: charged labels, verbs and adjectives, judging report verbs, scare quotes.

The shipped list (`rag/data/loaded_terms.csv`) is our own, reviewed and redistributable; each term has a
category, an intensity (1 mild to 3 strong) and, where one is safe, a neutral replacement. Terms match
case-insensitively on word tokens, with simple English inflections of their last word ("war game" matches
"war games"; "claim" matches "claimed"). Research lexicons (NRC-VAD) are only read from
`settings.lexicon_dir`.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.types import Document

TERMS_PATH = Path(__file__).parent / "data" / "loaded_terms.csv"
_WORD = re.compile(r"[A-Za-z]+(?:[-'’][A-Za-z]+)*")
# Quoted spans: curly or straight double quotes; ‘curly single’ only at word boundaries (not apostrophes).
_QUOTES = re.compile(r"“[^”]*(?:”|$)|\"[^\"]*(?:\"|$)|(?<![A-Za-z])‘[^’]*’(?![A-Za-z])")
_SCARE_MAX_WORDS = 4
_IRREGULAR = {"say": {"past": "said", "s": "says", "ing": "saying"}}
# Forms of a verb whose neutral replacement is grammatical ("claimed" → "said"); "claims" may be a noun.
_VERB_CATEGORIES = {"report_verb", "charged_verb"}
_VERB_REPLACEABLE = {"past", "ing"}


@dataclass(frozen=True)
class TermEntry:
    """One reviewed row of the loaded-terms table."""

    term: str
    category: str
    neutral: str | None
    intensity: int


@dataclass(frozen=True)
class LoadedTerm:
    """A loaded term found in a sentence; offsets index into that sentence."""

    term: str
    lemma: str
    category: str
    start: int
    end: int
    intensity: int
    quoted: bool
    neutral: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "term": self.term, "start": self.start, "end": self.end, "category": self.category,
            "lemma": self.lemma, "quoted": self.quoted, "neutral": self.neutral,
        }


def _forms(word: str) -> dict[str, str]:
    """Common inflections of an English word mapped to their kind (base, s, past, ing)."""
    out = {word: "base", word + "s": "s", word + "es": "s"}
    stem = word[:-1] if word.endswith("e") else word
    out[stem + "ed"] = "past"
    out[stem + "ing"] = "ing"
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        out[word[:-1] + "ies"] = "s"
        out[word[:-1] + "ied"] = "past"
    if len(word) <= 4 and re.search(r"[^aeiou][aeiou][^aeiouwxy]$", word):
        out[word + word[-1] + "ed"] = "past"
        out[word + word[-1] + "ing"] = "ing"
    return out


def inflect(word: str, kind: str) -> str:
    """`word` (a lemma) in the inflection `kind`; only the last word of a phrase changes."""
    head, _, last = word.rpartition(" ")
    if kind == "base":
        return word
    if last in _IRREGULAR:
        new = _IRREGULAR[last][kind]
    elif kind == "s":
        new = last[:-1] + "ies" if last.endswith("y") and last[-2:-1] not in ("a", "e", "o", "u") else (
            last + "es" if last.endswith(("s", "x", "ch", "sh")) else last + "s")
    elif kind == "past":
        new = last + "d" if last.endswith("e") else last + "ed"
    else:
        new = (last[:-1] if last.endswith("e") else last) + "ing"
    return f"{head} {new}".strip()


@dataclass(frozen=True)
class Lexicon:
    """The term table compiled for matching: token tuples → (entry, inflection kind)."""

    table: dict[tuple[str, ...], tuple[TermEntry, str]]
    longest: int

    @property
    def modifiers(self) -> frozenset[str]:
        """One-word charged adjectives and intensifiers: what a clause can lose by deletion."""
        return frozenset(words[0] for words, (entry, _) in self.table.items()
                         if len(words) == 1 and entry.category in ("charged_adjective", "intensifier"))


def load_terms(path: Path = TERMS_PATH) -> list[TermEntry]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            TermEntry(row["term"].strip().lower(), row["category"].strip(), row["neutral"].strip() or None,
                      int(row["intensity"] or 1))
            for row in csv.DictReader(handle)
        ]


@lru_cache(maxsize=4)
def lexicon(path: Path = TERMS_PATH) -> Lexicon:
    table: dict[tuple[str, ...], tuple[TermEntry, str]] = {}
    for entry in load_terms(path):
        words = tuple(_WORD.findall(entry.term))
        for form, kind in _forms(words[-1]).items():
            table.setdefault((*words[:-1], form), (entry, kind))
    return Lexicon(table, max(len(k) for k in table))


def carries_quotes(text: str, other: str) -> bool:
    """Whether `other` has the words of every quotation in `text` (case and punctuation aside): a sentence that
    paraphrases a quotation backs no quotation marks."""
    loose = _loose(other)
    return all(_loose(text[a + 1:b - 1]) in loose for a, b in quote_spans(text))


def _loose(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation in `text`, quote marks included; an unclosed quote runs to the end."""
    spans = [(m.start(), m.end()) for m in _QUOTES.finditer(text)]
    first_close = text.find("”")
    if first_close != -1 and (not spans or first_close < spans[0][0]):
        spans.insert(0, (0, first_close + 1))  # the sentence opens inside a quotation begun earlier
    return spans


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def _neutral_for(entry: TermEntry, kind: str) -> str | None:
    if entry.neutral is None:
        return None
    if entry.category in _VERB_CATEGORIES:
        safe = kind in _VERB_REPLACEABLE or entry.term.endswith(("ed", "s"))
        return inflect(entry.neutral, kind) if safe else None
    if entry.category == "label":
        return inflect(entry.neutral, kind) if kind in ("base", "s") else None
    return entry.neutral if kind == "base" else None


def _scare_quotes(text: str, spans: list[tuple[int, int]]) -> list[LoadedTerm]:
    """Short quoted phrases inside running text: the writer distancing itself from the words."""
    found = []
    for start, end in spans:
        inner = text[start + 1 : end - 1] if end - start >= 2 else ""
        words = _WORD.findall(inner)
        outside = text[:start].strip() + text[end:].strip()
        in_running_text = len(_WORD.findall(outside)) >= 3 and not inner.endswith(",")
        if 1 <= len(words) <= _SCARE_MAX_WORDS and in_running_text and not _title(words) \
                and not _after_saying(text[:start]):
            found.append(LoadedTerm(text[start:end], inner.lower(), "scare_quote", start, end, 1, True))
    return found


_TITLE_SMALL = frozenset(("a", "an", "and", "at", "for", "in", "of", "on", "or", "the", "to"))
_IRREGULAR_SAYING = {"said": "say", "says": "say", "told": "tell", "wrote": "write"}


def _title(words: list[str]) -> bool:
    """A quoted name, every word capitalised ("CBS This Morning", "Tucker Carlson Tonight"): a title, not a
    word the writer holds at a distance."""
    return len(words) >= 2 and all(w[:1].isupper() or w in _TITLE_SMALL for w in words)


def _after_saying(before: str) -> bool:
    """A quotation after a verb of saying in its sentence ("saying it 'exaggerated the China threat'", "said in a
    memorandum that the secretaries must 'immediately begin full vaccination'"): the speaker's words, quoted."""
    from rag.linguistics import REPORTING_VERBS
    for word in (w.lower() for w in _WORD.findall(before)):
        forms = {word, _IRREGULAR_SAYING.get(word, word), word.removesuffix("ing"), word.removesuffix("ing") + "e",
                 word.removesuffix("s"), word.removesuffix("ed"), word.removesuffix("d"),
                 word.removesuffix("ied") + "y"}
        if forms & REPORTING_VERBS:
            return True
    return False


def detect_loaded_terms(text: str, path: Path = TERMS_PATH) -> list[LoadedTerm]:
    """Every loaded term of one sentence, with character offsets into it, in order of appearance."""
    lex = lexicon(path)
    spans = quote_spans(text)
    tokens = list(_WORD.finditer(text))
    words = [t.group().lower().replace("’", "'") for t in tokens]
    found: list[LoadedTerm] = []
    i = 0
    while i < len(tokens):
        for size in range(min(lex.longest, len(tokens) - i), 0, -1):
            hit = lex.table.get(tuple(words[i : i + size]))
            if hit:
                entry, kind = hit
                start, end = tokens[i].start(), tokens[i + size - 1].end()
                quoted = _inside(start, end, spans)
                found.append(LoadedTerm(text[start:end], entry.term, entry.category, start, end,
                                        entry.intensity, quoted, _neutral_for(entry, kind)))
                i += size
                break
        else:
            i += 1
    found = _verbs_used_as_verbs(text, found)
    found.extend(_scare_quotes(text, spans))
    return sorted(found, key=lambda t: t.start)


def _verbs_used_as_verbs(text: str, found: list[LoadedTerm]) -> list[LoadedTerm]:
    """Drop loaded verbs whose form is also a noun and that the tagger reads as one ("jobless claims",
    "the slams"), and verbs of saying that say nothing: with an object and no clause, "Cuomo declared a state of
    emergency" or "confirmed the nominee" is an act, not a judgement of what someone said. The sentence is parsed
    only when such a form occurs."""
    ambiguous = [t for t in found if t.category in _VERB_CATEGORIES and " " not in t.term
                 and (t.category == "report_verb" or not t.term.lower().endswith(("ed", "ing")))]
    if not ambiguous:
        return found
    from rag.linguistics import parse

    doc = parse([text])[0]
    dropped = set()
    for t in ambiguous:
        span = doc.char_span(t.start, t.end, alignment_mode="expand")
        if span is None:
            continue
        verb = span.root
        # a form in a noun's place is a noun, whatever its tag ("Initial unemployment claims ... dropped": "claims"
        # tagged VBZ, yet the subject)
        noun = (verb.pos_ not in ("VERB", "AUX") or verb.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "compound")) \
            and not t.term.lower().endswith(("ed", "ing"))
        act = t.category == "report_verb" and (verb.dep_ == "amod" or any(c.dep_ == "dobj" for c in verb.children)
                                               and not any(c.dep_ in ("ccomp", "xcomp", "parataxis")
                                                           for c in verb.children))  # or "confirmed cases"
        if noun or act:
            dropped.add(t.start)
    return [t for t in found if t.start not in dropped]


def unquoted_loaded_terms(text: str) -> list[LoadedTerm]:
    """Loaded terms a neutral text must not use in its own voice (outside any quotation)."""
    return [t for t in detect_loaded_terms(text) if not t.quoted]


@dataclass(frozen=True)
class TermUse:
    """How often an outlet used one term, and where (sentence indices)."""

    lemma: str
    category: str
    count: int
    examples: tuple[str, ...]
    sentence_indices: tuple[int, ...]
    quoted: int

    def as_json(self) -> dict[str, Any]:
        return {"term": self.lemma, "category": self.category, "count": self.count, "quoted": self.quoted,
                "examples": list(self.examples), "sentences": list(self.sentence_indices)}


@dataclass(frozen=True)
class FramingProfile:
    """An outlet's loaded-language profile over one or more documents."""

    outlet: str
    doc_ids: tuple[str, ...]
    sentences: int
    words: int
    loaded: int
    unquoted: int
    intensity: int
    by_category: dict[str, int]
    terms: tuple[TermUse, ...]
    mean_arousal: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def per_100_words(self) -> float:
        return 100.0 * self.loaded / self.words if self.words else 0.0

    def as_json(self) -> dict[str, Any]:
        out = {
            "outlet": self.outlet, "doc_ids": list(self.doc_ids), "sentences": self.sentences,
            "words": self.words, "loaded_terms": self.loaded, "outside_quotes": self.unquoted,
            "per_100_words": round(self.per_100_words, 3), "intensity": self.intensity,
            "by_category": self.by_category, "terms": [t.as_json() for t in self.terms],
        }
        if self.mean_arousal is not None:
            out["mean_arousal"] = round(self.mean_arousal, 4)
        return out


def framing_profile(docs: Document | list[Document], lexicon_dir: Path | None = None) -> FramingProfile:
    """Loaded terms of an outlet's documents: counts per category and per term, with examples."""
    docs = [docs] if isinstance(docs, Document) else docs
    counts: Counter[str] = Counter()
    quoted: Counter[str] = Counter()
    where: dict[str, list[int]] = defaultdict(list)
    surface: dict[str, list[str]] = defaultdict(list)
    category: dict[str, str] = {}
    by_category: Counter[str] = Counter()
    words = loaded = unquoted = intensity = 0
    for doc in docs:
        for sentence in doc.sentences:
            words += len(_WORD.findall(sentence.text))
            for term in detect_loaded_terms(sentence.text):
                loaded += 1
                unquoted += not term.quoted
                intensity += term.intensity
                counts[term.lemma] += 1
                quoted[term.lemma] += term.quoted
                by_category[term.category] += 1
                category[term.lemma] = term.category
                if sentence.index not in where[term.lemma]:
                    where[term.lemma].append(sentence.index)
                if term.term not in surface[term.lemma]:
                    surface[term.lemma].append(term.term)
    uses = tuple(
        TermUse(lemma, category[lemma], n, tuple(surface[lemma][:3]), tuple(where[lemma]), quoted[lemma])
        for lemma, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return FramingProfile(
        outlet=docs[0].label if docs else "", doc_ids=tuple(d.doc_id for d in docs),
        sentences=sum(len(d.sentences) for d in docs), words=words, loaded=loaded, unquoted=unquoted,
        intensity=intensity, by_category=dict(by_category), terms=uses,
        mean_arousal=_mean_arousal(docs, lexicon_dir),
    )


def _mean_arousal(docs: list[Document], lexicon_dir: Path | None) -> float | None:
    """Mean NRC-VAD arousal of the words found in the lexicon, when a research lexicon folder is set."""
    if lexicon_dir is None or not (Path(lexicon_dir) / "NRC-VAD-Lexicon.txt").exists():
        return None
    from rag.metrics import load_nrc_vad, tokens

    vad = load_nrc_vad(Path(lexicon_dir) / "NRC-VAD-Lexicon.txt")
    values = [vad[t][1] for d in docs for t in tokens(d.text) if t in vad]
    return sum(values) / len(values) if values else None


@lru_cache(maxsize=1)
def _sentiment_lexicon() -> dict[str, float]:
    """VADER's MIT-licensed word valences (-4..4); empty when vaderSentiment is not installed."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return {}
    return dict(SentimentIntensityAnalyzer().lexicon)


def sentiment_valence(word: str) -> float:
    """A lower-case word's VADER valence (-4..4), 0.0 when it carries none."""
    return _sentiment_lexicon().get(word, 0.0)


def emotive_weight(text: str) -> float:
    """Mean absolute sentiment valence per word (VADER lexicon, 0-4 scale): how charged a wording is."""
    lexicon = _sentiment_lexicon()
    words = [w.lower() for w in _WORD.findall(text)]
    return sum(abs(lexicon.get(w, 0.0)) for w in words) / len(words) if words else 0.0
