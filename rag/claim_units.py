"""The parts a claim asserts one by one (its clauses, from the spaCy parse) and how well the cited sentences
support the weakest of them.

A claim that copies a source sentence and appends a clause of its own ("..., which could further impact the
country's economy") scores high on whole-claim coverage; read clause by clause, the appended one stands out,
and the verifier's reason names it. (Per-clause similarity and coverage as model features were measured on
AttributionBench dev and did not raise held-out macro-F1: 0.729 -> 0.729 before the hard checks.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.terms import content_terms, term_matches

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Dependencies that open a clause of its own: coordinated, adverbial, relative, complement clauses. A "to ..."
# or participle that completes its head ("is set to be examined", "a scandal surrounding him") stays with it.
_CLAUSE_DEPS = frozenset(("ROOT", "conj", "advcl", "relcl", "ccomp", "parataxis"))
MIN_UNIT_TERMS = 2  # a clause with fewer content words ("it is") is read with the clause it hangs on


def _opens_clause(token: Token) -> bool:
    return token.dep_ == "ROOT" or token.pos_ in {"VERB", "AUX"} and token.dep_ in _CLAUSE_DEPS


def claim_units(doc: Doc) -> list[str]:
    """The claim's clauses in reading order, each the words its verb governs without the clauses nested in it;
    a clause with fewer than two content words joins the one it hangs on."""
    owner: dict[int, int] = {}
    for token in doc:
        head = token
        while not _opens_clause(head) and head.head is not head:
            head = head.head
        owner[token.i] = head.i
    # Clauses too small to stand alone are merged into the clause of their head.
    groups: dict[int, list[Token]] = {}
    for token in doc:
        groups.setdefault(owner[token.i], []).append(token)
    for key in sorted(groups, key=lambda k: -len(list(doc[k].ancestors))):
        words = groups[key]
        terms = content_terms(" ".join(t.text for t in words))
        parent = doc[key].head
        if len(terms) < MIN_UNIT_TERMS and parent.i != key and owner.get(parent.i) in groups:
            groups[owner[parent.i]].extend(groups.pop(key))
    units = []
    for words in groups.values():
        kept = [t for t in sorted(words, key=lambda t: t.i) if not t.is_punct or t.text in {"'s", "’s"}]
        while kept and kept[-1].dep_ == "cc":  # "... are asymptomatic and": the "and" joins the next clause
            kept.pop()
        text = " ".join("".join(t.text_with_ws for t in kept).split())
        if len(content_terms(text)) >= MIN_UNIT_TERMS:
            units.append(text)
    return units


def weakest_unit(claim_doc: Doc, pool: set[str]) -> tuple[str, float] | None:
    """The clause of a claim with several whose content words the sources lack most, with the share of its
    words they have (None when every clause is fully found or the claim has one clause)."""
    units = claim_units(claim_doc)
    if len(units) < 2:
        return None
    shares = [len(term_matches(terms, pool)) / len(terms) for terms in map(content_terms, units)]
    weakest = min(range(len(units)), key=shares.__getitem__)
    return (units[weakest], shares[weakest]) if shares[weakest] < 1.0 else None
