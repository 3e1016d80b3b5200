"""Attribution frames: a sentence as its outlet's or speaker's ("Fox Business reported that the GAO ...",
"..., the Post wrote."), grammatical (a capital only on names after "that", one frame, never two) and
compressed by deletion; frames are the only words a claim adds to its source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rag.deletion import compress
from rag.linguistics import (
    CHARACTERISES,
    NAMES,
    QUOTE_MARKS,
    REPORTING_VERBS,
    Reading,
    Role,
    characterises,
    read,
    root_of,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


def keeps_capital(doc: Doc, i: int | None) -> bool:
    """Whether the token at i keeps its capital inside a sentence: names, "I", acronyms."""
    if i is None:
        return True
    t = doc[i]
    named = t.ent_type_ in NAMES
    if len(t.text) > 1 and t.text.isupper() or t.text == "I":
        return True
    if i == first_word(doc) and not named and t.dep_ in ("mark", "cc", "prep", "det", "aux", "advmod", "case"):
        return False  # a function word the tagger read as a name ("Though Ellzey was better funded")
    # The tagger's PROPN decides ("Pfizer said", "President Biden"); an entity label alone does not, because
    # at a sentence start it tags capitalised common nouns too ("Schools" as ORG). At the sentence start the
    # capital itself misleads the tagger ("Vaccinated Americans can now ..."): there a PROPN outside any entity
    # that modifies a common noun or a nationality is a common word ("census data"); titles stay ("President").
    if t.pos_ == "PROPN" and i == first_word(doc) and not named and t.dep_ in ("compound", "amod") \
            and t.head.i > t.i and (t.head.pos_ == "NOUN" or t.head.ent_type_ == "NORP"):
        return False
    # a trade or role before a name is a common noun the tagger read as part of it ("Drugmaker Pfizer said",
    # "Activist Rose McGowan"); a title stays ("President Biden")
    if i == first_word(doc) and t.dep_ == "compound" and t.head.pos_ == "PROPN" and t.lower_.endswith(_TRADES):
        return False
    if i == first_word(doc) and any(c.dep_ == "conj" and (c.pos_ == "PROPN" or any(ch.isupper() for ch in c.text[1:]))
                                    and all(w.text[:1].isupper() for w in c.subtree if w.is_alpha)
                                    for c in t.children):
        return True  # joined to a name ("Pfizer and BioNTech asked"), though the tagger made both nouns; not to a
        # described one ("Actress and activist Rose McGowan")
    if i == first_word(doc) and t.tag_ == "NN" and t.dep_ == "nsubj" and t.lower_ not in _MASS_NOUNS \
            and not t.lower_.endswith("ing") \
            and not any(c.dep_ in ("det", "poss", "compound", "amod") for c in t.children) \
            and not any(c.dep_ == "conj" for c in t.children):
        # a bare singular subject is a name the tagger missed ("Raisi said"); common ones need "the" (or are
        # made of a verb: "Flooding killed at least nine people"); a joined one
        # is a common noun ("Anger and frustration mounted") or a name's description ("Actress and activist Rose
        # McGowan pushed back")
        return True
    return t.pos_ == "PROPN" or (t.ent_type_ == "NORP" and t.pos_ == "ADJ")  # "Democratic", not "Untrained"

# Endings of trades and roles written before a name, never of a title or a first name ("drugmaker", "activist",
# "actress").
_TRADES = ("maker", "ist", "tress")

# Singular nouns that stand as a subject without an article ("Police arrested ...", "Inflation rose ...").
_MASS_NOUNS = frozenset(("police", "inflation", "unemployment", "evidence", "research", "security", "staff",
                         "legislation", "data", "government", "management", "enrollment", "turnout", "demand",
                         "traffic", "weather", "damage", "crime", "immigration", "funding", "spending"))

def first_word(doc: Doc) -> int | None:
    return next((t.i for t in doc if t.is_alpha), None)

ORDINAL_REPORTS = ("one report", "another report", "a third report", "a fourth report")

# Last words of publication names read with "The" ("The New York Times", "The Washington Examiner", "The
# Associated Press"); names of broadcasters, agencies and sites are not ("Fox News", "Reuters", "Axios").
_PAPER_WORDS = frozenset((
    "times", "post", "journal", "constitution", "examiner", "herald", "tribune", "globe", "guardian", "telegraph",
    "mail", "beast", "press", "beacon", "inquirer", "chronicle", "gazette", "observer", "register", "economist",
    "atlantic", "hill", "caller", "federalist", "intercept", "dispatch", "bulwark", "independent", "spectator"))


def press_name(outlet: str) -> str:
    """How running text names an outlet: a newspaper's name with its "The" ("New York Times" -> "The New York
    Times", "Daily Mail" -> "The Daily Mail"), any other name as given ("Fox News", "The Hill")."""
    words = outlet.split()
    if not words or words[0].lower() == "the" or not all(w[:1].isupper() for w in words):
        return outlet
    last = re.split(r"[-–]", words[-1])[-1].lower()
    return f"The {outlet}" if last in _PAPER_WORDS or "Daily" in words else outlet

def frame_names(articles: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """(doc_id, outlet or None) in reading order -> how frames name each article: its outlet, or "one report",
    "another report", … for articles whose outlet is unknown (never a quoted title)."""
    names: dict[str, str] = {}
    unknown = 0
    for doc_id, outlet in articles:
        if doc_id in names:
            continue
        if outlet:
            names[doc_id] = press_name(outlet)
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
    if reading.reason == CHARACTERISES and not characterises(body):
        reading = Reading(Role.FACT, "a declarative statement once its charged adjectives went")  # "a milestone"
    if not keeps_capital(doc, first):
        body = body[:1].lower() + body[1:]
    body = closed(body.rstrip())
    starts_quote = body[:1] in QUOTE_MARKS
    subject = next((c for c in root_of(doc).children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if len(names) == 1 and (_names_itself(doc, names[0], subject) or reading.tail and reading.speaker and _outlet_in(
            names[0], reading.speaker)):  # "The Independent understands that ...", "..., sources have told NBC
        return body[:1].upper() + body[1:]  # News", "..., according to the latest NBC News tally": whose is said
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
            lead = lead[:-1] if lead.endswith(".") else lead
            # "..., The New York Times reported, Newsmax reported" and "..., the report added, Yonhap reported"
            # read as two reports: the outlet goes first instead
            if re.search(rf"\b{verb}\b[^,]*$", lead) or _INVERTED_TELLER.search(lead) \
                    or reading.speaker and "report" in reading.speaker.lower():
                return f"According to {name}, {body}"
            return f"{lead}, {name} {verb}."
        return f"According to {name}, {body}"
    if root_of(doc).lemma_ == "report" and frame_verb(reading.role) == "reported":  # not "X reported that they
        # reported ...", but "According to X, authorities reported ..."
        return f"According to {name}, {body}"
    if _REPORT_TAIL.search(body):  # a second teller at the end: "Two officials warned ..., The New York Times
        return f"According to {name}, {body}"  # reported Friday morning." is no "X reported that ... reported"
    return f"{name} {frame_verb(reading.role)} that {body}"


# A teller named after its verb inside the sentence: "..., reports CNN, citing data ..." (no "..., Slate reported").
_INVERTED_TELLER = re.compile(r",\s+(?:reports|reported|says|said|writes|wrote)\s+(?:the\s+)?[A-Z]")

_REPORT_TAIL = re.compile(r",\s+(?:the\s+)?[A-Z][^,]{0,60}\s(?:reported|reports|said|says|told|added|wrote)\b[^,]*$")


def _outlet_in(outlet: str, speaker: str) -> bool:
    """Whether a speaker phrase names the outlet ("the latest NBC News tally" names NBC News)."""
    name = re.sub(r"^the\s+", "", outlet.strip(), flags=re.I).lower()
    return bool(name) and not name.endswith(" report") \
        and re.search(rf"\b{re.escape(name)}\b", speaker.lower()) is not None


def subject_text(subject: Token) -> str:
    """The words of a subject, as written."""
    return subject.doc[subject.left_edge.i:subject.right_edge.i + 1].text


def _names_itself(doc: Doc, outlet: str, subject: Token | None) -> bool:
    """Whether the sentence already says it is the outlet's: the outlet is its subject ("The Independent
    understands that ...", not "Fox News host Tucker Carlson said") or the one its report tail was told ("...,
    multiple sources have told NBC News")."""
    name = re.sub(r"^the\s+", "", outlet.strip(), flags=re.I).lower()
    if not name or name.endswith(" report"):
        return False
    root = root_of(doc)
    if subject is not None and re.sub(r"^the\s+", "", subject_text(subject), flags=re.I).lower() == name:
        return True
    if subject is not None and any(  # one of the subjects it joins ("Reuters and other U.S. news outlets ...
        # reported"): the name with what compounds it
        " ".join(t.lower_ for t in [*(x for x in c.lefts if x.dep_ == "compound"), c]) == name
        for c in [subject, *(x for x in subject.children if x.dep_ == "conj")]):
        return True
    content = {t.i for c in root.children if c.dep_ in ("ccomp", "parataxis") for t in c.subtree}
    return root.lemma_ in REPORTING_VERBS and root.i > min(content, default=root.i) \
        and name in " ".join(t.lower_ for t in root.subtree if t.i not in content)


def clean_claim(doc: Doc) -> str:
    """A sentence stated without a frame (several outlets agree): compressed, capitalised, closed."""
    body, _ = compress(doc, alone=True)
    body = body[:1].upper() + body[1:]
    return closed(body)


def closed(text: str) -> str:
    """The sentence with its full stop: added unless it ends on one, or on a quotation closed after one ('... come
    “under control”' gets its stop; '... “will not be facing internal discipline.”' has it)."""
    inner = text.rstrip("”\"’'")
    if inner.endswith((".", "!", "?", "…")) or inner != text and inner.endswith(","):
        return text
    return text + "."
