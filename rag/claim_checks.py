"""The verifier's hard checks: names, negation and relations (purpose, cause, effect, time) a claim adds that the
sentences it cites lack. `rag/verify.py` caps the verdict when one fires, so each check is written to fire on
what a claim invents, not on how a paraphrase words it (measured on AttributionBench dev and the perturbation
suite by `benchmarks/verifier.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.linguistics import ACTORS
from rag.terms import NEGATIONS, STOPWORDS, entities_in, polarities, tokens

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Prepositions that add a cause; verbs that add an effect.
_CAUSE_PREPS = frozenset(("because", "due", "owing", "thanks"))
_EFFECT_VERBS = frozenset(("cause", "lead", "result", "trigger", "prompt"))
# Verbs whose "to ..." complement completes them rather than adding a purpose ("thought to have derived", "plan
# to build"); with a verb that takes an object first ("tell the Examiner to discuss"), the "to ..." is content.
_TAKES_INFINITIVE = frozenset((
    "want", "need", "try", "seem", "appear", "think", "believe", "expect", "recommend", "plan", "decide",
    "continue", "begin", "start", "fail", "agree", "refuse", "able", "likely", "go", "have", "know", "say",
    "consider", "intend", "hope", "choose", "learn", "tend", "wish", "prefer", "manage", "attempt", "forget",
    # Verbs whose object does the "to ..." ("helps to reduce", "cause a structure to weaken", "asking the
    # interviewee to draw"): what the verb says, not why it happens.
    "help", "cause", "ask", "enable", "allow", "encourage", "require", "urge", "report",
    # "might seek to reinstate him", "designed to exist only in the space", "remind her to seek help", "is set
    # to release": what is sought, designed for, reminded of or scheduled (real dev claims labelled supported).
    "seek", "design", "remind", "set",
))
# Nouns whose "to ..." completes them ("their ability to maintain control", "an attempt to reach").
_NOUN_TAKES_INFINITIVE = frozenset((
    "ability", "inability", "attempt", "decision", "right", "need", "way", "chance", "opportunity", "capacity",
    "tendency", "willingness", "power", "plan", "desire", "failure", "refusal",
))
# Adjectives whose "to ..." completes them ("crucial to consult", "able to run"); "worth ... to reassure" is not.
_ADJ_TAKES_INFINITIVE = frozenset((
    "crucial", "essential", "important", "necessary", "possible", "impossible", "difficult", "easy", "hard",
    "able", "unable", "likely", "unlikely", "vital", "critical", "advisable", "best", "better", "good", "helpful",
    "useful", "wise", "safe", "common", "ready", "willing", "eager", "sure", "certain", "free",
))
# Words that make a date or time expression say when ("last week", "earlier this year"); a duration or an age
# ("8 minutes", "23 years old") is a quantity, and numbers are the number check's.
_TIME_WORDS = frozenset((
    "last", "next", "earlier", "later", "ago", "yesterday", "today", "tomorrow", "recently", "week", "weekend",
    "month", "year", "morning", "afternoon", "evening", "night", "season", "decade", "century", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april",
    "may", "june", "july", "august", "september", "october", "november", "december", "spring", "summer",
    "autumn", "fall", "winter", "previous", "past", "coming",
))
_CONTENT_POS = frozenset(("NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM"))


@dataclass
class Added:
    """A part of the claim (purpose, cause, effect, time) whose words the cited sentences lack."""

    kind: str
    text: str


def _is_content(token: Token) -> bool:
    return token.pos_ in _CONTENT_POS and not token.is_stop and token.is_alpha


def arguments(verb: Token) -> list[Token]:
    """Heads of the verb's subject, objects and prepositional objects."""
    args = []
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass", "dobj", "attr", "oprd", "acomp", "dative"}:
            args.append(child)
        elif child.dep_ in {"prep", "agent"}:
            args.extend(c for c in child.children if c.dep_ == "pobj")
    return [a for a in args if _is_content(a)]


def added_relations(claim_doc: Doc, missing: Callable[[Token], bool]) -> list[Added]:
    """Purpose, cause, effect or time clauses of the claim whose verb the cited sentences lack ("... visited the
    factories to discuss the development ...": 'to discuss'); a purpose only when they also lack most of its
    arguments (not "... used to improve diagnoses" when the sources speak of improved diagnoses)."""
    found: list[Added] = []
    for token in claim_doc:
        marks = {c.lower_: c for c in token.children if c.dep_ in {"mark", "aux"}}
        if token.pos_ in {"VERB", "AUX"} and token.dep_ in {"advcl", "xcomp", "acl", "relcl", "ccomp"}:
            kind = _clause_kind(token, marks)
            args = arguments(token)
            # A purpose whose arguments the sources have restates what they say ("used to improve diagnoses");
            # a cause or an effect is a link of its own even between things the sources name.
            restated = kind == "purpose" and 2 * sum(missing(a) for a in args) < len(args)
            if kind and missing(token) and not restated:
                start = min([c.i for c in marks.values()] + [token.i])
                if kind in {"cause", "time"}:
                    start = min([c.i for c in token.children if c.dep_ == "mark"] + [start])
                found.append(Added(kind, _phrase(claim_doc, start, token.i)))
        elif token.dep_ == "prep" and token.lower_ in _CAUSE_PREPS:
            objects = [t for t in token.subtree if t.dep_ == "pobj"]
            if objects and missing(objects[0]):
                found.append(Added("cause", _phrase(claim_doc, token.i, objects[0].i)))
    for ent in claim_doc.ents:
        # Time words only: a name inside a date ("IPL 2018") is the name check's, a number the number check's.
        if ent.label_ in {"DATE", "TIME"} and any(
                missing(t) for t in ent if t.lemma_.lower() in _TIME_WORDS and t.pos_ != "PROPN"):
            found.append(Added("time", ent.text))
    return found


def _clause_kind(verb: Token, marks: dict[str, Token]) -> str | None:
    if marks.keys() & {"because", "so"}:
        return "cause"
    if marks.keys() & {"when", "after", "before", "until", "once"}:
        return "time"
    # A purpose that opens the claim ("To comfort a friend, ...") frames what follows; one appended is added.
    if "to" in marks and verb.dep_ in {"advcl", "xcomp", "acl"} and not _complement(verb) and verb.i > verb.head.i:
        return "purpose"
    # An appended "-ing" clause mostly elaborates ("..., providing a more accurate picture", "..., allowing them
    # to ..."; real claims people labelled supported): it adds an effect only with a verb that states one
    # ("..., leading to ...", "..., causing delays", "which can cause ...").
    if verb.lemma_.lower() in _EFFECT_VERBS:
        return "effect"
    return None


def _complement(verb: Token) -> bool:
    """A "to ..." clause that completes its head ("crucial to consult"), rather than adding a purpose."""
    head = verb.head
    if verb.dep_ == "acl":
        return head.pos_ == "NOUN" and head.lemma_.lower() in _NOUN_TAKES_INFINITIVE
    return verb.dep_ in {"xcomp", "ccomp"} and (head.pos_ == "AUX" or head.lemma_.lower() in _TAKES_INFINITIVE
                                                or head.pos_ == "ADJ" and head.lower_ in _ADJ_TAKES_INFINITIVE)


def _phrase(doc: Doc, start: int, end: int) -> str:
    """Words start..end of the claim; a lone word is extended by the next two ("leading to protests")."""
    if end == start:
        end = min(len(doc) - 1, end + 2)
    return " ".join(t.text for t in doc[start: end + 1] if not t.is_punct).strip()


# Negation words that negate nothing: "not only important for health" (it is important), "use nothing but a soft
# cloth" (use only one), "No. 20 Pop" (a number). Real dev pairs people labelled supported.
_NOT_NEGATING = re.compile(r"\b(?:not (?:only|just|merely|simply)|nothing but|no\.(?=\s*\d))", re.IGNORECASE)


def negation_mismatch(claim: str, sources: Sequence[str]) -> str | None:
    """A word the claim negates that the sources only state positively, or the reverse (None: they agree). A
    word the claim itself uses both ways ("not indexed ... non-indexed") is not compared, nor are texts with as
    many negations as each other: a flip adds or removes one, a paraphrase moves one ("cannot be contracted to
    a point" / "no loop ... contracts to a point")."""
    claim, source = _NOT_NEGATING.sub(" ", claim), _NOT_NEGATING.sub(" ", " ".join(sources))
    if _negation_count(claim) == _negation_count(source):
        return None
    said = polarities(source)
    for word, claimed in polarities(claim).items():
        if len(claimed) > 1:
            continue
        for negated in claimed:
            if word in said and negated not in said[word]:
                return f"the claim {'negates' if negated else 'affirms'} “{word}”, the source " + (
                    "does not" if negated else "negates it")
    return None


def _negation_count(text: str) -> int:
    return sum(w in NEGATIONS or w.endswith("n't") for w in re.findall(r"[a-z']+", text.lower().replace("’", "'")))


def claim_names(claim: str, claim_doc: Doc) -> list[str]:
    """Names and acronyms the claim states, each a run of capitalised words with only spaces between them
    ("England, Pakistan" is two names; "M*A*S*H" and "°C / °F" are none). A capitalised word that opens the
    claim or a list item ("Make", "Routine", "Bans") is a name only when spaCy tags it as a proper noun or
    part of an entity."""
    common = {t.text for t in claim_doc
              if (t.i == 0 or t.nbor(-1).text in {":", "-", "•", "*", "\"", "“", "("} or t.nbor(-1).like_num)
              and t.pos_ != "PROPN" and not t.ent_type_ and not t.text.isupper()}
    # Inside a sentence too, a capitalised verb, adverb or common noun of no entity is a title's or a heading's
    # word, not a name: "sings 'I Want to Go Outside in the Rain'" (the page has "Go Outside in the Rain"),
    # "using the Internet", "the District or Prosecuting attorney".
    common |= {t.text for t in claim_doc if t.pos_ in {"VERB", "ADV", "ADP", "NOUN", "ADJ"}
               and t.ent_type_ in {"", "WORK_OF_ART"} and not t.text.isupper() and t.text[:1].isupper()}
    names = []
    at = 0  # entities_in gives names in reading order
    for name in entities_in(claim):
        runs, at = _runs(name.split(), claim, at)
        for run in runs:
            words = [w for w in run if len(w) > 1]
            words = [w for w in words if w not in common]
            if words:
                names.append(" ".join(words))
    return list(dict.fromkeys(names))


def _runs(words: list[str], text: str, at: int) -> tuple[list[list[str]], int]:
    """The words (found in text from `at` on) split where the text has more than spaces between two of them,
    and where the last one ends."""
    runs: list[list[str]] = [[]]
    start = at
    for word in words:
        found = text.find(word, at)
        if found < 0:
            return [words], start
        if runs[-1] and text[at:found].strip():
            runs.append([])
        runs[-1].append(word)
        at = found + len(word)
        at += len(re.match(r"(?:['’]s)?", text[at:]).group())  # type: ignore[union-attr]
    return runs, at


# A name the claim defines with its acronym ("International Court of Justice (ICJ)").
_DEFINED = re.compile(r"((?:[A-Z][\w-]*\s+(?:(?:of|and|the|for|on)\s+)*){1,6})\(([A-Z][A-Za-z0-9-]{1,9})\)")


def missing_names(claim: str, names: Sequence[str], source_tokens: set[str], source_text: str,
                  people: Collection[str] = ()) -> list[str]:
    """The claim's names the sources lack. A name the claim defines with an acronym counts as found when either
    form is, if the acronym's letters are the name's initials ("Centers for Disease Control and Prevention
    (CDC)"; "Examiner for Disease Control and Prevention (CDC)" is no definition, so "Examiner" must be found).
    A person's full name (`people`: the words the parse tags as a person's) is found when the sources call them
    by the surname alone ("Margot Robbie": "Robbie said ..."), unless they give that surname another first name
    ("Jill Biden" where they have "Joe Biden")."""
    aliases = []
    for match in _DEFINED.finditer(claim):
        words = [w for w in match.group(1).split() if w[:1].isupper()]
        letters = [c for c in match.group(2) if c.isupper()]
        if len(letters) >= 2 and [w[0] for w in words[-len(letters):]] == letters:
            aliases.append((" ".join(words[-len(letters):]), match.group(2)))
    missing = []
    for name in names:
        other = [a if name in b else b for a, b in aliases if name in a or name in b]
        words = name.split()
        if not (name_found(name, source_tokens, source_text)
                or any(name_found(o, source_tokens, source_text) for o in other)
                or len(words) >= 2 and words[-1] in people and _surname_found(words, source_text)):
            missing.append(name)
    return missing


# Words that may stand before a surname without being another first name ("President Biden").
_TITLES = frozenset((
    "mr", "mrs", "ms", "dr", "sir", "dame", "lady", "lord", "president", "senator", "sen", "rep", "gov", "governor",
    "minister", "premier", "king", "queen", "prince", "princess", "general", "gen", "judge", "justice", "coach",
    "professor", "prof", "captain", "capt", "chancellor", "secretary", "mayor", "pope", "saint", "st",
))


def _surname_found(words: Sequence[str], source_text: str) -> bool:
    """The sources name the person by the surname `words[-1]`, and never with a first name not in `words`."""
    surname = re.escape(words[-1])
    if not re.search(rf"(?<![\w-]){surname}(?![\w-])", source_text):
        return False
    for before in re.finditer(rf"([A-Z][\w'’-]*)\s+{surname}(?![\w-])", source_text):
        word = before.group(1)
        if word not in words and word.lower() not in _TITLES and word.lower() not in STOPWORDS:
            return False
    return True


def name_found(name: str, source_tokens: set[str], source_text: str = "") -> bool:
    """Every word of the name occurs in the sources (prefix match tolerates "Korea"/"Korean") or is an acronym of
    words there ("US": "United States", "WHO": "World Health Organization")."""
    return all(all(_word_found(t, source_tokens) for t in tokens(word))
               or (word.isupper() and _acronym_of(word, source_text))
               or (any(c.isdigit() for c in word) and _spaced_out(word, source_text)) for word in name.split())


def _spaced_out(word: str, text: str) -> bool:
    """A formula or code the sources write with spaces or lost subscripts ("TiO2": "TiO 2")."""
    pattern = r"\s?".join(re.escape(c) for c in word)
    return re.search(rf"(?<!\w){pattern}(?!\w)", text) is not None


def _word_found(word: str, source_tokens: set[str]) -> bool:
    if word in source_tokens:
        return True
    return len(word) >= 4 and any(t.startswith(word) or (len(t) >= 4 and word.startswith(t)) for t in source_tokens)


def _acronym_of(acronym: str, text: str) -> bool:
    letters = [c.lower() for c in acronym if c.isalpha()]
    if len(letters) < 2:
        return False
    pattern = r"\b" + r"\W+(?:(?:of|and|the|for)\W+)?".join(f"[{c.upper()}{c}]\\w*" for c in letters) + r"\b"
    return any(m.group()[:1].isupper() or len(letters) >= 3 for m in re.finditer(pattern, text))



def swapped_doer(claim_doc: Doc, source_docs: Sequence[Doc]) -> str | None:
    """The claim's named doer of an action when the cited sentences have that action done by others only:
    "Israel accused Iran" against "Iran accused Israel". None when the sentences lack the verb (another check's
    case), or do not say who does it (a passive, an unnamed or unparsed subject)."""
    for verb in claim_doc:
        if verb.pos_ != "VERB" or any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
            continue
        doer = _named(_subject(verb))
        others = _doers(verb.lemma_, source_docs) if doer else None
        if others and not any(_same_name(a, b) for a in others for b in doer):
            return f"{' and '.join(sorted(doer))} (the cited sentences have {' and '.join(sorted(others))})"
    return None


def _doers(lemma: str, docs: Sequence[Doc]) -> set[str] | None:
    """The names doing `lemma` in the sentences; None when some use of it does not say who does it."""
    names: set[str] = set()
    for doc in docs:
        for same in (t for t in doc if t.pos_ == "VERB" and t.lemma_ == lemma):
            named = _named(_subject(same))
            if not named:
                return None
            names |= named
    return names


def _same_name(a: str, b: str) -> bool:
    """One name is the other or part of it ("Biden" / "Joe Biden", "Kim Jong Un" / "Kim Jong-un")."""
    wa, wb = set(re.findall(r"[a-z0-9]+", a)), set(re.findall(r"[a-z0-9]+", b))
    return bool(wa) and bool(wb) and (wa <= wb or wb <= wa)


def _subject(verb: Token) -> Token | None:
    """The verb's subject, through "wants to launch" and "met and launched" (the controlling verb's); None where
    the parse does not say (a passive, a clause of its own: "as the US ... get set to launch")."""
    while True:
        if any(c.dep_ in ("auxpass", "nsubjpass", "mark") for c in verb.children):
            return None
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subject is not None or verb.dep_ not in ("xcomp", "conj") or verb.head is verb:
            return subject
        verb = verb.head


def _named(subject: Token | None) -> set[str]:
    """The names of the subject and the subjects joined to it ("the US and rival South Korea")."""
    if subject is None:
        return set()
    heads = [subject, *(c for c in subject.subtree if c.dep_ == "conj" and c.head.i in {subject.i} | {
        t.i for t in subject.subtree if t.dep_ == "conj"})]
    names = set()
    for head in heads:
        ent = next((e for e in head.doc.ents if e.start <= head.i < e.end and e.label_ in ACTORS), None)
        if ent is not None:
            names.add(re.sub(r"^the\s+", "", ent.text, flags=re.I).lower())
    return names
