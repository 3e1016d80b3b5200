"""Word-level text analysis shared by retrieval, refusal and verification: tokens, terms, numbers, names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    """
    a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves said says say saying told tell according
    however additionally meanwhile furthermore moreover also still yet while whereas thus therefore
    hence mr mrs ms dr its it's s t one ones many much may might must shall another every either via
    upon amid among
    """
)
# Question words and fillers that say what kind of answer is wanted, not what it is about.
QUESTION_WORDS = _words(
    """
    what which who whom whose when where why how does do did is are was were will would can could
    should tell explain describe please list give show happened happen happening kind sort type many
    much
    source sources outlet outlets article articles report reports reported coverage media press
    differ differs different difference differences disagree disagreement agree agreement compare contrast
    say says said
    take takes took taken taking part place
    """
)
NEGATIONS = _words(
    """
    not no never none nobody nothing neither nor without cannot can't won't don't doesn't didn't
    isn't aren't wasn't weren't hasn't haven't hadn't shouldn't wouldn't couldn't denied denies deny
    refused refuses refuse rejected rejects reject
    """
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_SCALE = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
    "trillion": 1e12, "tn": 1e12,
}
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}
_NUMBER = re.compile(
    r"(?<![\w.])[$€£]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*(?:%|percent|per cent))?"
    r"(?:\s*(thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)?",
    re.IGNORECASE,
)
_NUMBER_WORD = re.compile(
    r"\b(" + "|".join(_NUMBER_WORDS) + r")\b(?:\s+(thousand|million|billion|trillion))?", re.IGNORECASE
)
# Capitalised words that often open a sentence without naming anything.
_OPENERS = _words(
    """
    additionally also although as because but despite during earlier following furthermore however
    if in instead later meanwhile moreover nevertheless now on overall since still the then there
    these this those though thus today under when while yet after before both each many most several
    some
    """
)


def fold(text: str) -> str:
    """Lower-case, ASCII-folded text with hyphens as spaces, for matching."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[-–—]", " ", text).lower()


_MONTHS = {
    "jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june", "jul": "july",
    "aug": "august", "sep": "september", "sept": "september", "oct": "october", "nov": "november",
    "dec": "december",
}


def tokens(text: str) -> list[str]:
    """Lower-case word tokens, possessive 's removed, month abbreviations spelled out ("Aug." → "august")."""
    out = []
    for word in _WORD.findall(fold(text.replace("’", "'"))):
        word = re.sub(r"'s$", "", word)
        out.append(_MONTHS.get(word, word))
    return out


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A crude suffix stripper: enough to match missile/missiles, boost/boosting, call/called."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + repl
    return word


def content_terms(text: str, extra_stopwords: frozenset[str] = frozenset()) -> set[str]:
    """Stemmed non-stopword, non-numeric words."""
    return {
        stem(t) for t in tokens(text)
        if t not in STOPWORDS and t not in extra_stopwords and not t.isdigit() and len(t) > 1
    }


def term_matches(terms: set[str], pool: set[str]) -> set[str]:
    """The terms found in pool, exactly, by their loose form (vote/vot, pass/pas, combatt/combat), or sharing
    a 6-letter prefix (production/producing)."""
    prefixes = {p[:6] for p in pool if len(p) >= 6}
    loose = {_loose(p) for p in pool}
    return {t for t in terms if t in pool or _loose(t) in loose or (len(t) >= 6 and t[:6] in prefixes)}


def _loose(term: str) -> str:
    """A stem without a final "e" or doubled final consonant, which `stem` leaves on some forms only."""
    term = term[:-1] if term.endswith("e") and len(term) > 3 else term
    return term[:-1] if len(term) > 3 and term[-1] == term[-2] and term[-1] not in "aeiou" else term


def number_mentions(text: str) -> list[tuple[str, float]]:
    """Numbers in text with their values: "480 million" → 4.8e8, "$4.5bn" → 4.5e9, "two" → 2."""
    found: list[tuple[str, float]] = []
    for m in _NUMBER.finditer(text):
        value = float(m.group(1).replace(",", "") + (m.group(2) or ""))
        if m.group(3):
            value *= _SCALE[m.group(3).lower()]
        found.append((m.group(0).strip(), round(value, 6)))
    for m in _NUMBER_WORD.finditer(text):
        value = float(_NUMBER_WORDS[m.group(1).lower()])
        if m.group(2):
            value *= _SCALE[m.group(2).lower()]
        found.append((m.group(0), value))
    return found


def figures_in(text: str) -> set[float]:
    """The values of the numbers a text gives, years aside ("in 2021" dates, it does not count; "2,000", "$2000"
    and "2000 people" are no years: a year is four bare digits; the 19 of "COVID-19" is part of a name)."""
    text = _NAMED_NUMBER.sub(" ", text)  # "COVID-19", "F-35": part of a name, no figure
    return {value for written, value in number_mentions(text)
            if not (1900 <= value <= 2100 and re.fullmatch(r"\d{4}", written))}


_NAMED_NUMBER = re.compile(r"\b[A-Z][A-Za-z]*-\d+\b")


def figures_agree(given: set[float], theirs: set[float]) -> bool:
    """Whether a sentence giving `theirs` may back a text giving `given`: it shares a figure, and when the only
    ones it shares are small (at most 10), the two do not each give figures the other lacks ("At least 28
    Palestinians, including nine children" is not backed by "Of the 26 people who died, ... at least nine were
    children"; "over 8%" is backed by "More than five million people, or nearly 8 percent")."""
    shared = given & theirs
    if not given:
        return True
    if not shared:
        return False
    return any(v > 10 for v in shared) or not (given - theirs and theirs - given)


def number_in(value: float, values: list[float]) -> bool:
    """Tolerant membership: 4.5e9 matches 4,500,000,000; 21 matches 21.0."""
    return any(abs(v - value) <= 1e-6 * max(1.0, abs(v)) for v in values)


def entities_in(text: str) -> list[str]:
    """Capitalised names and acronyms ("Kim Jong Un", "KCNA", "Ulchi Freedom Guardian") in reading order."""
    names: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        words = re.findall(r"[\"“‘(\[]?([A-Za-z][\w'’-]*)", sentence)
        current: list[str] = []
        for i, word in enumerate(words):
            bare = re.sub(r"['’]s$", "", word)
            capital = bare[:1].isupper() and bare.lower() not in STOPWORDS
            if i == 0 and capital and (bare.lower() in _OPENERS or re.search(r"(ly|ing|ed)$", bare)):
                capital = False
            if capital:
                current.append(bare)
            else:
                if current:
                    names.append(" ".join(current))
                current = []
        if current:
            names.append(" ".join(current))
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


# A content word is negated when an odd number of negation cues precede it within this many words.
NEGATION_WINDOW = 3


def polarities(text: str) -> dict[str, set[bool]]:
    """Each content word (stemmed) → the polarities it occurs with: True where negated ("has not called")."""
    words = re.findall(r"[a-z]+(?:n't)?|[0-9]+", text.lower().replace("’", "'"))
    out: dict[str, set[bool]] = {}
    for i, word in enumerate(words):
        if word in STOPWORDS or word in NEGATIONS or word.endswith("n't") or len(word) < 3:
            continue
        cues = sum(w in NEGATIONS or w.endswith("n't") for w in words[max(0, i - NEGATION_WINDOW):i])
        out.setdefault(stem(word), set()).add(cues % 2 == 1)
    return out


def has_negation(text: str) -> bool:
    words = re.findall(r"[a-z']+", text.lower().replace("’", "'"))
    return any(w in NEGATIONS or w.endswith("n't") for w in words)


def question_terms(question: str) -> set[str]:
    """The content terms of a question that an answer must be about."""
    return content_terms(question, QUESTION_WORDS)
