"""Deletion-based compression: what of a sentence can go (openers, asides, non-restrictive clauses, loaded
modifiers, and past a length its least essential parts), and headlines cut from a sentence by deletion alone.

Every edit here is a deletion: the words that remain are the source's words, in the source's order, so a
compressed sentence stays verifiable against the sentence it cites. A cut that leaves a word without what it
needs (a verb without its subject, a noun without the clause saying which, an "and" between kept words) is
not made.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rag.linguistics import (
    ACTORS,
    DATELINE,
    DEFINING,
    DISCOURSE_MARKERS,
    EVALUATIVE_ADVERBS,
    HEDGES,
    LEADING_CCONJ,
    NAMES,
    NEEDS_ANTECEDENT,
    QUOTE_MARKS,
    REPORTING_VERBS,
    balanced_quotes,
    comma_bounded,
    nlp,
    quoted_tokens,
    root_of,
    subtree_of,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

F = TypeVar("F", bound=Callable[..., Any])


def _per_parse(name: str) -> Callable[[F], F]:
    """Compute once per parse and arguments: the result is kept in the `Doc`'s `user_data` (a briefing asks for
    the same sentence's compression and headline many times: for each outlet's telling, each check, each claim;
    and the walks each of those makes over it, such as its asides). Set arguments key as frozensets; a set
    result is handed out as a copy, so a caller that adds to it changes no other caller's."""
    def wrap(function: F) -> F:
        @functools.wraps(function)
        def cached(doc: Doc, *args: Any, **kwargs: Any) -> Any:
            memo = getattr(doc, "user_data", None)
            if memo is None:
                return function(doc, *args, **kwargs)
            key = (name, tuple(frozenset(a) if isinstance(a, set) else a for a in args),
                   tuple(sorted(kwargs.items())))
            if key not in memo:
                memo[key] = function(doc, *args, **kwargs)
            return set(memo[key]) if isinstance(memo[key], set) else memo[key]
        return cast(F, cached)
    return wrap


@_per_parse("crossread.opening_drop")
def opening_drop(doc: Doc) -> set[int]:
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
            t.like_num or t.text in QUOTE_MARKS for t in doc[start:colon]):
        drop.update(range(start, colon + 1))  # a lead-in label: "Why it matters:", "What to watch:"
        i = colon + 1
    while i < len(doc) and doc[i].lower_ in LEADING_CCONJ and doc[i].dep_ in ("cc", "advmod", "dep", "ROOT") \
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

@_per_parse("crossread.parentheticals")
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

@_per_parse("crossread.dash_aside")
def _dash_aside(doc: Doc, figures: bool = False) -> set[int]:
    """A dash-bounded aside ("— in an overwhelmingly bipartisan vote on Thursday —"), or a trailing one
    ("— a far-reaching goal that ...") after a complete clause; with `figures`, never a trailing one holding a
    number (a claim's "– 0.1 percentage point lower than its July estimate" is news; a headline may lose it)."""
    # a hyphen with spaces around it is a dash too ("force the plane - bound for Lithuania - to land")
    dashes = [t.i for t in doc if t.text in ("—", "–", "--") or t.text == "-" and t.i > 0 and t.whitespace_
              and doc[t.i - 1].whitespace_]
    root = root_of(doc)
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
    # a trailing one holding a figure, not a duration ("– a decision that came after a ten-day pause" may go)
    if figures and len(dashes) == 1 and any(doc[i].like_num and doc[i].ent_type_ not in ("DATE", "TIME")
                                            for i in aside):
        return set()
    return aside

def _listed(doc: Doc, t: Token) -> bool:
    """Whether a comma-bounded phrase is an item of a list that spaCy read as an apposition: "The Post, The New
    York Times, and NBC News issued corrections" (deleting it drops a name)."""
    return t.right_edge.i + 2 < len(doc) and doc[t.right_edge.i + 1].text == "," \
        and doc[t.right_edge.i + 2].dep_ == "cc"


# Entities that make a trailing participle part of the news rather than a comment on it.
_NEWS_ENTITIES = frozenset(("CARDINAL", "MONEY", "PERCENT", "QUANTITY", "PERSON", "ORG", "GPE", "NORP", "LAW"))
_FIGURES = frozenset(("CARDINAL", "MONEY", "PERCENT", "QUANTITY"))


@_per_parse("crossread.nonrestrictive")
def _nonrestrictive(doc: Doc, quoted: set[int] = frozenset(), figures: bool = False,  # type: ignore[assignment]
                    ) -> set[int]:
    """Comma-bounded appositions and relative clauses, and trailing ", saying ..." participles (never part of
    a quotation: an aside holding quoted words stays whole; with `figures`, never a participle of saying that
    holds a number, which a claim keeps and a headline may lose)."""
    drop: set[int] = set()
    for t in doc:
        # an apposition holding another is the parser's reading of a complement ("would make Juneteenth, the
        # date commemorating ..., a legal public holiday"): it stays
        aside = t.dep_ in ("appos", "relcl") and comma_bounded(doc, t) and not _listed(doc, t) \
            and not (t.dep_ == "appos" and any(x.dep_ == "appos" for x in t.subtree if x.i != t.i))
        # a participle of saying, or a trailing one that comments (", bringing a measure of closure to ..."),
        # never one with a figure or a name: ", reaching more than 600,000 deaths" and ", retracting reporting
        # that said Rudy Giuliani had been warned" are the news itself
        participle = t.dep_ == "advcl" and t.tag_ == "VBG" and t.left_edge.i > 0 and doc[t.left_edge.i - 1].text == ","
        trailing = all(x.is_punct for x in doc[t.right_edge.i + 1:])
        counted = figures and any(x.like_num or x.ent_type_ in _FIGURES for x in t.subtree)
        saying = participle and (t.lemma_ in REPORTING_VERBS and not counted or trailing and not any(
            x.like_num or x.ent_type_ in _NEWS_ENTITIES for x in t.subtree))
        if (aside or saying) and not subtree_of(t) & quoted:
            drop |= subtree_of(t) | {t.left_edge.i - 1}
            # and its closing comma, when the verb its head goes with follows ("Gen. Frank McKenzie, the
            # commander of US Central Command, announced" → "Gen. Frank McKenzie announced")
            after = t.right_edge.i + 1
            if aside and after + 1 < len(doc) and doc[after].text == "," and doc[after + 1].pos_ in ("VERB", "AUX") \
                    and (doc[after + 1].i == t.head.head.i or doc[after + 1].head.i == t.head.i):
                drop.add(after)
    return drop

def _ranked(t: Token) -> bool:
    """A modifier that ranks, which is no decoration: "one of the most extreme bans" is not "one of the bans"."""
    return any(c.lower_ in ("most", "more", "least", "less") for c in t.children)

def _loaded_modifiers(doc: Doc, quoted: set[int]) -> set[int]:
    """Loaded adjectives and adverbs the clause stands without ("a draconian law" → "a law"); hedges stay.
    Read once per parse and quotation set (deletion asks again for every shortening it tries)."""
    key = ("crossread.loaded_modifiers", frozenset(quoted))
    memo = getattr(doc, "user_data", None)
    if memo is not None and key in memo:
        return set(memo[key])
    drop = _find_loaded_modifiers(doc, quoted)
    if memo is not None:
        memo[key] = frozenset(drop)
    return drop


def _find_loaded_modifiers(doc: Doc, quoted: set[int]) -> set[int]:
    from rag.framing import lexicon

    words = lexicon().modifiers
    drop: set[int] = set()
    for t in doc:
        if t.i in quoted or t.lower_ in HEDGES:
            continue
        if (t.dep_ == "amod" and t.lemma_.lower() in words) or \
                (t.dep_ == "advmod" and t.lower_ in words | EVALUATIVE_ADVERBS and t.head.pos_ in ("VERB", "ADJ")):
            article = t.left_edge.i > 0 and doc[t.left_edge.i - 1].lower_ in ("a", "an")
            if not article and not _ranked(t) and not any(c.dep_ == "neg" for c in t.children):
                drop |= subtree_of(t)
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
    # a quotation that led into a cut tail ends the sentence: '... of concern,”.' → '... of concern”.'
    out = re.sub(r",([”\"’'])\s*([.!?])$", r"\1\2", out.strip())
    return out.strip()

MAX_CLAIM_WORDS = 45  # a claim longer than this loses its least essential parts (see _shorten)


@_per_parse("crossread.compress")
def compress(doc: Doc, *, loaded: bool = True, max_words: int = MAX_CLAIM_WORDS, alone: bool = False,
             ) -> tuple[str, int | None]:
    """The sentence with removable parts deleted: opening dateline/connective, short parentheticals, a trailing
    dash aside, non-restrictive appositions and relative clauses, (with `loaded`) loaded modifiers, (with `alone`,
    for a sentence stated with nothing of its article before it) "also" and "too", and, past `max_words`,
    adverbial clauses and modifiers (as for a headline, but keeping the sentence's close).

    Returns the text and the index of its first kept token (to decide its casing after a frame)."""
    quoted = quoted_tokens(doc)
    drop = opening_drop(doc) | _parentheticals(doc, quoted) | _dash_aside(doc, figures=True)
    drop |= _nonrestrictive(doc, quoted, figures=True)
    if loaded:
        drop |= _loaded_modifiers(doc, quoted)
    if alone:  # "High temperatures in Utah ... [also] broke heat records" as the first key fact
        drop |= {t.i for t in doc if t.dep_ == "advmod" and t.lower_ in _ADDITIVE and t.i not in quoted}
    root = root_of(doc)
    misparsed = _misparsed(doc)
    if root.i in drop or sum(1 for t in doc if t.i not in drop and t.is_alpha) < 4 or misparsed:
        drop = opening_drop(doc)
    shortened = drop if misparsed else _shorten(doc, drop, max_words, quoted, tiers=2, figures=True)
    # never cut a sentence down to a stub, nor leave a word without what it needs ("including provisions"
    # without "targeting voting by mail")
    if word_count(doc, shortened) >= min(12, word_count(doc, drop)) and not _broken(doc, shortened):
        drop = shortened
    if not balanced_quotes(render(doc, drop)) and balanced_quotes(doc.text):  # a cut into a quotation: undo all
        drop = set()
    drop |= _subject_commas(doc, drop)
    # its first word: render drops a comma left at the start ("..., made public Thursday, Jill Tyson of the FBI")
    first = next((t.i for t in doc if t.i not in drop and not t.is_space and not t.is_punct), None)
    return render(doc, drop), first

_ADDITIVE = frozenset(("also", "too"))

def needs_context(doc: Doc) -> bool:
    """Whether the sentence, once its opening connective is gone, starts on a word pointing back to an earlier
    sentence ("But it's not tough because ...", "This call for ..."): alone, a reader cannot tell what it means."""
    drop = opening_drop(doc)
    first = next((t for t in doc if t.i not in drop and not t.is_punct and not t.is_space), None)
    if first is None:
        return True
    return first.lower_ in NEEDS_ANTECEDENT and first.pos_ in ("PRON", "DET")

# Least essential first: asides, then adverbial clauses, then prepositional phrases, then modifiers. A cut never
# takes where a subject happened ("A bombing outside Kabul's main mosque"), who a noun in a phrase comes from
# ("without objection from President Biden"), nor a clause with a figure ("a lot of tragedy as at least 150 people
# were killed").
_TIERS = (("parataxis", "advcl", "relcl", "acl", "appos", "intj", "npadvmod"), ("prep", "agent"),
          ("conj", "advmod", "amod"))

def _extended_after(doc: Doc, t: Token) -> bool:
    """Whether the words right after `t`'s subtree extend its last noun: "the bombing that killed scores of people,
    including 13 American service members" (the parser hung "including" elsewhere; cutting the clause would make
    the 13 service members part of what is left)."""
    j = t.right_edge.i + 1
    while j < len(doc) and doc[j].text in (",", "—", "–"):
        j += 1
    return j < len(doc) and (doc[j].lower_ in ("including", "especially", "notably", "among")
                             or doc[j].lower_ == "such" and j + 1 < len(doc) and doc[j + 1].lower_ == "as")

# Verbs that link their subject to a state the word after them names: "fell ill", "went missing", "turned
# violent" (without it, "researchers ... fell").
_LINKING = frozenset(("fall", "go", "turn", "grow", "become", "get", "stay", "remain", "prove", "come", "run"))

def _shorten(doc: Doc, drop: set[int], max_words: int, quoted: set[int], tiers: int = len(_TIERS),
             figures: bool = False) -> set[int]:
    """Delete whole subtrees, from the end of the sentence and the least essential kind first, until the
    sentence has at most `max_words` words (or nothing more can go). Negations, quotations and names stay;
    with `figures`, so do phrases holding a number (a claim's "to auditors reviewing the November 2020 election";
    a headline may lose them)."""
    root = root_of(doc)
    drop = set(drop)
    for tier in _TIERS[:tiers]:
        if word_count(doc, drop) <= max_words:
            break
        for t in sorted(doc, key=lambda t: -t.i):
            if word_count(doc, drop) <= max_words:
                break
            if t.dep_ in tier and t.i not in drop and t.head.i not in drop and t.i != root.i \
                    and not (t.dep_ == "prep" and _needed_prep(t)) \
                    and not (t.dep_ in ("conj", "advmod") and t.pos_ == "PROPN") \
                    and not (t.dep_ == "npadvmod" and (t.ent_type_ not in ("DATE", "TIME") or t.head.pos_ in (
                        "ADV", "ADJ"))) \
                    and not (t.dep_ in ("amod", "advmod") and (t.tag_ in ("JJS", "JJR", "RBS", "RBR")
                                                               or t.lower_ in _ORDER
                                                               or _ranked(t) or _after_article(doc, t))) \
                    and not (t.dep_ == "acl" and any(c.dep_ == "nummod" for c in t.head.children)) \
                    and not (t.dep_ == "amod" and (t.ent_type_ in ("NORP", "GPE") or t.tag_ in ("VBN", "VBG"))) \
                    and not (t.dep_ == "xcomp" and (t.head.pos_ == "ADJ" or any(  # "unable to stop", "advising
                        c.dep_ == "dobj" for c in t.head.children))) \
                    and not (t.dep_ in ("acl", "relcl") and _counted(t.head)) \
                    and not (t.dep_ in ("compound", "amod") and t.head.lemma_.lower() in _EXTREMES) \
                    and not (t.dep_ == "prep" and t.lower_ in ("to", "from") and t.head.pos_ == "VERB" and (any(
                        x.like_num for x in t.subtree) or any(c.dep_ == "pcomp" for c in t.children))) \
                    and not (t.dep_ == "appos" and (_listed(doc, t) or t.ent_type_ in NAMES)) \
                    and not (t.dep_ == "prep" and t.head.pos_ == "NOUN" and any(  # "population on April 1, 2020"
                        x.ent_type_ in ("DATE", "TIME") for x in t.subtree)) \
                    and not (figures and t.dep_ == "prep" and any(x.like_num for x in t.subtree)) \
                    and not (t.dep_ == "prep" and _bounds_a_superlative(t)) \
                    and t.lower_ not in HEDGES \
                    and not _extended_after(doc, t) \
                    and not (t.dep_ in ("advmod", "amod") and t.head.lemma_ in _LINKING and t.i == t.head.i + 1) \
                    and not (doc[t.left_edge.i].lower_ in ("as", "than")  # not "as soon [as possible]"
                             and _half_a_comparison(doc, drop | {x.i for x in t.subtree})) \
                    and not (t.dep_ == "prep" and t.head.dep_ in ("nsubj", "nsubjpass") and any(
                        x.ent_type_ in ("GPE", "LOC", "FAC") for x in t.subtree)) \
                    and not (t.dep_ == "prep" and t.head.pos_ == "NOUN" and t.head.dep_ == "pobj" and any(
                        x.dep_ == "pobj" and x.ent_type_ in ACTORS for x in t.children)) \
                    and not (t.dep_ == "advcl" and (_purpose(t) or _bounds(t) or any(
                        x.like_num and x.ent_type_ not in ("DATE", "TIME") for x in t.subtree))) \
                    and not (t.dep_ == "advmod" and t.head.pos_ in ("ADV", "NUM")) \
                    and not any(c.dep_ == "neg" for c in t.children) and not subtree_of(t) & quoted:
                removed = subtree_of(t)
                if _splits_a_name(doc, removed):  # "Centers" left of "Centers for Disease Control and ..."
                    continue
                # nor leaves its head saying nothing ("called for a boost" without "in the production of
                # missiles"): another part goes instead ("During his visit to the factories")
                if t.head.i not in removed and emptied(t.head, drop | removed):
                    continue
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

# Nouns that rank: "a fresh pandemic low" is not "a fresh low", nor "a 17-month high" "a high".
_EXTREMES = frozenset(("low", "high", "record", "peak", "level", "levels"))

# Nouns that count what their "of" names: "the number of Americans filing claims" is not "the number of Americans".
_COUNTING = frozenset(("number", "share", "percentage", "proportion", "rate", "count", "total", "majority", "half"))


def _counted(t: Token) -> bool:
    """Whether `t` is what a counting noun counts ("Americans" in "the number of Americans filing claims")."""
    return t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.lemma_.lower() in _COUNTING


# Modifiers that place a thing in an order or say how many: "its first press conference" is not "its press
# conference", nor "several researchers" all of them.
_ORDER = frozenset(("first", "last", "latest", "only", "next", "second", "third", "final", "several", "few",
                    "many", "most"))

# A root's dependents that carry what it says: a headline that loses them loses its meaning.
_CORE = frozenset(("dobj", "attr", "acomp", "ccomp", "xcomp", "oprd", "dative", "agent"))

# What a verb of saying says: "Officials said on Monday" without it says nothing. (Below, a verb with two objects
# is a misparse a cut would garble: "intensified its crackdown ..., the power-hungry process in which ...".)
_SAID = frozenset(("ccomp", "parataxis", "xcomp", "dobj", "conj", "advcl"))

# Verbs that say nothing without their infinitive: "are set Tuesday" without "to attend a markup".
_SET_TO = frozenset(("set", "schedule", "slate", "poise", "due", "expect", "go", "plan", "aim", "prepare"))

def _bounds(t: Token) -> bool:
    """A clause that bounds what the sentence says: "had admitted any minorities since GoLocal first raised the
    issue", "will go ahead unless the court objects", "if it passes", "prohibits abortions once cardiac activity
    can be detected"; or completes a comparison: "have been more than halved"."""
    return any(c.dep_ == "mark" and c.lower_ in ("since", "until", "unless", "if", "than", "once") for c in t.children)

def _bounds_a_superlative(prep: Token) -> bool:
    """A superlative, or a span of time beside one: "are at their worst in more than 40 years" is neither "are
    at their worst" nor "are in 40 years"."""
    if any(x.tag_ in ("JJS", "RBS") for x in prep.subtree):
        return True
    superlative = any(x.tag_ in ("JJS", "RBS") for c in prep.head.children if c.i != prep.i for x in c.subtree)
    return superlative and any(x.ent_type_ in ("DATE", "TIME") for x in prep.subtree)

def _purpose(t: Token) -> bool:
    """An infinitive of purpose: "will invest more than $3 billion to develop antiviral pills" says for what."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in t.children)

def _splits_a_name(doc: Doc, removed: set[int]) -> bool:
    """Whether deleting these tokens would keep part of a named entity or of a score ("8-1") and drop the
    rest."""
    scores = [range(t.i, t.i + 3) for t in doc[:-2] if t.like_num and doc[t.i + 1].text in ("-", "–")
              and doc[t.i + 2].like_num]
    units = [range(ent.start, ent.end) for ent in doc.ents] + scores
    return any(any(i in removed for i in unit) and not all(i in removed for i in unit) for unit in units)

@_per_parse("crossread.clause_appositions")
def _clause_appositions(doc: Doc, quoted: set[int]) -> set[int]:
    """A noun phrase after a comma that sums up the clause before it ("The Senate passed a $1 trillion plan
    Tuesday, a huge step for Democrats as they try ..."), which the parser hangs on the verb as a second object:
    it goes with its comma."""
    drop: set[int] = set()
    for verb in doc:
        objects = [c for c in verb.children if c.dep_ == "dobj"]
        for extra in objects[1:]:
            comma = extra.left_edge.i - 1
            if comma > objects[0].right_edge.i and doc[comma].text == "," and not subtree_of(extra) & quoted:
                drop |= subtree_of(extra) | {comma}
    return drop


@_per_parse("crossread.headline")
def headline(doc: Doc, max_words: int = 14, *, deep: bool = True, bare: bool = False) -> str | None:
    """A whole clause of at most `max_words` words — who did what — by deleting subtrees; None if impossible.

    Without `deep`, only asides go (openers, brackets, appositions); with it, adverbial clauses, phrases and
    modifiers too. Either way the result keeps the root's subject and its core complements, every kept word's
    head, and some complement when the root had one (no "Evidence that the vaccine works comes")."""
    quoted = quoted_tokens(doc)
    drop = opening_drop(doc) | _parentheticals(doc, quoted) | _dash_aside(doc) | _nonrestrictive(doc, quoted)
    summing_up = _clause_appositions(doc, quoted)  # a second "object" the parser made of "..., a huge step"
    drop |= _loaded_modifiers(doc, quoted) | summing_up
    # "also", "too": a headline stands alone, with nothing before it to add to
    drop |= {t.i for t in doc if t.dep_ == "advmod" and t.lower_ in _ADDITIVE}
    root = root_of(doc)
    if deep:
        shortened = _shorten(doc, drop, max_words, quoted)
        if bare and word_count(doc, shortened) > max_words:  # headline style (`bare`), when nothing else brings
            # it within the limit: without articles ("US intelligence community reached inconclusive assessment")
            shortened = _shorten(doc, drop | _articles(doc, quoted), max_words, quoted)
        drop = shortened
    if word_count(doc, drop) > max_words or not any(c.dep_ in ("nsubj", "nsubjpass") and c.i not in drop
                                                 for c in root.children):
        return None
    dependents = [c for c in root.children if not c.is_punct and c.dep_ not in ("nsubj", "nsubjpass", "aux",
                                                                                 "auxpass", "neg", "cc", "advmod")]
    if any(c.dep_ in _CORE and c.i in drop - summing_up for c in root.children) \
            or dependents and all(c.i in drop for c in dependents) \
            or root.lemma_ in REPORTING_VERBS and not any(c.i not in drop and c.dep_ in _SAID for c in root.children) \
            or root.lemma_ in _SET_TO and any(c.dep_ in ("advcl", "xcomp") and c.i in drop for c in root.children) \
            or any(t.i not in drop and t.i != root.i and t.head.i in drop for t in doc if not t.is_punct) \
            or any(emptied(t, drop) for t in doc if t.i not in drop) \
            or any(t.i not in drop and t.i != root.i and t.pos_ in ("VERB", "ADP") and _stranded(t, drop)
                   for t in doc) \
            or any(t.i not in drop and _lost_its_own(t, drop) for t in doc) \
            or _lost_its_and(doc, drop) or _half_a_comparison(doc, drop) or _lost_its_charge(doc, drop) \
            or any(_undefined(c, drop, asides=True) for c in root.children if c.dep_ in ("nsubj", "nsubjpass")) \
            or any(sum(c.dep_ == "dobj" and c.i not in drop for c in t.children) > 1 for t in doc) \
            or any(t.dep_ == "relcl" and t.i not in drop and any(  # "process [in which] computer networks compete"
                w.i in drop for w in t.subtree if w.tag_ in ("WDT", "WP", "WP$")) for t in doc) \
            or any(c.dep_ == "conj" and c.pos_ == "VERB" and c.i not in drop and any(  # "agreed to a cease-fire,
                a.dep_ == "advcl" and a.i in drop and a.i < c.i for a in root.children)  # [halting a war that
                   for c in root.children) \
            or _crosses_a_cut(doc, drop) \
            or any(not doc[i].whitespace_ and (i in drop) != (i + 1 in drop) and "-" in doc[i].text + doc[i + 1].text
                   for i in range(len(doc) - 1)) \
            or _misparsed(doc):  # caused ...,] brought life": the verb after the cut clause was the clause's
        return None
    # a coordinator left at the end once all it joined went ("... reveals hidden wealth [, tax avoidance] and
    # [money laundering]"): it goes too
    drop = drop | {c.i for c in doc if c.dep_ == "cc" and c.i not in drop and not any(
        x.dep_ == "conj" and x.i > c.i and x.i not in drop for x in c.head.children)
        and all(t.i in drop or t.is_punct for t in doc[c.i + 1:])}
    kept = [t for t in doc if t.i not in drop and not t.is_space]
    last = next((t for t in reversed(kept) if not t.is_punct), None)
    if last is not None and last.pos_ in ("CCONJ", "SCONJ", "ADP", "DET"):  # "... underwhelming results and"
        return None
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

def _articles(doc: Doc, quoted: set[int]) -> set[int]:
    """The articles a headline can go without: "the", "a", "an" outside names and quotations ("The Hill" stays)."""
    return {t.i for t in doc if t.dep_ == "det" and t.lower_ in ("the", "a", "an") and not t.ent_type_
            and t.i not in quoted}

def _crosses_a_cut(doc: Doc, drop: set[int]) -> bool:
    """A kept word hung on a kept head across a cut clause that hangs elsewhere: "blocked a bill ..., [ratcheting
    up] already inflamed tensions", "inflamed" read as a modifier of "bill"; the cut leaves "a bill to overhaul
    elections inflamed tensions". (A cut phrase may cross: "passed legislation [on Tuesday] that would ...".)"""
    def arc(t: Token) -> tuple[int, int]:
        return min(t.i, t.head.i), max(t.i, t.head.i)

    kept = [arc(t) for t in doc if t.i not in drop and t.head.i not in drop and t.head.i != t.i and not t.is_punct]
    cuts = [arc(t) for t in doc if t.i in drop and t.head.i not in drop and t.head.i != t.i and t.pos_ == "VERB"]
    return any(a < c < b < d or c < a < d < b for a, b in kept for c, d in cuts)


def _subject_commas(doc: Doc, drop: set[int]) -> set[int]:
    """Commas left between a subject and its verb once the apposition, clause or phrase between them went ("the
    Kentucky Republican, who chairs the panel, used" → "the Kentucky Republican used"; "Biden, in a speech
    Tuesday afternoon, also set" → "Biden set")."""
    root = root_of(doc)
    commas: set[int] = set()
    for verb in [root, *(c for c in root.children if c.dep_ == "ccomp")]:
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is None:
            continue
        words = [t.i for t in subject.subtree if t.i not in drop and not t.is_punct]
        # an aside that stays keeps its closing comma ("Initial filings, seen as a proxy for layoffs, reached")
        opened = any(t.text == "," and t.i not in drop and t.i < max(words, default=0) for t in subject.subtree)
        if not words or opened:
            continue
        verb_start = min([verb.i] + [c.i for c in verb.children if c.dep_ in ("aux", "auxpass", "neg")])
        between = doc[max(words) + 1: verb_start]  # "Biden, [in a speech Tuesday afternoon,] [also] set a goal"
        if any(t.i in drop for t in subject.subtree if not t.is_punct) \
                or any(t.i in drop and not t.is_punct for t in between):
            commas |= {t.i for t in between if t.text == ","}
    return commas

# Verbs whose complement is a bare infinitive ("let them raise", "helped pass").
_BARE_INFINITIVE = frozenset(("make", "let", "help", "have", "see", "watch", "hear", "feel", "bid", "dare"))


@_per_parse("crossread.misparsed")
def _misparsed(doc: Doc) -> bool:
    """A clause hung on the main verb as its content without "that" although the verb is no verb of saying
    ("urged voters to turn back a vote ..., while leading Republican Larry Elder broadly criticized"): the
    parser has joined two clauses it did not understand, and deleting subtrees would garble them."""
    root = root_of(doc)
    if root.tag_ == "VBN" and not any(c.dep_ in ("aux", "auxpass") for c in root.children) \
            or any(c.dep_ == "mark" for c in root.children):
        return True  # a participle read as the main verb ("insurance put in place during the pandemic ended"),
        # or a subordinate clause read as the main one ("after he abruptly ended ..., a defensive and at times
        # surly President Biden insisted")
    if any(c.dep_ == "advcl" and c.tag_ == "VBG" and any(x.dep_ in ("nsubj", "nsubjpass") for x in c.children)
           and not any(x.dep_ == "mark" for x in c.children) for c in root.children):
        return True  # an object read as the subject of a participle ("detailed to a Senate panel Tuesday the
        # documents she gathered showing ...": cutting the clause leaves "detailed to a Senate panel")
    if any(t.dep_ == "xcomp" and t.tag_ == "VB" and not any(c.dep_ == "aux" for c in t.children)
           and t.head.lemma_ not in _BARE_INFINITIVE for t in doc) or any(
            t.dep_ == "advcl" and t.tag_ in ("VB", "VBP", "VBD", "VBZ") and t.head.lemma_ not in _BARE_INFINITIVE
            and not any(c.dep_ in ("aux", "mark", "nsubj", "nsubjpass") for c in t.children) for t in doc):
        return True  # "has become the first US president declare formal recognition": a word missing (the
        # source's slip) or a misreading ("is close to advising fully vaccinated Americans get booster shots":
        # "get" hung on "is"; "Cyberattackers linked to a Chinese spy agency conducted ...": "linked" read as the
        # main verb); no cut is made in it
    if any(sum(c.dep_ == "appos" for c in t.children) > 1 for t in doc):
        return True  # two appositions of one word: "Rogers, now 62, debated leaving, he told CNN" (a clause read
        # as an apposition; cutting both left "Rogers, he told CNN")
    for t in doc:  # two objects of one verb with a full stop between them: "yanked all five appointees ... after
        objects = [c.i for c in t.children if c.dep_ == "dobj"]  # she rejected Reps. Jim Jordan" ("Reps." ended
        if len(objects) > 1 and any(x.text == "." for x in doc[objects[0]:objects[-1]]):  # the clause for the
            return True  # parser, and "Jim Jordan" became an object of "yanked")
    if any(t.dep_ == "conj" and any(c.dep_ in ("nsubj", "nsubjpass") and c.tag_ in ("WP", "WDT")
                                    for c in t.children) for t in doc):
        return True  # a "who" clause read as a second main clause ("authorized shots for people above 65 or who
        # are at high risk")
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
    root = root_of(doc)
    return any(t.i not in drop and (emptied(t, drop) or _lost_its_own(t, drop)
                                    or t.i != root.i and t.pos_ in ("VERB", "ADP") and _stranded(t, drop))
               for t in doc) or _lost_its_and(doc, drop) or _half_a_comparison(doc, drop) \
        or _lost_its_charge(doc, drop)

# Verbs that say nothing without their preposition's phrase or infinitive: "accused China [of paying criminal
# groups]", "cast opponents [as dangerous]", "urged the U.S. Supreme Court [... to overturn]".
_CHARGES = {"accuse": "of", "convict": "of", "suspect": "of", "charge": "with", "blame": "for", "cast": "as",
            "describe": "as", "portray": "as", "label": "as", "brand": "as", "sentence": "to",
            "urge": "to"}

def _lost_its_charge(doc: Doc, drop: set[int]) -> bool:
    """A kept verb of `_CHARGES` that had its preposition after it (not in a clause of its own: "painted ..., even
    as ..."), all of which went."""
    for t in doc:
        prep = _CHARGES.get(t.lemma_)
        if t.i in drop or t.pos_ != "VERB" or prep is None:
            continue
        clauses = {x.i for c in t.children if c.dep_ in ("advcl", "ccomp", "conj", "parataxis") for x in c.subtree}
        given = [x for x in t.subtree if x.i > t.i and x.lower_ == prep and x.i not in clauses]
        if given and all(x.i in drop for x in given):
            return True
    return False

def _half_a_comparison(doc: Doc, drop: set[int]) -> bool:
    """A comparison cut in half: "as soon [as possible]", "more troops [than planned]" (its second part went)."""
    for t in doc:
        if t.i in drop:
            continue
        opens = {"as"} if any(c.lower_ in ("as", "so") and c.i not in drop for c in t.children) else set()
        if t.tag_ in ("JJR", "RBR") or any(c.lower_ in ("more", "less", "fewer") and c.i not in drop
                                           for c in t.children):
            opens.add("than")
        if opens and any(c.i in drop and doc[c.left_edge.i].lower_ in opens for c in t.children):
            return True
    return False

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

def _undefined(subject: Token, drop: set[int], asides: bool = False) -> bool:
    """A "the" + noun subject that lost everything saying which: "The effort has enough signatures" without
    "aimed at recalling California Gov. Gavin Newsom" (alone, a title cannot point back). With `asides`, an aside
    counts when nothing else says which: a headline's "The law prohibits abortions ..." without ", signed by Texas
    Republican Gov. Greg Abbott in May," points back (an aside without a name says no more than the noun: "The
    poll, conducted from June 27-30 of ... 907 adults, revealed")."""
    defining = [c for c in subject.children if c.dep_ in DEFINING
                and not (c.dep_ in ("acl", "relcl") and comma_bounded(subject.doc, c))]  # an aside defines nothing
    if asides and not defining:  # an aside that names ("signed by ... Greg Abbott") says which
        defining = [c for c in subject.children if c.dep_ in ("acl", "relcl", "appos")
                    and any(x.pos_ == "PROPN" and x.ent_type_ not in ("DATE", "TIME") for x in c.subtree)]
    # an adjective describes more than it says which: "The significant rise" without "in homicides" is undefined
    naming = [c for c in defining if c.dep_ != "amod"] or defining
    return subject.pos_ == "NOUN" and bool(naming) and all(c.i in drop for c in naming) \
        and any(c.dep_ == "det" and c.lower_ == "the" for c in subject.children)

# Pronouns that say nothing without the clause that defines them.
_EMPTY_PRONOUNS = frozenset(("something", "anything", "everything", "nothing", "someone", "anyone", "those", "one"))


def emptied(t: Token, drop: set[int]) -> bool:
    """A noun that lost the clause saying what it is: an indefinite or ranked one ("announced a goal" without
    "to vaccinate 70%", "the first drug" without "promising to slow ..."), or any that lost its content clause
    ("hit back at allegations" without "that it is spying on him") or its infinitive ("the latest state" without
    "to ban ...")."""
    if t.pos_ == "ADJ":  # "his military proves unable" without "or unwilling to stop the Taliban's advance"
        needs = [x for x in t.subtree if x.dep_ == "xcomp"]
        return bool(needs) and all(x.i in drop for x in needs)
    if t.pos_ == "PRON" and t.lower_ in _EMPTY_PRONOUNS:  # ", something [the United States seeks to slow]"
        return any(c.dep_ in ("relcl", "acl") and c.i in drop for c in t.children)
    if t.pos_ != "NOUN":
        return False
    # a defining relative clause too: "including a man" without "who was photographed on the Capitol steps"
    lost = [c for c in t.children if c.i in drop and (c.dep_ == "acl" or c.dep_ == "relcl"
                                                      and not comma_bounded(t.doc, c))]
    # an infinitive that says which, however parsed: "the latest state" without "to ban ..."
    infinitive = any(c.dep_ in ("acl", "relcl") and c.i in drop and any(m.dep_ == "aux" and m.lower_ == "to"
                                                                         for m in c.children) for c in t.children)
    # the main verb's object that lost its predicate: "show Trump and his allies" without "pressuring ..."
    predicate = bool(lost) and (t.dep_ == "dobj" and t.head.i == root_of(t.doc).i
                                or t.dep_ == "conj" and t.head.dep_ == "dobj")
    bare = t.tag_ == "NNS" and not any(c.dep_ in ("det", "poss") for c in t.children)  # "provisions targeting"
    indefinite = any(c.lower_ in ("a", "an") and c.dep_ == "det" for c in t.children) or any(
        c.dep_ == "amod" and (c.tag_ == "JJS" or c.lower_ in _ORDER) for c in t.children)
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

def word_count(doc: Doc, drop: set[int]) -> int:
    """Words (not punctuation or space) of the doc that are not dropped."""
    words = doc.user_data.get("crossread_words")
    if words is None:  # counted often while deleting: the word positions are read once per doc
        words = doc.user_data["crossread_words"] = [t.i for t in doc if not t.is_punct and not t.is_space]
    return sum(1 for i in words if i not in drop)
