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

import numpy as np

from rag.alignment import FactGroup, align_facts
from rag.citations import MarkerNumbering
from rag.composer import LIMITS, Composer, Length, Style
from rag.errors import ProviderUnavailable, StoreError
from rag.prompts import REFUSAL
from rag.settings import Settings
from rag.store import Store, open_store
from rag.stories import Story, group_stories
from rag.types import Briefing, Document, Section, SectionKind, Verdict, Verification, shorten
from rag.verify import verify_claim

log = logging.getLogger(__name__)

TOPIC_MARGIN = 0.1  # sentences this far below min_relevance still count as on-topic within a relevant story


def select_documents(store: Store, collection: str, doc_ids: Sequence[str] | None) -> list[Document]:
    if doc_ids:
        return [store.document(collection, d) for d in doc_ids]
    listed = store.docs.list_documents(collection)
    if not listed:
        raise StoreError(f"collection {collection!r} has no documents; add some with `crossread ingest`")
    return [store.document(collection, d["doc_id"]) for d in listed]


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


def select_stories(
    store: Store, collection: str, doc_ids: Sequence[str] | None, topic: str | None
) -> list[Story]:
    """Stories among the selected documents: the most relevant to the topic first, else the largest."""
    stories = group_stories(select_documents(store, collection, doc_ids), embeddings=store.embeddings)
    if topic:
        stories = sorted(stories, key=lambda s: -_topic_score(s, topic, store))
    return stories


def brief_story(
    story: Story, *, store: Store, topic: str | None = None, length: Length = "standard",
    generator: object | None = None,
) -> Briefing:
    """The briefing of one story."""
    groups = align_facts(story.docs, store.embeddings)
    if topic:
        groups = topic_filter(groups, topic, store)
        if not groups:
            return Briefing(topic, "extractive", (), {}, notice=REFUSAL)

    def verifier(text: str, sources: Sequence[str], outlets: Sequence[str]) -> Verification:
        return verify_claim(text, sources, embeddings=store.embeddings, settings=store.settings,
                            outlets=list(dict.fromkeys(outlets)))

    sections = Composer(story, groups, verifier, length).sections()
    generator_name, notice = "extractive", None
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
            notice = f"{exc}; briefed with extractive"
    if store.settings.verify.unsupported_policy == "remove":
        sections = [replace(s, claims=tuple(c for c in s.claims if c.verdict != Verdict.UNSUPPORTED))
                    for s in sections]
    numbered = number(sections)
    return Briefing(topic or neutral_title(story, numbered), generator_name, numbered, coverage(numbered),
                    notice=notice)


def neutral_title(story: Story, sections: Sequence[Section]) -> str:
    """A title no single outlet framed: the first supported key fact (reported by two or more outlets),
    shortened; else the story's headline with the fewest loaded terms."""
    from rag.framing import detect_loaded_terms
    from rag.neutral import loaded_outside_quotes

    for section in sections:
        if section.kind == SectionKind.KEY_FACTS:
            for claim in section.claims:
                if claim.verdict == Verdict.SUPPORTED and not loaded_outside_quotes(claim.text):
                    return shorten(claim.text.rstrip("."), 100)
    titles = [d.meta.title for d in story.docs if d.meta.title] or [story.title]
    return min(titles, key=lambda t: len(detect_loaded_terms(t)))


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
    stories = select_stories(store, store.collection_name(collection), doc_ids, topic)
    result = brief_story(stories[0], store=store, topic=topic, length=length, generator=generator)
    if len(stories) > 1:
        others = "; ".join(f"{s.title} ({len(s.docs)} docs)" for s in stories[1:4])
        note = f"{len(stories)} stories in the selection; this briefing covers the first. Others: {others}"
        result = replace(result, notice=f"{result.notice}. {note}" if result.notice else note)
    return result


def brief_stories(
    *,
    collection: str | None = None,
    doc_ids: Sequence[str] | None = None,
    length: Length = "standard",
    settings: Settings | dict | None = None,
    store: Store | None = None,
    generator: object | None = None,
) -> list[Briefing]:
    """One briefing per story in the selection, largest story first."""
    store = store or open_store(settings)
    stories = select_stories(store, store.collection_name(collection), doc_ids, None)
    return [brief_story(s, store=store, length=length, generator=generator) for s in stories]


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
