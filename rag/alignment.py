"""Fact alignment: sentences from different outlets that state the same fact, and where they conflict.

Two sentences align when their embeddings are close and they share content words; pairs are merged
greedily, best first, into fact groups holding at most two sentences per outlet (so one broad sentence
cannot chain a whole article together). A group reported by two or more outlets is agreement; by one
outlet, single-source. Aligned sentences that give different numbers, dates or names (for the same unit,
month or role), or where one outlet uses loaded terms the other avoids, are conflicts ("differ").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from spacy.tokens import Token

from rag.framing import unquoted_loaded_terms
from rag.settings import BriefingSettings
from rag.terms import content_terms, figures_in, number_mentions, term_matches
from rag.types import Document, Sentence

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from rag.linguistics import Reader

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_DATE = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?\b"
)
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
# "spokesman Col. Lee Sung-jun", "Prime Minister Fumio Kishida": a role followed by a capitalised name.
_ROLE_NAME = re.compile(
    r"\b((?i:spokes(?:man|woman|person)|president|minister|leader|secretary|chief|director|governor|senator|mayor"
    r"|ambassador|commander|chairman|chairwoman|ceo))\s+((?:[A-Z][\w'’-]*\.?\s?){1,4})")
_HONORIFICS = frozenset(("col", "gen", "dr", "mr", "mrs", "ms", "sen", "rep", "gov", "lt", "maj", "capt", "sgt"))


@dataclass(frozen=True)
class OutletSentence:
    """A sentence with the outlet that published it."""

    sentence: Sentence
    outlet: str


@dataclass(frozen=True)
class Conflict:
    """Two aligned sentences that disagree: kind is number, date, name or framing; detail says how."""

    kind: str
    detail: str
    sides: tuple[OutletSentence, OutletSentence]


DIFFERENCE_LABELS = {"number": "Figures differ", "date": "Dates differ", "name": "Names differ",
                     "negation": "One says not", "attribution": "Attribution differs", "framing": "Framing differs"}


@dataclass(frozen=True)
class FactGroup:
    """Sentences (from one or more outlets) stating the same fact, with pairwise alignment scores."""

    members: tuple[OutletSentence, ...]
    scores: dict[tuple[int, int], float]
    conflicts: tuple[Conflict, ...] = ()

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.outlet for m in self.members))

    @property
    def kind(self) -> str:
        if any(c.kind != "framing" for c in self.conflicts):
            return "differ"
        return "agree" if len(self.outlets) >= 2 else "single"

    def score(self, a: int, b: int) -> float:
        return self.scores.get((min(a, b), max(a, b)), 0.0)


def date_mentions(text: str) -> set[tuple[int, int]]:
    """(month, day) pairs named in text: "Aug. 21-31" → {(8, 21), (8, 31)}."""
    found: set[tuple[int, int]] = set()
    for m in _DATE.finditer(text):
        month = _MONTHS[m.group(1)[:3].lower()]
        found.update((month, int(d)) for d in (m.group(2), m.group(3)) if d and 1 <= int(d) <= 31)
    return found


def role_names(text: str) -> dict[str, set[str]]:
    """Role → words of the name that follows it ("spokesman Col. Lee Sung-jun" → {"spokesman": {"lee", ...}})."""
    out: dict[str, set[str]] = {}
    several: set[str] = set()  # "former President Obama ... President Biden": two people, nothing to compare
    for m in _ROLE_NAME.finditer(text):
        words = {re.sub(r"['’]s$", "", w.lower().rstrip(".")) for w in m.group(2).split()} - _HONORIFICS
        role = m.group(1).lower()
        if words:
            if role in out and not out[role] & words:
                several.add(role)
            out.setdefault(role, set()).update(words)
    return {role: words for role, words in out.items() if role not in several}


_SCORE = re.compile(r"(?<![\w.$])(\d{1,3})\s*[-–]\s*(\d{1,3})\b(?!\s*(?:%|percent|year|day|month|week))")


def _scores(text: str) -> set[str]:
    """Vote tallies and scores ("94-1", "10-4"), not date or percent ranges ("Aug. 21-31", "50-52%")."""
    dates = [m.span() for m in _DATE.finditer(text)]
    return {f"{m.group(1)}-{m.group(2)}" for m in _SCORE.finditer(text)
            if not any(a <= m.start() < b for a, b in dates) and int(m.group(1)) >= int(m.group(2))}


# Units that count time or repeat: differing figures for them are usually different spans, not a conflict.
_TIME_UNITS = frozenset(("day", "week", "month", "year", "hour", "minute", "time", "decade", "century", "percent"))
_PERSONS = frozenset(("people", "person", "americans", "resident", "worker", "adult", "child", "citizen"))


def quantities(text: str, parsed: Callable[[str], Doc] | None = None) -> dict[str, set[float]]:
    """Figures keyed by what they count and the verb they belong to, read off the parse: "9 million people will
    lose benefits" → {"person lose": {9e6}}, "37.3% of adults were vaccinated" → {"% vaccinate": {37.3}};
    dates, years and numbers inside names ("COVID-19") excluded. `parsed` gives a text's parse (default: parse it)."""
    from rag.linguistics import parse

    spans = [m.span() for m in _DATE.finditer(text)]
    mentions = [(raw, value) for raw, value in number_mentions(text) if not 1900 <= value <= 2100]
    if not mentions:
        return {}
    doc = parsed(text) if parsed else parse([text])[0]
    out: dict[str, set[float]] = {}
    at = 0
    for raw, value in mentions:
        start = text.find(raw, at)
        if start < 0 or any(a <= start < b for a, b in spans):
            continue
        at = start + len(raw)
        if start > 1 and text[start - 1] == "-" and text[start - 2].isalpha():  # "COVID-19" is a name
            continue
        span = doc.char_span(start, at, alignment_mode="expand")
        if span is None:
            continue
        head = span[-1]
        while head.dep_ in ("nummod", "quantmod", "compound") and head.head.i != head.i and head.pos_ in ("NUM", "SYM"):
            head = head.head
        if raw.rstrip().endswith(("%", "percent")) or head.text in ("%", "percent"):
            unit = "%"
        elif head.pos_ in ("NOUN", "PROPN") and head.i >= span.end - 1 and not head.like_num:
            unit = "person" if head.lemma_.lower() in _PERSONS or head.ent_type_ == "NORP" else head.lemma_.lower()
        else:
            continue
        if unit not in _TIME_UNITS:
            out.setdefault(f"{unit} {_governor(head)}".strip(), set()).add(value)
    return out


def _governor(t: Token) -> str:
    """The verb a figure belongs to ("150 people were killed" → kill), so that counts of different things
    ("26 people were shot in New York", "100 doses shared last month") are not compared."""
    for ancestor in t.ancestors:
        if ancestor.pos_ == "VERB":
            return ancestor.lemma_.lower()
    return ""


def _differ(a: set[float], b: set[float]) -> bool:
    """No figure of one is within 2% of a figure of the other (331 million and 331.5 million agree)."""
    return not any(abs(x - y) <= 0.02 * max(abs(x), abs(y)) for x in a for y in b)


Figures = Callable[[str], dict[str, set[float]]]  # quantities() of a text


def find_conflicts(a: OutletSentence, b: OutletSentence, figures: Figures = quantities) -> list[Conflict]:
    """Numbers, dates or loaded framing that differ between two aligned sentences from different outlets."""
    conflicts = []
    conflicts.extend(figure_conflicts(a, b, figures))
    da, db = date_mentions(a.sentence.text), date_mentions(b.sentence.text)
    if da and db and not da & db and {m for m, _ in da} & {m for m, _ in db}:
        conflicts.append(Conflict("date", f"{sorted(da)} vs {sorted(db)}", (a, b)))
    na, nb = role_names(a.sentence.text), role_names(b.sentence.text)
    for role in na.keys() & nb.keys():
        if not na[role] & nb[role]:
            conflicts.append(Conflict("name", f"{role}: {' '.join(sorted(na[role]))} vs "
                                              f"{' '.join(sorted(nb[role]))}", (a, b)))
    conflicts.extend(score_conflicts(a, b))
    # Weekdays alone are not compared: aligned sentences about a story's different days ("rallied Sunday",
    # "won Tuesday") read as a conflict they are not.
    la = {t.lemma for t in unquoted_loaded_terms(a.sentence.text) if t.intensity >= 2}
    lb = {t.lemma for t in unquoted_loaded_terms(b.sentence.text) if t.intensity >= 2}
    if la != lb:
        conflicts.append(Conflict("framing", f"{sorted(la)} vs {sorted(lb)}", (a, b)))
    return conflicts


def score_conflicts(a: OutletSentence, b: OutletSentence) -> list[Conflict]:
    """Different tallies of a vote ("94-1" vs "92-6")."""
    sa, sb = _scores(a.sentence.text), _scores(b.sentence.text)
    if sa and sb and not sa & sb:
        return [Conflict("number", f"vote {'/'.join(sorted(sa))} vs {'/'.join(sorted(sb))}", (a, b))]
    return []


def figure_conflicts(a: OutletSentence, b: OutletSentence, figures: Figures = quantities) -> list[Conflict]:
    """Different figures for what the two sentences count ("7.5 million people" vs "9 million people"). Two
    sentences sharing any figure are taken to count different things with the others (1,626,042 signatures
    collected, 1,495,709 needed)."""
    ua, ub = figures(a.sentence.text), figures(b.sentence.text)
    every_a = {v for vs in ua.values() for v in vs}
    every_b = {v for vs in ub.values() for v in vs}
    if every_a & every_b:
        return []
    return [Conflict("number", f"{sorted(ua[x])} vs {sorted(ub[y])} {x}".replace(".0", ""), (a, b))
            for x in sorted(ua) for y in sorted(ub) if _same_count(x, y) and _differ(ua[x], ub[y])]


def _same_count(x: str, y: str) -> bool:
    """Two figure keys ("case contribute", "case") count the same thing: the same unit, and the same verb
    when both sentences give one."""
    (unit_x, _, verb_x), (unit_y, _, verb_y) = x.partition(" "), y.partition(" ")
    return unit_x == unit_y and (verb_x == verb_y or not verb_x or not verb_y)


def lexical_overlap(a: str, b: str) -> float:
    """Share of the shorter sentence's content words found in the other (overlap coefficient)."""
    return term_overlap(content_terms(a), content_terms(b))


def term_overlap(ta: set[str], tb: set[str]) -> float:
    """`lexical_overlap` of two sentences' content terms."""
    if not ta or not tb:
        return 0.0
    small, large = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return len(term_matches(small, large)) / len(small)


def figures_read_by(reader: Reader, texts: Sequence[str]) -> Figures:
    """quantities() of each text computed once, from the reader's parses (the texts giving a figure are parsed
    in one batch; the composer reads the same parses later)."""
    reader.prefetch(t for t in texts if figures_in(t))
    known: dict[str, dict[str, set[float]]] = {}

    def figures(text: str) -> dict[str, set[float]]:
        if text not in known:
            known[text] = quantities(text, lambda t: reader(t)[0])
        return known[text]

    return figures


def align_facts(docs: Sequence[Document], vectors: np.ndarray, cfg: BriefingSettings | None = None,
                reader: Reader | None = None) -> list[FactGroup]:
    """Fact groups over all sentences of `docs` (`vectors`: one row per sentence, in document order), in
    reading order of their first member. `reader` (rag.linguistics) shares its parses with the caller."""
    cfg = cfg or BriefingSettings()
    threshold, LEXICAL_WEIGHT, MAX_PER_OUTLET = cfg.align_threshold, cfg.lexical_weight, cfg.max_per_outlet
    CONFLICT_MIN_COSINE = cfg.conflict_min_cosine
    items = [OutletSentence(s, d.label) for d in docs for s in d.sentences]
    if not items:
        return []
    from rag.linguistics import Reader

    terms = [content_terms(item.sentence.text) for item in items]  # once per sentence, not once per pair
    cosine = vectors @ vectors.T
    outlets = np.array([item.outlet for item in items], dtype=object)
    close = np.triu(cosine >= threshold - LEXICAL_WEIGHT, 1) & (outlets[:, None] != outlets[None, :])
    scores: dict[tuple[int, int], float] = {}
    for i, j in np.argwhere(close).tolist():  # row-major: the order the pairs were always scored in
        scores[(i, j)] = float(cosine[i, j]) + LEXICAL_WEIGHT * (term_overlap(terms[i], terms[j]) - 0.3)
    group_of = list(range(len(items)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(items))}
    for (i, j), score in sorted(scores.items(), key=lambda kv: -kv[1]):
        gi, gj = group_of[i], group_of[j]
        if score < threshold or gi == gj:
            continue
        merged = members[gi] + members[gj]
        per_outlet = [items[k].outlet for k in merged]
        if max(per_outlet.count(o) for o in per_outlet) > MAX_PER_OUTLET:
            continue
        for k in members.pop(gj):
            group_of[k] = gi
        members[gi] = merged
    numeric_pairs = figure_pairs(items, cosine, cfg, terms)
    # Figures are read only from the sentences whose figures are compared (parsing is most of a briefing's time;
    # a story's other numeric sentences were parsed for nothing): the two ends of every numeric pair and of
    # every pair of a group's sentences from different outlets that are close enough to conflict.
    compared = {k for pair in numeric_pairs for k in pair}
    for ids in members.values():
        compared.update(k for a in ids for b in ids if a < b and items[a].outlet != items[b].outlet
                        and cosine[a, b] >= CONFLICT_MIN_COSINE for k in (a, b))
    figures = figures_read_by(reader or Reader(), [items[k].sentence.text for k in sorted(compared)])
    groups = []
    for ids in sorted(members.values(), key=min):
        ids = sorted(ids)
        pair_scores = {(a, b): scores[(a, b)] for a in ids for b in ids if (a, b) in scores}
        conflicts = [
            c for a in ids for b in ids
            if a < b and items[a].outlet != items[b].outlet and cosine[a, b] >= CONFLICT_MIN_COSINE
            for c in find_conflicts(items[a], items[b], figures)
        ]
        conflicts += [c for a, b in numeric_pairs if group_of[a] == group_of[ids[0]]
                      and (group_of[b] != group_of[a] or cosine[a, b] < CONFLICT_MIN_COSINE)
                      for c in figure_conflicts(items[a], items[b], figures) + score_conflicts(items[a], items[b])]
        local = {(ids.index(a), ids.index(b)): s for (a, b), s in pair_scores.items()}
        groups.append(FactGroup(tuple(items[k] for k in ids), local, tuple(conflicts)))
    return groups


def figure_pairs(items: Sequence[OutletSentence], cosine: np.ndarray, cfg: BriefingSettings,
                 terms: Sequence[set[str]] | None = None) -> list[tuple[int, int]]:
    """Sentence pairs from different outlets, not necessarily aligned, whose figures are worth comparing: both
    give a figure, they are about the same thing (cosine >= figure_min_cosine) and share a content word
    (`terms`: each item's content terms, if already known)."""
    terms = terms or [content_terms(item.sentence.text) for item in items]
    numeric = [i for i, item in enumerate(items) if number_mentions(item.sentence.text)]
    bodies = {i: _voting_bodies(items[i].sentence.text) for i in numeric if _scores(items[i].sentence.text)}
    pairs = []
    for x, i in enumerate(numeric):
        for j in numeric[x + 1:]:
            if items[i].outlet == items[j].outlet:
                continue
            # two tallies of one body's vote are compared however differently the sentences are worded ("The
            # Senate approved the act on a 94-1 vote", "It passed the Senate 92-6 in April": cosine 0.44)
            if bodies.get(i, set()) & bodies.get(j, set()) or cosine[i, j] >= cfg.figure_min_cosine \
                    and term_matches(terms[i], terms[j]):
                pairs.append((i, j))
    return pairs


_BODIES = re.compile(r"\b(Senate|House|Supreme Court|court|jury|committee|panel|parliament|assembly|council|board)\b",
                     re.IGNORECASE)


def _voting_bodies(text: str) -> set[str]:
    """The bodies a sentence names that vote ("the Senate", "the jury")."""
    return {m.group(1).lower() for m in _BODIES.finditer(text)}
