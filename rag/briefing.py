"""Neutral multi-source briefings: key facts, single-source reports, differences and framing, all cited.

One flow per story: select documents -> group them into stories (rag.stories) -> align the facts of each story
across outlets (rag.alignment, on the vectors the store already holds) -> compose the sections (the extractive
composer, or an LLM writing the fact sections from the same aligned evidence) -> verify each claim against the
sentences it cites -> number the citations. The headline is a whole clause of at most 14 words, cut by deletion
from a fact two or more outlets state (rag.deletion.headline), never an outlet's own headline.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from rag.alignment import FactGroup, align_facts
from rag.citations import MarkerNumbering
from rag.composer import LIMITS, Composer, Length, voiced_sentences
from rag.deletion import headline
from rag.errors import ProviderUnavailable, StoreError
from rag.linguistics import Reader, Role, subject_points_back
from rag.neutral import loaded_outside_quotes
from rag.prompts import REFUSAL
from rag.providers import Generator
from rag.retrieval import lead_vectors, sentence_vectors
from rag.settings import Settings
from rag.store import Store, open_store
from rag.stories import Story, group_stories
from rag.terms import content_terms, term_matches, tokens
from rag.types import Briefing, Document, Section, SectionKind, Verdict, Verification
from rag.verify import Verifier

log = logging.getLogger(__name__)



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


def topic_filter(groups: list[FactGroup], topic: str, store: Store, collection: str) -> list[FactGroup]:
    """Groups with a sentence close enough to the topic, kept in reading order."""
    vector = store.embeddings.encode([topic])[0]
    sentences = [m.sentence for g in groups for m in g.members]
    sims = sentence_vectors(store, collection, sentences) @ vector if sentences else np.zeros(0)
    floor = store.settings.retrieval.min_relevance - store.settings.briefing.topic_margin
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
    docs = select_documents(store, collection, doc_ids)
    cfg = store.settings.stories
    stories = group_stories(docs, lead_vectors(store, collection, docs, cfg.lead_sentences), cfg)
    if topic:
        vector = store.embeddings.encode([topic])[0]

        def relevance(story: Story) -> float:
            sentences = [s for d in story.docs for s in d.sentences]
            return float(np.max(sentence_vectors(store, collection, sentences) @ vector)) if sentences else 0.0

        stories = sorted(stories, key=lambda s: -relevance(s))
    return stories


def centrality(story: Story, vectors: np.ndarray) -> dict[tuple[str, int], float]:
    """(doc_id, index) -> cosine of each sentence with the mean sentence of the story's other outlets (what the
    others also write about is the event's core); {} for a one-outlet story. `vectors` are in document order."""
    rows, start = {}, 0
    for doc in story.docs:
        rows[doc.doc_id] = vectors[start:start + len(doc.sentences)]
        start += len(doc.sentences)
    out: dict[tuple[str, int], float] = {}
    for doc in story.docs:
        others = [rows[d.doc_id] for d in story.docs if d.label != doc.label and len(rows[d.doc_id])]
        if not others or not len(rows[doc.doc_id]):
            continue
        mean = np.mean(np.vstack(others), axis=0)
        mean /= np.linalg.norm(mean) or 1.0
        out.update(((doc.doc_id, s.index), float(c)) for s, c in zip(doc.sentences, rows[doc.doc_id] @ mean,
                                                                     strict=True))
    return out


def brief_story(
    story: Story, *, store: Store, collection: str | None = None, topic: str | None = None,
    length: Length = "standard", generator: object | None = None,
) -> Briefing:
    """The briefing of one story."""
    name = store.collection_name(collection)
    sentences = [s for d in story.docs for s in d.sentences]
    vectors = sentence_vectors(store, name, sentences)
    reader = Reader()  # one parse per sentence, shared by alignment, composer, verifier and headline
    groups = align_facts(story.docs, vectors, store.settings.briefing, reader)
    if topic:
        groups = topic_filter(groups, topic, store, name)
        if not groups:
            return Briefing(topic, "extractive", (), {}, notice=REFUSAL)
    # The verifier reads the stored vectors and the composer's parses instead of computing them again.
    stored = {s.text: v for s, v in zip(sentences, vectors, strict=True)}
    verify = Verifier(store.embeddings, store.settings, vectors=stored, reader=reader)

    def verifier(text: str, sources: Sequence[str], outlets: Sequence[str]) -> Verification:
        return verify(text, sources, outlets=list(dict.fromkeys(outlets)))

    def prepare(claims: Sequence[tuple[str, Sequence[str]]]) -> None:
        verify.prepare([(text, list(dict.fromkeys(outlets))) for text, outlets in claims])

    sections = Composer(story, groups, verifier, length, reader, store.settings.briefing,
                        centrality(story, vectors), prepare).sections()
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
    title = topic or neutral_title(story, groups, reader, store.settings.briefing.headline_words)
    return Briefing(title, generator_name, numbered, coverage(numbered), notice=notice)


_TITLE_GROUPS = 8  # of the agreed facts, then of one outlet's, the earliest this many are headline candidates


def neutral_title(story: Story, groups: Sequence[FactGroup], reader: Reader, max_words: int) -> str:
    """A headline no single outlet framed: a whole clause of at most `max_words` words, cut by deletion from a
    fact of the story (a plain fact, no loaded words, not opening on a pronoun), the one that says most of what
    the outlets' own headlines say (their words weigh as salience; none is copied), facts two or more outlets
    state and leads first on a tie; else the names the articles share."""
    position = {d.doc_id: len(d.sentences) or 1 for d in story.docs}

    def order(g: FactGroup) -> float:
        return min(m.sentence.index / position.get(m.sentence.doc_id, 1) for m in g.members)

    headlines = [content_terms(d.meta.title) for d in story.docs if d.meta.title]
    voiced = voiced_sentences(story)

    def salience(title: str) -> int:
        terms = content_terms(title)
        return sum(len(term_matches(terms, words)) for words in headlines)

    agreed = sorted((g for g in groups if len(g.outlets) >= 2), key=order)
    rest = sorted((g for g in groups if len(g.outlets) < 2), key=order)
    # a sentence that is no one's report first; then one that a named source announced, frame kept ("...,
    # congressional officials announced"); never an outlet's report ("The New York Times reported that ...")
    agreed, rest = agreed[:_TITLE_GROUPS], rest[:_TITLE_GROUPS]
    # headline style without articles ("US intelligence community reached inconclusive assessment about ...") only
    # when no sentence before gives a title with them: an agreed fact's before one outlet's
    passes = [(agreed, False, False, False), (agreed, True, False, False), (agreed, True, True, False),
              (agreed, True, False, True), (agreed, True, True, True),
              (rest, False, False, False), (rest, True, False, False), (rest, True, True, False),
              (rest, True, False, True)]
    found: dict[str, tuple[int, int]] = {}  # title -> (salience, rank of its pass and sentence)
    for candidates, deep, framed, bare in passes:
        if len(found) >= _TITLE_CHOICES:
            break
        if found and bare:
            continue
        texts = [m.sentence.text for g in candidates for m in g.members if not m.sentence.text.endswith("?")
                 and (m.sentence.doc_id, m.sentence.index) not in voiced]  # not someone's words
        reader.prefetch(texts)
        for text in texts:
            doc, reading = reader(text)
            if reading.role != Role.FACT or reading.speaker and (
                    reading.tail and not framed or "report" in reading.speaker.lower()
                    or any(o.lower() in reading.speaker.lower() for o in story.outlets if o)):
                continue
            title = headline(doc, max_words, deep=deep, bare=bare)  # a sentence short enough whole before a cut one
            if title and title not in found and title.split()[0].lower() not in _PRONOUNS \
                    and not subject_points_back(doc) and not loaded_outside_quotes(title) \
                    and not any(o.lower() in title.lower() for o in story.outlets if o) \
                    and not any(q in title for q in "“”\"‘’:") \
                    and not any(_echoes(title, d.meta.title) for d in story.docs if d.meta.title) \
                    and not _PARTITIVE_BACK.search(title) \
                    and 4 <= len(title.split()) <= max_words:  # as a reader counts ("Merck & Co." is 3)
                found[title] = (salience(title), len(found))
    if found:
        return max(found, key=lambda t: (found[t][0], -found[t][1]))
    leads = {d.doc_id: [s.text for s in d.sentences[:5]] for d in story.docs}
    reader.prefetch(t for texts in leads.values() for t in texts)
    counts: Counter[str] = Counter(e for texts in leads.values() for e in dict.fromkeys(  # reading order: ties
        re.sub(r"^The ", "the ", ent.text)  # break the same way in every process; "the United States" mid-title
        for t in texts for ent in reader(t)[0].ents
        if ent.label_ in ("PERSON", "ORG", "GPE", "EVENT", "LAW", "PRODUCT", "FAC")))
    ranked = [e for e, n in counts.most_common() if n >= 2] or [e for e, _ in counts.most_common(2)]
    shared: list[str] = []
    for name in ranked:  # "Donald Trump" covers "Trump", "the United States" "U.S."; the title stays within max_words
        if not any(name in other or other in name or _initials(name) == _initials(other) for other in shared) \
                and len(shared) < 3 \
                and len(("Coverage of " + " and ".join([*shared, name])).split()) <= max_words:
            shared.append(name)
    return "Coverage of " + " and ".join(shared) if shared else "Briefing"


def _initials(name: str) -> str:
    """A name's capitals, which its acronym shares: "United States" and "U.S." → "US"."""
    return "".join(c for c in re.sub(r"^the\s+", "", name, flags=re.I) if c.isupper())


# "In nearly all of the cases, ...": a part of a whole the title never named (a title has nothing before it).
_PARTITIVE_BACK = re.compile(r"\b(?:all|most|some|many|none|each|both|half|several) of (?:the|these|those) \w+[,.]?"
                             r"(?=,|$|\s(?!of\b|in\b|at\b|from\b|who\b|that\b))", re.IGNORECASE)


def _echoes(title: str, outlet_headline: str) -> bool:
    """Whether a title says an outlet's headline in nearly its words (70% of the words of each in the other)."""
    mine, theirs = set(tokens(title)), set(tokens(outlet_headline))
    return bool(mine and theirs) and len(mine & theirs) >= 0.7 * max(len(mine), len(theirs))


_TITLE_CHOICES = 8  # headlines weighed for salience (each one a deletion search)
_PRONOUNS = frozenset(("he", "she", "it", "they", "this", "these", "that", "those", "his", "her", "their", "we"))


def brief(
    *,
    collection: str | None = None,
    topic: str | None = None,
    doc_ids: Sequence[str] | None = None,
    length: Length = "standard",
    settings: Settings | dict | None = None,
    store: Store | None = None,
    generator: Generator | str | None = None,
    story: int | None = None,
) -> Briefing:
    """A neutral briefing of one story among the selected documents: number `story` (1-based, largest first),
    else the one most relevant to the topic, else the largest; the notice names the others. Paragraphs or
    bullets is a rendering choice (rag.export, the CLI, the app), not the briefing's."""
    store = store or open_store(settings)
    stories = select_stories(store, store.collection_name(collection), doc_ids, topic)
    if story is not None and not 1 <= story <= len(stories):
        raise StoreError(f"there is no story {story}; the selection has {len(stories)} (see `crossread stories`)")
    chosen = stories[(story or 1) - 1]
    result = brief_story(chosen, store=store, collection=collection, topic=topic, length=length,
                         generator=generator)
    if story is None and len(stories) > 1:
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
    return [brief_story(s, store=store, collection=collection, length=length, generator=generator)
            for s in stories]


def _configured_generator(settings: Settings, name: str | None = None) -> object | None:
    """The LLM generator named (or configured); None means the extractive composer."""
    name = name or settings.llm.provider
    if name == "extractive":
        return None
    from rag.providers import resolve_generator

    return resolve_generator(name, settings)
