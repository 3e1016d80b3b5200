"""Defect detectors for briefing and answer sentences: an independent measuring stick.

Nothing here imports the product (`rag`): a rule fixed in the product must not also fix the ruler. The
detectors are plain, documented string rules (no model), tested on hand examples in tests/test_benchmarks.py.
Each takes the sentence as shown to the reader and, where needed, the cited sentences and their outlets.

Attribution frame: the words that say who states something, stripped before content checks —
"According to X, …", "X reported that …" / "X said …" / "X argued that …" (X one of the cited outlets, "the
report", "one report", "the sources"), and tails ", according to X." / ", X reported." / ", the report added.".

Defect kinds (per sentence; a sentence can have several):
  question       a "?" outside quotation marks
  headline       the content is written in Title Case (>= 90% of its words of 4+ letters capitalised, at least
                 four of them) or is (nearly) an outlet's headline
  boilerplate    web furniture or a dateline: ALL-CAPS runs of 3+ words, "click here", "sign up", "Why it
                 matters:", "PUBLISHED ...", "(AP Photo", "contributed to this report", "WASHINGTON (AP) —" …
  first person   I / me / my / we / us / our / let's / you / your outside quotation marks (first- and
                 second-person asides; "US" in capitals is the country and is not counted)
  frame capital  a capitalised function word right after "reported that" / "said that" / "according to X,"
                 ("reported that The …", "reported that And …"); proper nouns cannot trigger it
  double frame   "X reported that" and a report tail (", the report added", ", according to X"), or a second
                 outlet frame in one clause ("A reported that x; B reported that y" is one frame per clause);
                 "According to X, ..., the report added" is the reframe (X says the report says), not a defect
  over 60 words
  quote          text inside “…” or "..." that is not verbatim (whitespace and quote style aside) in a cited
                 sentence
  meaning deleted  the content is the cited sentence with words deleted, and a deleted word inside the kept span
                 carries meaning: a negation, a superlative / "only" / "first", a number, or a casualty word
                 ("189 people killed and 516 injured" → "189 people and 516 injured"); or deletion left "a" before
                 a vowel ("A new analysis" → "A analysis")
  new words      content words (outside the frame) found in none of the cited sentences; compared lower-case,
                 so re-casing "The" to "the" is not a new word; only for fact sentences (comparison lines in
                 "differences" / "framing" sections are composed around quotes and are checked for quotes only)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

DEFECT_KINDS = ("question", "headline", "boilerplate", "first person", "frame capital", "double frame",
                "over 60 words", "quote", "new words", "meaning deleted")

REPORT_VERBS = ("reported", "reports", "said", "says", "wrote", "writes", "argued", "argues", "noted", "notes",
                "added", "adds", "stated", "states", "claimed", "claims", "called", "calls", "described",
                "describes", "told", "tells", "cited", "cites", "warned", "warns", "announced", "announces")
_VERBS = "|".join(REPORT_VERBS)
_GENERIC_SOURCES = r"(?:the report|one report|a report|the sources|both sources|all three outlets|each outlet)"
_WORD = re.compile(r"[A-Za-z0-9]+(?:[’'][a-z]+)?")
_QUOTED = re.compile(r"“([^”]{1,400})”|\"([^\"]{1,400})\"")
_QUOTE_CHARS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " "})
_FUNCTION_CAPS = {
    "The", "A", "An", "And", "But", "Or", "So", "This", "That", "These", "Those", "It", "Its", "In", "On", "At",
    "For", "With", "As", "If", "When", "While", "After", "Before", "However", "Yet", "There", "Their", "They",
    "He", "She", "We", "His", "Her", "Our", "Despite", "Although", "Because", "Since", "Many", "Some", "Most",
    "Members", "Why", "What", "How", "Who", "Still", "Also", "Meanwhile", "Now", "Then", "Here", "Was", "Were",
    "Is", "Are", "Has", "Have", "Had", "Did", "Does", "Do", "Can", "Will", "Would", "Should", "Could", "Not",
}
_BOILERPLATE = re.compile(
    r"click here|sign up|subscribe|newsletter|read more|advertisement|all rights reserved|copyright|"
    r"follow us|share this|\(AP Photo|Getty Images|contributed to this report|this story has been updated|"
    r"^\s*Why it matters:|^\s*The big picture:|^\s*What to watch:|^\s*Be smart:|^\s*Go deeper:",
    re.IGNORECASE,
)
# Case-sensitive: "PUBLISHED FEBRUARY 23", "WASHINGTON (AP) — ", "ROTTERDAM, March 14, 2024 - ".
_DATELINE = re.compile(r"\bPUBLISHED\b|\bUPDATED\b|^\s*[A-Z]{3,}(?:[ ,]+[A-Z]{2,})*,?(?: [A-Z][a-z]+\.? \d{1,2}"
                       r"(?:, \d{4})?)? ?(?:\([A-Z][A-Za-z]*\) )?[—–-] ")
_CAPS_RUN = re.compile(r"\b[A-Z]{2,}(?:[ ,:]+[A-Z]{2,}){2,}\b")
_PERSON = re.compile(r"(?<![.\w])I(?![.\w-])"  # not the I of "C.P.I." or "(I-Vt.)"
                     r"|\b(?:me|my|mine|we|We|us|our|Our|ours|let's|Let's|you|You|your|Your|yours)\b")
_REPORT_TAIL = re.compile(rf",\s+the (?:report|statement|outlet|newspaper|agency|article|paper) (?:{_VERBS})"
                          rf"\s*[.!]?\s*$|,\s+according to (?:the|a|one) report\s*[.!]?\s*$", re.IGNORECASE)


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def _outlet_pattern(outlets: Iterable[str]) -> str:
    """One outlet, or a list of them ("A, B and C"), or a generic source ("the report")."""
    names = sorted({re.escape(o) for o in outlets if o}, key=len, reverse=True)
    # a newspaper may be named with its "The" ("The New York Times reported", rag.attribution.press_name)
    one = r"(?:the\s+)?(?:" + "|".join(names) + ")|" + _GENERIC_SOURCES if names else _GENERIC_SOURCES
    return rf"(?:{one})(?:(?:,\s*|,?\s+and\s+)(?:{one}))*"


def split_frame(text: str, outlets: Sequence[str] = ()) -> tuple[str, str]:
    """(frame words, content) — the attribution frame (leading and trailing) and what it frames."""
    who = _outlet_pattern(outlets)
    content, frame = text.strip(), []
    lead = re.match(rf"^(?:According to (?:{who}),\s*|(?:{who})\s+(?:{_VERBS})(?:\s+that)?[,:]?\s+)",
                    content, re.IGNORECASE)
    if lead:
        frame.append(lead.group())
        content = content[lead.end():]
    tail = re.search(rf",\s+(?:according to (?:{who})|(?:as\s+)?(?:{who})\s+(?:{_VERBS}))\s*([.!?]?)\s*$", content,
                     re.IGNORECASE)
    if tail:
        frame.append(tail.group())
        content = content[: tail.start()] + tail.group(1)
    return " ".join(frame), content


def unquoted(text: str) -> str:
    """The text without quoted passages (a quotation left open runs to the end of the sentence)."""
    # A quotation left open runs to the end; one closed but opened in an earlier sentence runs from the start.
    return re.sub(r"^[^“]*”", " ", re.sub(r"“[^”]*$", " ", _QUOTED.sub(" ", text)))


def is_question(text: str) -> bool:
    return "?" in unquoted(text)


def is_headline(content: str, headlines: Sequence[str] = ()) -> bool:
    long_words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]{3,}", content)]
    capitalised = [w for w in long_words if w[0].isupper()]
    # 90%: a sentence thick with names ("The case, Mahanoy Area School District v. B.L., was heard April 28")
    # still has lower-case words; a headline has almost none.
    if len(capitalised) >= 4 and len(capitalised) >= 0.9 * len(long_words):
        return True
    mine = set(words(content))
    for headline in headlines:
        theirs = set(words(headline))
        if theirs and len(mine & theirs) >= 0.8 * len(theirs) and len(mine) <= 1.3 * len(theirs):
            return True
    return False


def is_boilerplate(content: str) -> bool:
    return bool(_BOILERPLATE.search(content) or _DATELINE.search(content) or _CAPS_RUN.search(unquoted(content)))


def is_first_person(content: str) -> bool:
    return bool(_PERSON.search(unquoted(content)))


def has_frame_capital(text: str, outlets: Sequence[str] = ()) -> bool:
    frame, content = split_frame(text, outlets)
    if not frame or frame.strip().startswith(",") or text.strip().startswith(content[:20]):
        return False
    first = re.match(r"([A-Za-z]+)", content)  # a quotation may open with a capital
    # Proper nouns never trigger it: only function words and capitalised -ing openers ("Capping ...").
    return bool(first and (first.group(1) in _FUNCTION_CAPS or re.fullmatch(r"[A-Z][a-z]{3,}ing", first.group(1))))


def has_double_frame(text: str, outlets: Sequence[str] = ()) -> bool:
    """A clause framed twice; "A reported that x; B reported that y" frames each outlet's clause once."""
    who = _outlet_pattern(outlets)
    for clause in re.split(r";\s+|(?<=[a-z0-9)”\"]\.)\s+(?=[A-Z])", unquoted(text)):
        clause = clause.strip().rstrip(".") + "."
        lead = re.match(rf"^(?:According to (?:{who}),|(?:{who})\s+(?:{_VERBS})\s+that\b)", clause, re.IGNORECASE)
        frames = len(re.findall(rf"(?:{who})\s+(?:{_VERBS})\s+that\b|according to (?:{who})\b", clause, re.I))
        # "..., The New York Times reported Friday morning."
        tail = re.search(rf",\s+(?:according to (?:{who})|(?:the\s+)?(?:{who})\s+(?:{_VERBS})(?:\s+[A-Za-z.]+){{0,3}})"
                         rf"\s*[.!]?\s*$", clause, re.I)
        # "According to Yonhap, Kim also called for ..., the report added." is the reframe of a sentence that
        # names its own source at its end (nested: the outlet says the report says); "Yonhap reported that Kim
        # also called for ..., the report added" is framed twice
        nested = lead is not None and lead.group(0).lower().startswith("according to") \
            and _REPORT_TAIL.search(clause) is not None
        if nested and tail and re.match(rf",\s+{_GENERIC_SOURCES}\b", tail.group(0), re.I):
            tail = None
        if lead and (_REPORT_TAIL.search(clause) and not nested or tail or frames >= 2):
            return True
        # a teller inside and an outlet's tail: "..., reports CNN, citing data ..., Slate reported."
        if tail and re.search(r",\s+(?:reports|reported|says|said|writes|wrote)\s+(?:the\s+)?[A-Z]",
                              clause[:tail.start()]):
            return True
        # two report tails in a row: "..., The New York Times reported, Newsmax reported."
        if re.search(rf",\s+[A-Z][\w.&' ]{{1,40}}\s+reported,\s+(?:{who})\s+(?:{_VERBS})\s*[.!]?\s*$", clause):
            return True
    return False


def quotes_not_in_source(text: str, sources: Sequence[str]) -> list[str]:
    """Quoted spans of `text` that appear verbatim in none of the cited sentences."""
    haystack = [re.sub(r"\s+", " ", s.translate(_QUOTE_CHARS)) for s in sources]
    bad = []
    for match in _QUOTED.finditer(text):
        span = re.sub(r"\s+", " ", (match.group(1) or match.group(2)).translate(_QUOTE_CHARS)).strip()
        span = span.rstrip(".,…").rstrip(".")
        if span and not any(span.lower() in h.lower() for h in haystack):
            bad.append(span)
    return bad


def new_words(text: str, sources: Sequence[str], outlets: Sequence[str] = ()) -> list[str]:
    """Words of the content (frame stripped) that are in none of the cited sentences or outlet names."""
    _, content = split_frame(text, outlets)
    allowed = set(words(" ".join(sources))) | set(words(" ".join(outlets)))
    return [w for w in words(content) if w not in allowed]


_MEANINGFUL = re.compile(r"^(?:not|no|never|n't|without|nor|only|first|most|least|[a-z]+est|\d[\d,.]*%?|"
                         r"killed|dead|died|injured|wounded|arrested|million|billion|trillion)$")
_NOT_SUPERLATIVE = {"best", "rest", "test", "west", "east", "interest", "protest", "request", "arrest", "latest",
                    "honest", "forest", "guest", "suggest", "nest", "chest", "contest", "modest", "priest", "quest"}
_TOKEN = re.compile(r"\d[\d,.]*\d%?|\d%?|[A-Za-z]+(?:[’'][a-z]+)?|[,;:—–()]")


def deleted_meaning(text: str, sources: Sequence[str], outlets: Sequence[str] = ()) -> list[str]:
    """Meaning-bearing words deleted from inside the kept span of the cited sentence the content was cut from.

    A deleted run that opens with a comma, dash, colon or parenthesis is a removable unit (appositive, relative
    clause, aside) and is not counted: "counties, which was set at 1,495,709, had been met" → "counties, had
    been met" keeps the meaning of what remains.
    """
    _, content = split_frame(text, outlets)
    mine = [t.lower().replace("’", "'") for t in _TOKEN.findall(content) if t[0].isalnum()]
    found: list[str] = []
    joined = " ".join(sources).lower()
    if any(m.group().lower() not in joined for m in re.finditer(r"\b[Aa] [aeioAEIO][a-z]+", unquoted(content))):
        found.append("a + vowel")  # only when the cut made it: "a once-in-a-generation" is the source's
    for source in sources:
        tokens = [t.lower().replace("’", "'") for t in _TOKEN.findall(source)]
        positions, j = [], 0
        for w in mine:
            while j < len(tokens) and tokens[j] != w:
                j += 1
            if j == len(tokens):
                break
            positions.append(j)
            j += 1
        if len(positions) != len(mine) or not positions:
            continue  # not a deletion of this sentence
        for before, after in zip(positions, positions[1:], strict=False):
            run = tokens[before + 1:after]
            if not run or not run[0][0].isalnum():
                continue  # nothing deleted, or a bracketed unit
            found += [w for w in run if _MEANINGFUL.match(w) and w not in _NOT_SUPERLATIVE and w not in mine]
        break
    return found


def sentence_defects(text: str, sources: Sequence[str], outlets: Sequence[str] = (),
                     headlines: Sequence[str] = (), comparison: bool = False) -> list[str]:
    """The defect kinds of one briefing or answer sentence (see the module docstring)."""
    _, content = split_frame(text, outlets)
    found = []
    checks = {
        "question": is_question(text),
        "headline": not comparison and is_headline(content, headlines),
        "boilerplate": is_boilerplate(content),
        "first person": is_first_person(content),
        "frame capital": has_frame_capital(text, outlets),
        "double frame": has_double_frame(text, outlets),
        "over 60 words": len(text.split()) > 60,
        "quote": bool(quotes_not_in_source(text, sources)),
        "new words": not comparison and bool(new_words(text, sources, outlets)),
        "meaning deleted": not comparison and bool(deleted_meaning(text, sources, outlets)),
    }
    for kind in DEFECT_KINDS:
        if checks[kind]:
            found.append(kind)
    return found


# --- titles ---------------------------------------------------------------------------------------
def title_defects(title: str, headlines: Sequence[str], sources: Sequence[str] = ()) -> list[str]:
    """copied (>= 70% word overlap both ways with an outlet headline), cut off (ends in … or ...), over 14 words,
    meaning deleted (as for sentences, against the briefing's cited sentences)."""
    found = []
    if deleted_meaning(title, sources):
        found.append("meaning deleted")
    mine = set(words(title))
    for headline in headlines:
        theirs = set(words(headline))
        if mine and theirs and len(mine & theirs) >= 0.7 * max(len(mine), len(theirs)):
            found.append("copied")
            break
    if title.rstrip().endswith(("…", "...")):
        found.append("cut off")
    if len(title.split()) > 14:
        found.append("over 14 words")
    return found


# --- differences, comparisons, "the sources" -------------------------------------------------------
def names_conflict(text: str, sides: Sequence[Sequence[str]]) -> bool:
    """True when `text` mentions something from every side of a labelled conflict (case-insensitive)."""
    low = text.lower()
    return all(any(alt.lower() in low for alt in side) for side in sides)


_COMPARE = re.compile(r"\b(?:agree|agrees|agreed|agreement|both|one says not|all three|"
                      r"all (?:the )?(?:outlets|sources)|differ|differs|"
                      r"disagree|disagrees|whereas|unlike|in contrast|by contrast|while [^,]{1,60}(?:reports|"
                      r"says|reported|said|calls|called)|only [A-Z][\w()& ]{1,40} (?:reports|reported|says|said)|"
                      r"none of the)\b", re.IGNORECASE)


def has_comparison_line(text: str) -> bool:
    """An explicit agreement or difference statement ("both report", "X and Y differ on", "whereas", ...)."""
    return bool(_COMPARE.search(unquoted(text)))


_SOURCES_PLURAL = re.compile(r"\b(?:the sources|sources say|both (?:outlets|sources|reports)|all (?:three|the) "
                             r"(?:outlets|sources|reports)|the outlets|outlets agree|reports agree)\b", re.I)


def plural_sources_claim(text: str, cited_outlets: Iterable[str]) -> bool:
    """A claim citing one outlet that speaks of "the sources" / "both outlets" (consensus it does not have)."""
    return len(set(cited_outlets)) <= 1 and bool(_SOURCES_PLURAL.search(unquoted(text)))


def names_outlet(text: str, cited_outlets: Iterable[str]) -> bool:
    low = text.lower()
    return any(o and o.lower() in low for o in cited_outlets)
