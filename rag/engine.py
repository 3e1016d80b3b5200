"""`Crossread`: one object holding the parts every request needs — settings, the store (SQLite or PostgreSQL,
Chroma, the sentence encoder) and the generator — built from settings unless they are passed in (paper-qa's
"inject, default late"). The store is opened once per engine; the app caches one engine per process
(`ui/resources.py`) and gives each session its generator choice with `using`. Each method runs the pipeline of
its module (`rag.answer`, `rag.briefing`, `rag.ingest`, `rag.retrieval`) with these parts, so nothing is built
twice and no module keeps state of its own.

    from rag.engine import Crossread
    crossread = Crossread()                      # settings from CROSSREAD_* / .env
    crossread.ingest(["corpus/"])
    print(crossread.ask("What did Kim Jong Un call for?").claims[0].text)
    for briefing in crossread.brief_stories(length="short"):
        print(briefing.title)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from rag.settings import Settings, get_settings
from rag.store import Store, open_store
from rag.types import Answer, Briefing, Claim, IngestResult, SentenceHit

if TYPE_CHECKING:
    from rag.composer import Length
    from rag.providers import Generator
    from rag.stories import Story


@dataclass
class Crossread:
    """The engine: store, generator and settings, shared by every request made through it."""

    settings: Settings = field(default_factory=get_settings)
    store: Store = None  # type: ignore[assignment]  # None: opened from settings
    generator: Generator | str | None = None  # a provider's name or a Generator; None: the configured one

    def __post_init__(self) -> None:
        self.settings = get_settings(self.settings)
        self.store = self.store or open_store(self.settings)

    def resolved_generator(self) -> Generator:
        """The generator for one request: the one passed in, else the named (or configured) one with its
        fallback wrapper, resolved afresh (cheap: models load once per process) because a fallback wrapper
        remembers that its primary failed, and the next request should try the primary again."""
        from rag.providers import resolve_generator

        if self.generator is None or isinstance(self.generator, str):
            return resolve_generator(self.generator, self.settings)
        return self.generator

    def using(self, settings: Settings) -> Crossread:
        """This engine's store with other request settings (a session's generator choice, say); the store keeps
        the settings it was opened with (data folder, encoder, retrieval and verification thresholds)."""
        return Crossread(settings=settings, store=self.store, generator=self.generator)

    def ingest(self, inputs: Sequence[str], **options: Any) -> list[IngestResult]:
        """Add files, folders, URLs or feeds (options as `rag.ingest.ingest`: collection, outlet, date, ...)."""
        from rag.ingest import ingest

        return ingest(inputs, store=self.store, **options)

    def ask(self, question: str, *, collection: str | None = None) -> Answer:
        """A cited, verified answer, or the refusal with the closest sentences."""
        from rag.answer import answer

        return answer(question, collection=collection, store=self.store, settings=self.settings,
                      generator=self.resolved_generator())

    def stream(self, question: str, *, collection: str | None = None) -> Iterator[Claim | Answer]:
        """Each verified claim as it is produced, then the whole Answer."""
        from rag.answer import stream_answer

        return stream_answer(question, collection=collection, store=self.store, settings=self.settings,
                             generator=self.resolved_generator())

    def search(self, question: str, *, collection: str | None = None, k: int | None = None,
               diversity: bool = True) -> list[SentenceHit]:
        """The hybrid retrieval `ask` uses (BM25 + dense, fused), without an answer; `diversity=False` drops the
        per-outlet quota (the best sentences wherever they are)."""
        from rag.retrieval import retrieve

        return list(retrieve(self.store, self.store.collection_name(collection), question, self.settings, k=k,
                             diversity=diversity))

    def stories(self, *, collection: str | None = None, doc_ids: Sequence[str] | None = None,
                topic: str | None = None) -> list[Story]:
        """The stories among the selected documents (all by default): the most relevant to `topic` first, else
        the largest."""
        from rag.briefing import select_stories

        return select_stories(self.store, self.store.collection_name(collection), doc_ids, topic)

    def brief(self, **options: Any) -> Briefing:
        """One story's briefing (options as `rag.briefing.brief`: collection, topic, doc_ids, length, story)."""
        from rag.briefing import brief

        return brief(store=self.store, settings=self.settings, generator=self.resolved_generator(), **options)

    def brief_stories(self, *, collection: str | None = None, doc_ids: Sequence[str] | None = None,
                      length: str = "standard") -> list[Briefing]:
        """A briefing per story, largest first (as `rag.briefing.brief_stories`). The stories' sentences are
        hinted to the parser in that order, so that a second process parses them while this one briefs
        (`rag.linguistics.parse_ahead`; most of a first briefing's time is parsing)."""
        from rag.briefing import brief_story
        from rag.linguistics import parse_ahead

        stories = self.stories(collection=collection, doc_ids=doc_ids)
        parse_ahead(s.text for story in stories for d in story.docs for s in d.sentences)
        generator = self.resolved_generator()
        return [brief_story(s, store=self.store, collection=collection, length=cast("Length", length),
                            generator=generator) for s in stories]
