"""Neutral multi-source briefings: key facts, single-source reports, differences and framing, all cited.

`brief()` selects documents (a collection, some doc ids, or a topic), groups them into stories and briefs
the main one: fact alignment decides what two or more outlets report (key facts, citing every outlet),
what only one reports (attributed by name) and where aligned sentences conflict; the framing section lists
each outlet's loaded terms. Every sentence is rewritten only in safe ways and verified against the
sentences it cites (see rag.neutral). With an LLM generator the facts are written by the model from the
`brief_chat` prompt, then resolved, verified and checked for loaded terms the same way.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np

from rag.alignment import FactGroup, OutletSentence, align_facts
from rag.citations import MarkerNumbering
from rag.errors import ProviderUnavailable, StoreError
from rag.framing import emotive_weight, framing_profile, load_terms
from rag.neutral import Verifier, quote_whole, rewrite_verified
from rag.prompts import REFUSAL
from rag.settings import Settings
from rag.store import Store, open_store
from rag.stories import Story, group_stories
from rag.types import Briefing, Citation, Claim, Document, Section, SectionKind, Verdict, Verification
from rag.verify import verify_claim

log = logging.getLogger(__name__)

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
_QUOTE_MARKS = "“”\"‘’"
_INTENSITY = {e.term: e.intensity for e in load_terms()}
TOPIC_MARGIN = 0.1  # sentences this far below min_relevance still count as on-topic within a relevant story


def cite(member: OutletSentence) -> Citation:
    s = member.sentence
    return Citation(0, s.doc_id, s.index, s.start, s.end, s.text, member.outlet)


def select_documents(store: Store, collection: str, doc_ids: Sequence[str] | None) -> list[Document]:
    if doc_ids:
        return [store.document(collection, d) for d in doc_ids]
    listed = store.docs.list_documents(collection)
    if not listed:
        raise StoreError(f"collection {collection!r} has no documents; add some with `crossread ingest`")
    return [store.document(collection, d["doc_id"]) for d in listed]


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
        from rag.framing import unquoted_loaded_terms

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
                                   self.verifier, must_attribute=False)
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
                text = (f"The sources differ on the {'figures' if conflict.kind == 'number' else 'dates'}: "
                        f"{quote_whole(a.sentence.text, a.outlet)}; {quote_whole(b.sentence.text, b.outlet)}")
                verification = _both(self.verifier, a, b)
            if text not in seen:
                seen.add(text)
                claims.append(_claim(text, [a, b], verification))
        return claims

    def framing_contrast(self, a: OutletSentence, b: OutletSentence) -> tuple[str, Verification] | None:
        """One outlet's loaded words for a fact the other states plainly; None when already said."""
        from rag.framing import unquoted_loaded_terms

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
                          and len(g.members[0].sentence.text.split()) >= MIN_WORDS), key=self.single_rank)
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
    va = verifier(quote_whole(a.sentence.text, a.outlet), [a.sentence.text])
    vb = verifier(quote_whole(b.sentence.text, b.outlet), [b.sentence.text])
    return min(va, vb, key=lambda v: v.score)


def _claim(text: str, cited: Sequence[OutletSentence], verification: Verification) -> Claim:
    text = text[:1].upper() + text[1:]  # a label such as "document 1a2b…" may open the sentence
    return Claim(text, tuple(cite(m) for m in cited), verification.verdict, verification.score,
                 verification.reasons)


def coverage(sections: Sequence[Section]) -> dict[str, float]:
    """Share of distinct cited sentences per outlet, over the fact sections (framing excluded)."""
    counts: Counter[str] = Counter()
    seen: set[tuple[str, int]] = set()
    for section in sections:
        if section.kind == SectionKind.FRAMING:
            continue
        for claim in section.claims:
            for c in claim.citations:
                if (c.doc_id, c.sentence_index) not in seen:
                    seen.add((c.doc_id, c.sentence_index))
                    counts[c.outlet] += 1
    total = sum(counts.values())
    return {outlet: n / total for outlet, n in counts.most_common()} if total else {}


def number(sections: Sequence[Section]) -> tuple[Section, ...]:
    """Give every cited sentence one briefing-wide footnote number, in reading order."""
    numbering = MarkerNumbering()
    return tuple(
        replace(s, claims=tuple(replace(c, citations=numbering.apply(c.citations)) for c in s.claims))
        for s in sections
    )


def topic_filter(groups: list[FactGroup], topic: str, store: Store) -> list[FactGroup]:
    """Groups with a sentence close enough to the topic, most relevant first kept in reading order."""
    vector = store.embeddings.encode([topic])[0]
    texts = [m.sentence.text for g in groups for m in g.members]
    sims = store.embeddings.encode(texts) @ vector if texts else np.zeros(0)
    floor = store.settings.retrieval.min_relevance - TOPIC_MARGIN
    kept, i = [], 0
    for g in groups:
        best = float(np.max(sims[i : i + len(g.members)]))
        i += len(g.members)
        if best >= floor:
            kept.append(g)
    return kept


def brief(
    *,
    collection: str | None = None,
    topic: str | None = None,
    doc_ids: Sequence[str] | None = None,
    length: Length = "standard",
    style: Style = "paragraphs",
    settings: Settings | dict | None = None,
    store: Store | None = None,
    generator: object | None = None,
) -> Briefing:
    """A neutral briefing of the main story among the selected documents (style only affects rendering)."""
    store = store or open_store(settings)
    name = store.collection_name(collection)
    docs = select_documents(store, name, doc_ids)
    stories = group_stories(docs, embeddings=store.embeddings)
    notice = None
    if topic:
        stories = sorted(stories, key=lambda s: -_topic_score(s, topic, store))
    story = stories[0]
    if len(stories) > 1:
        others = "; ".join(f"{s.title} ({len(s.docs)} docs)" for s in stories[1:4])
        notice = f"{len(stories)} stories in the selection; this briefing covers the first. Others: {others}"
    groups = align_facts(story.docs, store.embeddings)
    if topic:
        groups = topic_filter(groups, topic, store)
        if not groups:
            return Briefing(topic, "extractive", (), {}, notice=REFUSAL)

    def verifier(text: str, sources: Sequence[str]) -> Verification:
        return verify_claim(text, sources, embeddings=store.embeddings, settings=store.settings)

    composer = Composer(story, groups, verifier, length)
    sections = composer.sections()
    generator_name = "extractive"
    if generator is None or isinstance(generator, str):
        generator = _configured_generator(store.settings, generator)
    if generator is not None and getattr(generator, "name", "extractive") != "extractive":
        from rag.briefing_llm import llm_fact_sections

        try:
            question = topic or story.title
            sections[:2] = llm_fact_sections(generator, question, groups, verifier, LIMITS[length])
            generator_name = str(generator.name)  # type: ignore[attr-defined]
        except ProviderUnavailable as exc:
            if not store.settings.llm.fallback_to_extractive:
                raise
            notice = f"{exc}; briefed with extractive" + (f". {notice}" if notice else "")
    if store.settings.verify.unsupported_policy == "remove":
        sections = [replace(s, claims=tuple(c for c in s.claims if c.verdict != Verdict.UNSUPPORTED))
                    for s in sections]
    numbered = number(sections)
    return Briefing(topic or story.title, generator_name, numbered, coverage(numbered), notice=notice)


def _topic_score(story: Story, topic: str, store: Store) -> float:
    vector = store.embeddings.encode([topic])[0]
    texts = [s.text for d in story.docs for s in d.sentences]
    return float(np.max(store.embeddings.encode(texts) @ vector)) if texts else 0.0


def _configured_generator(settings: Settings, name: str | None = None) -> object | None:
    """The LLM generator named (or configured); None means the extractive composer."""
    name = name or settings.llm.provider
    if name == "extractive":
        return None
    from rag.providers import get_generator

    try:
        return get_generator(name, settings=settings)
    except ProviderUnavailable:
        if not settings.llm.fallback_to_extractive:
            raise
        log.warning("configured generator unavailable; briefing with extractive")
        return None
