"""The extractive composer of a briefing: which sentences state each section, compressed and attributed.

Only statements enter (rag.linguistics: no questions, headlines, asides, boilerplate). Key facts: for each fact
group that two or more outlets state, the member with the fewest loaded terms, the calmest wording and from the
outlet used least so far is compressed by deletion and stated plainly, citing each outlet's closest sentence;
an opinion, or a wording whose loaded terms cannot be deleted, is attributed instead. Single-source facts are
attributed by name ("Fox Business reported that ...", "National Review wrote that ..."), outlets in turn.
Differences: conflicting numbers, dates, names and attributions first, then framing contrasts quoting each
outlet's own words. No word inside a cited sentence is ever replaced, and no quotation mark is added around
words the named source did not write.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from rag.alignment import DIFFERENCE_LABELS, Conflict, FactGroup, OutletSentence
from rag.attribution import attribute, clean_claim, frame_names
from rag.deletion import needs_context
from rag.framing import carries_quotes, emotive_weight, framing_profile, load_terms, unquoted_loaded_terms
from rag.linguistics import (
    ACTORS,
    NEEDS_ANTECEDENT,
    REPORTING_VERBS,
    Reader,
    Reading,
    Role,
    looks_ahead,
    nlp,
    subject_points_back,
    voiced_by_next,
    writes_in_first_person,
)
from rag.neutral import Verifier, loaded_outside_quotes
from rag.prompts import is_instruction
from rag.settings import BriefingSettings
from rag.stories import Story
from rag.terms import content_terms, figures_agree, figures_in, number_mentions, term_matches
from rag.types import Citation, Claim, Section, SectionKind, Verdict, Verification

if TYPE_CHECKING:
    from spacy.tokens import Doc

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
MAX_WORDS = 60
# Preference for calm wording when choosing which outlet's sentence states a fact (VADER mean |valence|,
# typically 0-0.5 per word): 0.5 of it weighs about as much as one loaded term.
EMOTIVE_WEIGHT = 2.0
_DANGLING_OPENERS = frozenset(
    ("he", "she", "it", "they", "this", "these", "that", "those", "his", "her", "their", "its", "such"))
_QUOTE_MARKS = "“”\"‘’"
_INTENSITY = {e.term: e.intensity for e in load_terms()}
_CATEGORY_WORDS = {"charged_adjective": "charged adjective", "charged_verb": "charged verb",
                   "intensifier": "intensifier", "label": "label", "report_verb": "loaded reporting verb",
                   "scare_quote": "scare quotes"}
# Words by which a sentence credits what it states to data or a document ("census data revealed ...", "the data
# bolsters evidence"): such a sentence does not state the point in its own voice.
_EVIDENTIAL = frozenset(("underscore", "highlight", "reveal", "show", "find", "indicate", "suggest", "estimate",
                         "bolster", "confirm", "data", "study", "survey", "analysis", "research", "evidence", "poll",
                         "statistic"))
def cite(member: OutletSentence) -> Citation:
    s = member.sentence
    return Citation(0, s.doc_id, s.index, s.start, s.end, s.text, member.outlet)


def stands_alone(text: str) -> bool:
    """Whether a sentence makes sense outside its article: long enough, not opening on a pronoun."""
    words = text.split()
    first = re.sub(r"['’](?:s|re|ll|d|ve)$", "", words[0].lower().strip(_QUOTE_MARKS + ",")) if words else ""
    return MIN_WORDS <= len(words) <= MAX_WORDS * 2 and first not in _DANGLING_OPENERS


class Composer:
    """Builds the sections of one story's briefing from its aligned fact groups."""

    def __init__(self, story: Story, groups: list[FactGroup], verifier: Verifier, length: str,
                 reader: Reader | None = None, cfg: BriefingSettings | None = None,
                 centrality: Mapping[tuple[str, int], float] | None = None,
                 prepare: Callable[[Sequence[tuple[str, Sequence[str]]]], None] | None = None):
        self.story, self.groups, self.verifier = story, groups, verifier
        # encodes and parses (claim, cited outlets) the verifier is about to judge, all in one batch
        self.prepare = prepare or (lambda claims: None)
        self.centrality = centrality or {}  # (doc_id, index) -> closeness to the other outlets' writing
        self.cfg = cfg or BriefingSettings()
        self.limits = LIMITS[length]
        self.reader = reader or Reader()
        self.picks: Counter[str] = Counter()  # representative sentences taken per outlet (balance)
        self.told: set[str] = set()  # lemmas of the nouns the key facts have shown so far (antecedents)
        self.position = {d.doc_id: len(d.sentences) or 1 for d in story.docs}
        self.names = speaker_names(story)
        # (doc_id, index) of sentences the next sentence names as someone's words ("That was the urgent plea from
        # whistleblower Frances Haugen"): never a report of their outlet
        self.voiced = voiced_sentences(story)
        # articles whose writer speaks as "I": columns ("let me take a different stance")
        self.columns = {d.doc_id for d in story.docs if writes_in_first_person([s.text for s in d.sentences])}

    def name(self, member: OutletSentence) -> str:
        """How a frame names the sentence's outlet: its name, or "one report" / "another report" when unknown
        (never a quoted title: quotation marks are only for words a source wrote)."""
        return self.names.get(member.sentence.doc_id, member.outlet)

    def plausible(self, members: Sequence[OutletSentence], alone: bool = True) -> list[OutletSentence]:
        """Members that may be statements, by what needs no parse: long enough, no question, (with `alone`) no
        opening that points back."""
        return [m for m in members if (stands_alone(m.sentence.text) or not alone)
                and len(m.sentence.text.split()) >= MIN_WORDS
                and not m.sentence.text.rstrip(_QUOTE_MARKS + " ").endswith("?")]

    def usable(self, members: Sequence[OutletSentence], alone: bool = True) -> list[OutletSentence]:
        """Members that are statements (facts or opinions) and (with `alone`) make sense on their own; a side of
        a difference may open on a pronoun ("it passed 94-1"): the other side says what it is."""
        members = self.plausible(members, alone)
        self.reader.prefetch(m.sentence.text for m in members)
        return [m for m in members if self.reader(m.sentence.text)[1].usable
                and (m.sentence.doc_id, m.sentence.index) not in self.voiced
                and not (alone and (needs_context(self.reader(m.sentence.text)[0])
                                    or subject_points_back(self.reader(m.sentence.text)[0], nouns=False)
                                    or _unnamed(self.reader(m.sentence.text)[1].speaker)
                                    or _unsourced_quote(m.sentence.text, self.reader(m.sentence.text)[1])))
                and not is_instruction(m.sentence.text)]

    def order(self, group: FactGroup) -> float:
        """Relative position of a group's earliest sentence in its article: leads first."""
        return min(m.sentence.index / self.position[m.sentence.doc_id] for m in group.members)

    def cost(self, member: OutletSentence) -> tuple[float, float]:
        """Fewest loaded terms, from the outlet used least so far, calmest, earliest."""
        terms = unquoted_loaded_terms(member.sentence.text)
        loaded = sum(2.0 if t.intensity >= 2 else 1.0 for t in terms)
        share = self.picks[member.outlet] / (sum(self.picks.values()) or 1)
        calm = EMOTIVE_WEIGHT * emotive_weight(member.sentence.text)
        place = member.sentence.index / self.position[member.sentence.doc_id]  # leads state the event
        core = self.cfg.centrality_weight * self.centrality.get((member.sentence.doc_id, member.sentence.index), 0.0)
        return loaded + 1.5 * share + calm + place - core, place

    def shown(self, member: OutletSentence) -> str:
        """The words of the sentence a claim would show (deletion done, no frame)."""
        return clean_claim(self.reader(member.sentence.text)[0])

    def _best_per_outlet(self, members: Sequence[OutletSentence]) -> list[OutletSentence]:
        """Each outlet's cheapest member (see `cost`)."""
        outlets = dict.fromkeys(m.outlet for m in members)
        return [min((m for m in members if m.outlet == o), key=self.cost) for o in outlets]

    def state(self, member: OutletSentence, outlets: Sequence[str], cited: Sequence[OutletSentence]) -> Claim:
        """A fact several outlets report: stated plainly when it is a fact free of loaded wording once compressed,
        else attributed to the outlet whose words are used; verified, and left whole if compression fails."""
        doc, reading = self.reader(member.sentence.text)
        sources = [m.sentence.text for m in cited]
        plain = clean_claim(doc)
        # a quotation is stated only with who said it: unattributed, it is the outlet's to report
        unsourced_quote = plain[:1] in _QUOTE_MARKS and not reading.speaker
        if reading.role == Role.FACT and not loaded_outside_quotes(plain) and not unsourced_quote:
            text = plain
        else:  # the words are one outlet's: attributed to it (an opinion is never the sources')
            text = attribute(doc, [self.name(member)], reading)
        cited_outlets = [self.name(m) for m in cited]
        verification = self.verifier(text, sources, cited_outlets)
        if verification.verdict != Verdict.SUPPORTED:
            text = attribute(doc, [self.name(member)], reading, compressed=False)
            verification = self.verifier(text, sources, cited_outlets)
        return _claim(text, cited, verification)

    def key_fact(self, group: FactGroup, members: list[OutletSentence]) -> Claim | None:
        """The group's fact stated once, citing each outlet whose own sentence aligns with the one stated (a
        group chains sentences, so an outlet's closest member may state something else: it is not cited);
        None when no other outlet's sentence says what the stated one says."""
        def backing(member: OutletSentence) -> list[OutletSentence]:
            rep = group.members.index(member)
            out = [member]
            ahead = looks_ahead(self.reader(member.sentence.text)[0])
            # a figure the stated text gives must be one the citing outlet gives too ("claims fell to 498,000"
            # is not backed by "fell to a new pandemic low")
            given = figures_in(self.shown(member))
            # and a quotation it gives is one the citing outlet quotes too ("“The qualitative level of war
            # preparations depends on ...,” Kim added." is not backed by "The leader underscored ...")
            shown = self.shown(member)
            for outlet in dict.fromkeys(m.outlet for m in members):  # each other outlet's closest sentence
                if outlet != member.outlet:  # that tells the event as done or to come alike ("plans to
                    # announce whether" is not backed by "announced that she would create")
                    others = [i for i, m in enumerate(group.members) if m.outlet == outlet and m in members
                              and looks_ahead(self.reader(m.sentence.text)[0]) == ahead
                              and figures_agree(given, figures_in(m.sentence.text))
                              and carries_quotes(shown, m.sentence.text)]
                    if not others:
                        continue
                    best = max(others, key=lambda i: group.score(rep, i))
                    # or aligned and giving every figure of the stated text, two or more ("rose by 2,000 last week
                    # to a seasonally adjusted 373,000" backs "increased by 2,000 from the previous week to 373,000")
                    if group.score(rep, best) >= self.cfg.cite_threshold or len(given) >= 2 and given <= figures_in(
                            group.members[best].sentence.text) and group.score(rep, best) >= self.cfg.align_threshold:
                        out.append(group.members[best])
            return out

        # the fact is stated in a sentence that reports it: an outlet's judgement ("In conclusion, Kim's call
        # underscores ...") is its own, never what several outlets say
        facts = [m for m in members if self.reader(m.sentence.text)[1].role == Role.FACT]
        if not facts:
            return None
        supported = {id(m): backing(m) for m in facts}
        # stated in a sentence a reader understands alone ("The move follows days of airstrikes": which move?)
        chosen = min(facts, key=lambda m: (len(supported[id(m)]) < 2, subject_points_back(self.reader(
            m.sentence.text)[0], self.told), -len(supported[id(m)]), self.cost(m)))
        cited = supported[id(chosen)]
        if len(cited) < 2 or subject_points_back(self.reader(chosen.sentence.text)[0], self.told):
            return None  # "The request comes as ...": which request? stated as the sources' fact, it reads as none
        self.picks[chosen.outlet] += 1
        claim = self.state(chosen, list(dict.fromkeys(m.outlet for m in cited)), cited)
        words = set(re.findall(r"[\w'’-]+", claim.text))
        self.told.update(t.lemma_ for t in self.reader(chosen.sentence.text)[0]
                         if t.pos_ in ("NOUN", "PROPN") and t.text in words)
        return claim

    def single_reading(self, member: OutletSentence) -> tuple[Doc, Reading]:
        doc, reading = self.reader(member.sentence.text)
        if reading.role == Role.FACT and member.sentence.doc_id in self.columns:  # a columnist's statement is
            reading = replace(reading, role=Role.OPINION)  # written, not reported
        return doc, reading

    def single(self, member: OutletSentence, text: str | None = None) -> Claim:
        """One outlet's sentence attributed to it (`text`: that framing when already made) and verified."""
        doc, reading = self.single_reading(member)
        text = text or attribute(doc, [self.name(member)], reading)
        verification = self.verifier(text, [member.sentence.text], [self.name(member)])
        if verification.verdict != Verdict.SUPPORTED:
            text = attribute(doc, [self.name(member)], reading, compressed=False)
            verification = self.verifier(text, [member.sentence.text], [self.name(member)])
        return _claim(text, [member], verification)

    def difference(self, conflict: Conflict) -> list[Claim]:
        """Both sides, each attributed and cited; framing contrasts quote each outlet's own words."""
        a, b = conflict.sides
        if self.usable([a, b], alone=False) != [a, b]:
            return []
        if conflict.kind == "framing":
            contrast = self.framing_contrast(a, b)
            return [contrast] if contrast else []
        return self.sides([a, b], DIFFERENCE_LABELS[conflict.kind])

    def singles(self, members: Sequence[OutletSentence]) -> list[Claim]:
        """`single` of each member; the claims it verifies first are encoded and parsed together."""
        texts = []
        for m in members:
            doc, reading = self.single_reading(m)
            texts.append(attribute(doc, [self.name(m)], reading))
        self.prepare([(text, [self.name(m)]) for text, m in zip(texts, members, strict=True)])
        return [self.single(m, text) for m, text in zip(members, texts, strict=True)]

    def sides(self, members: Sequence[OutletSentence], label: str) -> list[Claim]:
        """Each side of a difference as its own attributed, verified claim; the label opens the first."""
        return [replace(claim, label=label if i == 0 else None) for i, claim in enumerate(self.singles(members))]

    def attribution_difference(self, group: FactGroup, members: list[OutletSentence]) -> list[Claim]:
        """One outlet names who says it, another states it as fact."""
        said = [(m, self.reader(m.sentence.text)[1].speaker) for m in members]
        named = [(m, who) for m, who in said if who and _names_someone(who)]
        if not named:
            return []
        a, who = named[0]
        if a.sentence.text.lstrip()[:1] in _QUOTE_MARKS:  # a quotation beside a paraphrase is no disagreement
            return []
        if any(o.lower() in who.lower() for o in self.story.outlets if o):  # one outlet crediting another's
            return []  # reporting ("..., CBS News reported") is no difference with that outlet's own account
        speaker = {t.lemma_.lower() for t in nlp()(who) if t.pos_ in ("NOUN", "PROPN") and not t.is_stop}
        # The other side states the same point (closely aligned) in its own voice: no verb of saying or
        # showing, and nothing of the speaker in it ("census data revealed" attributes to the census).
        bare = [m for m, w in said if w is None and m.outlet != a.outlet
                and group.score(group.members.index(a), group.members.index(m)) >= self.cfg.attribution_min_score
                and self.reader(m.sentence.text)[1].role == Role.FACT
                and not any(t.lemma_ in REPORTING_VERBS | _EVIDENTIAL or t.lemma_.lower() in speaker
                            for t in self.reader(m.sentence.text)[0])]
        if not bare:
            return []
        label = f"Attribution differs ({self.name(a)} attributes it to {who}; {self.name(bare[0])} states it as fact)"
        return self.sides([a, bare[0]], label)

    def framing_contrast(self, a: OutletSentence, b: OutletSentence) -> Claim | None:
        """One outlet's loaded words for a point the other states plainly, quoted exactly as it wrote them."""
        def words(side: OutletSentence) -> list[str]:
            found = unquoted_loaded_terms(side.sentence.text)
            return list(dict.fromkeys(side.sentence.text[t.start:t.end] for t in found if t.intensity >= 2))

        loaded, plain = (a, b) if len(words(a)) >= len(words(b)) else (b, a)
        used = [w for w in words(loaded) if w.lower() not in plain.sentence.text.lower()]
        if not used:
            return None
        doc, reading = self.reader(plain.sentence.text)
        plain_text = attribute(doc, [self.name(plain)], reading).rstrip(".")
        quoted = " and ".join(f"“{w}”" for w in used)
        text = f"{plain_text}; {self.name(loaded)}'s account of the same point uses {quoted}."
        ok = all(w in loaded.sentence.text for w in used)
        check = self.verifier(attribute(doc, [self.name(plain)], reading), [plain.sentence.text], [self.name(plain)])
        verification = check if ok else _checked(False, "a quoted word is not in the cited sentence")
        return _claim(text, [plain, loaded], verification, DIFFERENCE_LABELS["framing"])

    def framing(self) -> list[Claim]:
        claims = []
        for outlet in self.story.outlets:
            docs = [d for d in self.story.docs if d.label == outlet]
            profile = framing_profile(docs)
            if not profile.terms:
                continue
            ranked = sorted(profile.terms, key=lambda u: -u.count * _INTENSITY.get(u.lemma, 1))
            shown = ranked[: 4 if self.limits[0] <= 3 else 8]
            parts = [f"“{u.examples[0].strip(_QUOTE_MARKS)}” ×{u.count} "
                     f"({_CATEGORY_WORDS.get(u.category, u.category.replace('_', ' '))})" for u in shown]
            quoted = sum(u.quoted for u in profile.terms)
            who = self.names.get(docs[0].doc_id, outlet)
            terms = "loaded term" if profile.loaded == 1 else "loaded terms"
            inside = ("it inside a quotation" if quoted else "not inside a quotation") if profile.loaded == 1 \
                else f"{quoted} of them inside quotations"
            text = (f"{who} used {profile.loaded} {terms} ({profile.per_100_words:.1f} per 100 words), {inside}: "
                    + ", ".join(parts) + ".")
            by_index = {s.index: s for d in docs for s in d.sentences}
            cited = [OutletSentence(by_index[u.sentence_indices[0]], outlet) for u in shown]
            ok = all(u.examples[0].strip(_QUOTE_MARKS) in c.sentence.text for u, c in zip(shown, cited, strict=True))
            verification = _checked(ok, "each quoted term occurs in the cited sentence")
            claims.append(_claim(text, list(dict.fromkeys(cited)), verification))
        return claims

    def sections(self) -> list[Section]:
        n_key, n_single, n_diff = self.limits
        key_claims: list[Claim] = []
        singles: list[OutletSentence] = []
        substantive: list[Claim] = []  # figures, dates, names: what a reader most needs
        attributed: list[Claim] = []
        framing: list[Claim] = []
        candidates = {id(g): self.plausible(g.members) for g in self.groups}
        # one outlet's sentences are parsed only if chosen (most groups of a story are one outlet's); the
        # sentences of several outlets' groups are parsed together, in one batch
        self.reader.prefetch(m.sentence.text for members in candidates.values()
                             if len({m.outlet for m in members}) >= 2 for m in members)
        for group in sorted(self.groups, key=self.order):
            members = candidates[id(group)]
            if len({m.outlet for m in members}) >= 2:
                members = self.usable(members)
            outlets = {m.outlet for m in members}
            if len(outlets) >= 2:
                # a fact its own outlets tell with different figures is a difference, not a key fact; a figure
                # another sentence of the story gives differently ("94-1" beside "92-6") is that sentence's
                inside = set(group.members)
                if len(key_claims) < n_key and not any(c.kind != "framing" and set(c.sides) <= inside
                                                       for c in group.conflicts):
                    fact = self.key_fact(group, members)
                    if fact is not None:
                        key_claims.append(fact)
                        # the outlets not cited may state another fact of the group together ("Pelosi
                        # announced the committee" beside "Pelosi plans to announce whether ...")
                        cited = {c.outlet for c in fact.citations}
                        rest = [m for m in members if m.outlet not in cited]
                        other = self.key_fact(group, rest) if len({m.outlet for m in rest}) >= 2 \
                            and len(key_claims) < n_key else None
                        if other is not None:
                            key_claims.append(other)
                        # another outlet's telling that adds a figure or words of its own is also its single
                        # report (one the key fact cites must add more: it states the same fact)
                        told = [c.text for c in key_claims]
                        used = {(c.doc_id, c.sentence_index) for claim in key_claims for c in claim.citations}
                        singles.extend(m for m in self._best_per_outlet(members) if _adds(self.shown(m), told, (
                            self.cfg.own_words_cited if (m.sentence.doc_id, m.sentence.index) in used
                            else self.cfg.own_words)))
                    else:  # each outlet's own telling of the fact is a candidate for its single-outlet report
                        singles.extend(self._best_per_outlet(members))
            elif len(outlets) == 1:
                singles.append(members[0])
            contrasted = {(c.label, c.text.rsplit("; ", 1)[-1]) for c in framing}
            for conflict in group.conflicts:
                said = {c.text for c in substantive + attributed + framing}
                if len(substantive) + len(attributed) + len(framing) < 6 * n_diff:
                    claims = [c for c in self.difference(conflict) if c.text not in said]
                    if conflict.kind == "framing":  # one contrast per outlet's loaded words, not one per sentence
                        claims = [c for c in claims if (c.label, c.text.rsplit("; ", 1)[-1]) not in contrasted]
                        contrasted |= {(c.label, c.text.rsplit("; ", 1)[-1]) for c in claims}
                    if len(claims) == (1 if conflict.kind == "framing" else 2):
                        (framing if conflict.kind == "framing" else substantive).extend(claims)
            if len(outlets) >= 2:  # after the figures: a pair whose figures differ is a figure difference
                said = {c.text for c in substantive}
                attributed.extend(c for c in self.attribution_difference(group, members) if c.text not in said)
        # a sentence a difference already states is not repeated among the single-outlet facts, nor one twice
        differing = {(c.doc_id, c.sentence_index) for claim in substantive + attributed for c in claim.citations}
        singles = [m for m in dict.fromkeys(singles) if (m.sentence.doc_id, m.sentence.index) not in differing]
        # nor one a key fact cites (in whichever group) unless it adds to what the key facts say
        stated = {(c.doc_id, c.sentence_index) for claim in key_claims for c in claim.citations}
        told = [c.text for c in key_claims]
        singles = [m for m in singles if (m.sentence.doc_id, m.sentence.index) not in stated
                   or _adds(self.shown(m), told, self.cfg.own_words_cited)]
        cited = {c.outlet for claim in key_claims for c in claim.citations}
        # an outlet not yet cited speaks first; of each outlet's statements, the calmest and earliest first
        # (selection: fewer loaded and charged words)
        framed = {(c.doc_id, c.sentence_index) for claim in framing for c in claim.citations}  # shown there already
        singles.sort(key=lambda m: (m.outlet in cited, (m.sentence.doc_id, m.sentence.index) in framed,
                                    self.cost(m)[0]))
        self.reader.prefetch(m.sentence.text for m in singles[: 3 * n_single])  # the likely picks, in one batch
        single_claims = self.singles(_round_robin(singles, n_single, lambda m: bool(self.usable([m]))))
        differences = _whole_differences(substantive + attributed + _one_per_plain_side(framing), 2 * n_diff)
        # never with a sentence a difference states (NPR's "More than 180 people were killed ..." had been both)
        heard = cited | {c.outlet for claim in single_claims for c in claim.citations}
        unheard = []
        for doc in self.story.docs:  # every outlet is heard at least once: its earliest statement
            if doc.label not in heard:
                first = self.usable([OutletSentence(s, doc.label) for s in doc.sentences[:12]
                                     if (doc.doc_id, s.index) not in differing])
                if first:
                    unheard.append(first[0])
                    heard.add(doc.label)
        single_claims += self.singles(unheard)
        return [
            Section(SectionKind.KEY_FACTS, TITLES[SectionKind.KEY_FACTS], tuple(key_claims)),
            Section(SectionKind.SINGLE_SOURCE, TITLES[SectionKind.SINGLE_SOURCE], tuple(single_claims)),
            Section(SectionKind.DIFFERENCES, TITLES[SectionKind.DIFFERENCES], tuple(differences)),
            Section(SectionKind.FRAMING, TITLES[SectionKind.FRAMING], tuple(self.framing())),
        ]


def voiced_sentences(story: Story) -> set[tuple[str, int]]:
    """(doc_id, index) of the story's sentences whose next sentence says whose words they were
    (rag.linguistics.voiced_by_next)."""
    return {(d.doc_id, s.index) for d in story.docs for s, after in zip(d.sentences, d.sentences[1:], strict=False)
            if after.index == s.index + 1 and voiced_by_next(after.text)}


def speaker_names(story: Story) -> dict[str, str]:
    """doc_id -> how frames name it (rag.attribution.frame_names)."""
    return frame_names((d.doc_id, d.meta.outlet) for d in story.docs)


def _unsourced_quote(text: str, reading: Reading) -> bool:
    """Whether the sentence is a quotation whose speaker it does not name ('“Democracy and the republic will
    win.”'): alone, it is nobody's words."""
    return text.lstrip()[:1] in _QUOTE_MARKS and not reading.speaker


def _unnamed(speaker: str | None) -> bool:
    """Whether a quotation's speaker is only a pronoun ('"We will not take lessons," he tweeted'): alone, a
    reader cannot tell who speaks."""
    return speaker is not None and speaker.lower() in NEEDS_ANTECEDENT


def _names_someone(speaker: str) -> bool:
    """Whether a speaker phrase names a person or body ("the White House", "Col. Lee"), not "data" or "he"."""
    root = nlp()(speaker)[:].root
    return root.pos_ == "PROPN" or root.ent_type_ in ACTORS


def _one_per_plain_side(contrasts: Sequence[Claim]) -> list[Claim]:
    """Framing contrasts against the same plainly worded sentence as one claim: the sentence once, then each
    outlet's loaded words ("...; New York Times's account of the same point uses “claimed”; New York Post's
    account of the same point uses “devastating”")."""
    merged: dict[tuple[str, int], Claim] = {}
    for claim in contrasts:
        plain = claim.citations[0]
        key = (plain.doc_id, plain.sentence_index)
        first = merged.get(key)
        if first is None:
            merged[key] = claim
            continue
        text = f"{first.text.rstrip('.')}; {claim.text.split('; ', 1)[1]}"
        if len(text.split()) > MAX_WORDS:  # too long to take in as one sentence: the plain sentence is not
            continue  # repeated for it (that outlet's loaded words are listed under how each outlet framed it)
        verdict = first.verdict if first.verdict == claim.verdict else Verdict.UNSUPPORTED
        merged[key] = replace(first, text=text,
                              citations=first.citations + tuple(c for c in claim.citations[1:]
                                                                if c not in first.citations),
                              verdict=verdict, score=min(first.score, claim.score),
                              reasons=tuple(dict.fromkeys(first.reasons + claim.reasons)))
    return list(merged.values())


def _whole_differences(claims: Sequence[Claim], limit: int) -> tuple[Claim, ...]:
    """At most `limit` claims, never cutting a difference after its labelled first side."""
    out: list[Claim] = []
    for i, claim in enumerate(claims):
        if claim.label is not None:
            size = next((j for j in range(i + 1, len(claims)) if claims[j].label is not None), len(claims)) - i
            if len(out) + size > limit:
                break
        out.append(claim)
    return tuple(out)


def _adds(text: str, told: Sequence[str], share: float) -> bool:
    """Whether a sentence says what the stated claims do not: a number they lack, or mostly other words."""
    stated = " ".join(told)
    values = {v for _, v in number_mentions(stated)}
    if any(v not in values for _, v in number_mentions(text)):
        return True
    terms = content_terms(text)
    return bool(terms) and len(term_matches(terms, content_terms(stated))) / len(terms) < share


def _round_robin(members: list[OutletSentence], limit: int,
                 accept: Callable[[OutletSentence], bool] = lambda m: True) -> list[OutletSentence]:
    """Up to `limit` accepted sentences, taking each outlet's next one in turn so no outlet fills the section
    (`accept` is asked only of the sentences reached)."""
    queues: dict[str, list[OutletSentence]] = {}
    for m in members:
        queues.setdefault(m.outlet, []).append(m)
    out: list[OutletSentence] = []
    while len(out) < limit and any(queues.values()):
        for queue in queues.values():
            while queue and len(out) < limit:
                m = queue.pop(0)
                if accept(m):
                    out.append(m)
                    break
    return out


def _checked(ok: bool, reason: str) -> Verification:
    """The verdict of a deterministic check (quoted terms present in the cited sentence)."""
    return Verification(Verdict.SUPPORTED if ok else Verdict.UNSUPPORTED, 1.0 if ok else 0.0, (reason,))


def _claim(text: str, cited: Sequence[OutletSentence], verification: Verification, label: str | None = None,
           ) -> Claim:
    text = text[:1].upper() + text[1:]  # a label such as "document 1a2b…" may open the sentence
    return Claim(text, tuple(cite(m) for m in cited), verification.verdict, verification.score,
                 verification.reasons, label)
