"""The extractive composer of a briefing: which sentences state each section, rewritten and verified.

Key facts: for each fact group reported by two or more outlets, the member with the fewest loaded terms,
the calmest wording and from the outlet used least so far is rewritten (rag.neutral) and cites, from every
other outlet, its closest aligned sentence. Single-source facts are attributed by name and taken from each
outlet in turn. Differences quote both sides; framing lists each outlet's loaded terms with examples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

from rag.alignment import FactGroup, OutletSentence
from rag.framing import emotive_weight, framing_profile, load_terms, unquoted_loaded_terms
from rag.neutral import Verifier, quote_whole, rewrite_verified, strip_discourse
from rag.stories import Story
from rag.types import Citation, Claim, Section, SectionKind, Verdict, Verification

Length = Literal["short", "standard", "long"]
Style = Literal["paragraphs", "bullets"]
# (key facts, single-source claims, differences) per length
LIMITS: dict[str, tuple[int, int, int]] = {"short": (3, 2, 2), "standard": (6, 4, 4), "long": (12, 8, 8)}
TITLES = {
    SectionKind.KEY_FACTS: "Key facts",
    SectionKind.SINGLE_SOURCE: "Reported by one outlet",
    SectionKind.DIFFERENCES: "Where the sources differ",
    SectionKind.FRAMING: "How each outlet framed it",
}
MIN_WORDS = 6
# Preference for calm wording when choosing which outlet's sentence states a fact (VADER mean |valence|,
# typically 0-0.5 per word): 0.5 of it weighs about as much as one replaceable loaded term.
EMOTIVE_WEIGHT = 2.0
_DANGLING_OPENERS = frozenset(
    ("he", "she", "it", "they", "this", "these", "that", "those", "his", "her", "their"))
_QUOTE_MARKS = "“”\"‘’"
_INTENSITY = {e.term: e.intensity for e in load_terms()}


def cite(member: OutletSentence) -> Citation:
    s = member.sentence
    return Citation(0, s.doc_id, s.index, s.start, s.end, s.text, member.outlet)


def stands_alone(text: str) -> bool:
    """Whether a sentence makes sense outside its article: long enough, not opening on a pronoun."""
    words = strip_discourse(text).split()
    return len(words) >= MIN_WORDS and words[0].lower() not in _DANGLING_OPENERS


class Composer:
    """Builds the sections of one story's briefing from its aligned fact groups."""

    def __init__(self, story: Story, groups: list[FactGroup], verifier: Verifier, length: str):
        self.story, self.groups, self.verifier = story, groups, verifier
        self.limits = LIMITS[length]
        self.picks: Counter[str] = Counter()  # representative sentences taken per outlet (balance)
        self.position = {d.doc_id: len(d.sentences) or 1 for d in story.docs}
        self.contrasts: set[tuple[str, frozenset[str]]] = set()  # framing contrasts already stated

    def order(self, group: FactGroup) -> float:
        """Relative position of a group's earliest sentence in its article: leads first."""
        return min(m.sentence.index / self.position[m.sentence.doc_id] for m in group.members)

    def representative(self, group: FactGroup) -> int:
        """The member to rewrite: fewest loaded terms, from the outlet used least so far, then shortest."""
        def cost(i: int) -> tuple[float, float]:
            member = group.members[i]
            terms = unquoted_loaded_terms(member.sentence.text)
            loaded = sum(0.5 if t.neutral else 2.0 for t in terms)
            share = self.picks[member.outlet] / (sum(self.picks.values()) or 1)
            calm = EMOTIVE_WEIGHT * emotive_weight(member.sentence.text)
            return loaded + 1.5 * share + calm, member.sentence.index / self.position[member.sentence.doc_id]

        return min(range(len(group.members)), key=cost)

    def single_rank(self, group: FactGroup) -> float:
        """Single-source facts: earlier in the article and calmer in wording first."""
        return self.order(group) + EMOTIVE_WEIGHT * emotive_weight(group.members[0].sentence.text)

    def key_fact(self, group: FactGroup) -> Claim:
        rep = self.representative(group)
        chosen = group.members[rep]
        self.picks[chosen.outlet] += 1
        cited = [chosen]
        for outlet in group.outlets:  # from every other outlet, its sentence closest to the representative
            if outlet != chosen.outlet:
                others = [i for i, m in enumerate(group.members) if m.outlet == outlet]
                cited.append(group.members[max(others, key=lambda i: group.score(rep, i))])
        rewrite = rewrite_verified(chosen.sentence.text, chosen.outlet, [m.sentence.text for m in cited],
                                   self.verifier, must_attribute=False, outlets=[m.outlet for m in cited])
        return _claim(rewrite.text, cited, rewrite.verification)

    def single(self, group: FactGroup) -> Claim:
        member = group.members[0]
        rewrite = rewrite_verified(member.sentence.text, member.outlet, [member.sentence.text], self.verifier,
                                   must_attribute=True)
        return _claim(rewrite.text, [member], rewrite.verification)

    def differences(self, group: FactGroup) -> list[Claim]:
        claims = []
        seen: set[str] = set()
        for conflict in group.conflicts:
            a, b = conflict.sides
            if conflict.kind == "framing":
                contrast = self.framing_contrast(a, b)
                if contrast is None:
                    continue
                text, verification = contrast
            else:
                what = {"number": "figures", "date": "dates", "name": "names"}[conflict.kind]
                text = (f"The sources differ on the {what}: "
                        f"{quote_whole(a.sentence.text, a.outlet)}; {quote_whole(b.sentence.text, b.outlet)}")
                verification = _both(self.verifier, a, b)
            if text not in seen:
                seen.add(text)
                claims.append(_claim(text, [a, b], verification))
        return claims

    def framing_contrast(self, a: OutletSentence, b: OutletSentence) -> tuple[str, Verification] | None:
        """One outlet's loaded words for a fact the other states plainly; None when already said."""
        def words(side: OutletSentence) -> list[str]:
            found = unquoted_loaded_terms(side.sentence.text)
            return list(dict.fromkeys(t.term for t in found if t.intensity >= 2))

        loaded, plain = (a, b) if len(words(a)) >= len(words(b)) else (b, a)
        lemmas = {t.lemma for t in unquoted_loaded_terms(loaded.sentence.text) if t.intensity >= 2}
        key = (loaded.outlet, frozenset(lemmas))
        if not key[1] or key in self.contrasts:
            return None
        self.contrasts.add(key)
        used = " and ".join(f"“{w}”" for w in words(loaded))
        avoided = [w for w in words(loaded) if w.lower() not in plain.sentence.text.lower()]
        noun = "words" if len(words(loaded)) > 1 else "a word"
        text = f"On the same point, {loaded.outlet} used {used}"
        text += f", {noun} {plain.outlet} did not use." if avoided else f", as did {plain.outlet}."
        ok = all(w in loaded.sentence.text for w in words(loaded))
        reason = "each quoted term occurs in the cited sentence" if ok else "a quoted term is missing"
        return text, _checked(ok, reason)

    def framing(self) -> list[Claim]:
        claims = []
        for outlet in self.story.outlets:
            docs = [d for d in self.story.docs if d.label == outlet]
            profile = framing_profile(docs)
            if not profile.terms:
                continue
            ranked = sorted(profile.terms, key=lambda u: -u.count * _INTENSITY.get(u.lemma, 1))
            shown = ranked[: 4 if self.limits[0] <= 3 else 8]
            parts = [f"“{u.examples[0].strip(_QUOTE_MARKS)}” ×{u.count} ({u.category.replace('_', ' ')})"
                     for u in shown]
            quoted = sum(u.quoted for u in profile.terms)
            text = (f"{outlet} used {profile.loaded} loaded terms ({profile.per_100_words:.1f} per 100 "
                    f"words), {quoted} of them inside quotations: " + ", ".join(parts) + ".")
            by_index = {s.index: s for d in docs for s in d.sentences}
            cited = [OutletSentence(by_index[u.sentence_indices[0]], outlet) for u in shown]
            ok = all(u.examples[0] in c.sentence.text for u, c in zip(shown, cited, strict=True))
            verification = _checked(ok, "each quoted term occurs in the cited sentence")
            claims.append(_claim(text, list(dict.fromkeys(cited)), verification))
        return claims

    def sections(self) -> list[Section]:
        n_key, n_single, n_diff = self.limits
        agree = sorted((g for g in self.groups if g.kind == "agree"), key=self.order)
        differ = [g for g in self.groups if g.conflicts]
        singles = sorted((g for g in self.groups if g.kind == "single"
                          and stands_alone(g.members[0].sentence.text)), key=self.single_rank)
        single_claims = [self.single(g) for g in _round_robin(singles, n_single)]
        diff_claims = [c for g in sorted(differ, key=self.order) for c in self.differences(g)][:n_diff]
        return [
            Section(SectionKind.KEY_FACTS, TITLES[SectionKind.KEY_FACTS],
                    tuple(self.key_fact(g) for g in agree[:n_key])),
            Section(SectionKind.SINGLE_SOURCE, TITLES[SectionKind.SINGLE_SOURCE], tuple(single_claims)),
            Section(SectionKind.DIFFERENCES, TITLES[SectionKind.DIFFERENCES], tuple(diff_claims)),
            Section(SectionKind.FRAMING, TITLES[SectionKind.FRAMING], tuple(self.framing())),
        ]


def _round_robin(groups: list[FactGroup], limit: int) -> list[FactGroup]:
    """Up to `limit` groups, taking each outlet's next one in turn so no outlet fills the section."""
    queues: dict[str, list[FactGroup]] = {}
    for g in groups:
        queues.setdefault(g.outlets[0], []).append(g)
    out: list[FactGroup] = []
    while len(out) < limit and any(queues.values()):
        for queue in queues.values():
            if queue and len(out) < limit:
                out.append(queue.pop(0))
    return out


def _checked(ok: bool, reason: str) -> Verification:
    """The verdict of a deterministic check (quoted terms present in the cited sentence)."""
    return Verification(Verdict.SUPPORTED if ok else Verdict.UNSUPPORTED, 1.0 if ok else 0.0, (reason,))


def _both(verifier: Verifier, a: OutletSentence, b: OutletSentence) -> Verification:
    va = verifier(quote_whole(a.sentence.text, a.outlet), [a.sentence.text], [a.outlet])
    vb = verifier(quote_whole(b.sentence.text, b.outlet), [b.sentence.text], [b.outlet])
    return min(va, vb, key=lambda v: v.score)


def _claim(text: str, cited: Sequence[OutletSentence], verification: Verification) -> Claim:
    text = text[:1].upper() + text[1:]  # a label such as "document 1a2b…" may open the sentence
    return Claim(text, tuple(cite(m) for m in cited), verification.verdict, verification.score,
                 verification.reasons)
