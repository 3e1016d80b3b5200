"""`Crossread`: one object holding the parts every request needs — settings, the store (SQLite or PostgreSQL,
Chroma, the sentence encoder) and the generator — built once from settings unless they are passed in
(paper-qa's "inject, default late"). The CLI, the app and a Python user call its methods; each method runs
the pipeline of its module (`rag.answer`, `rag.briefing`, `rag.ingest`, `rag.retrieval`) with these parts,
so nothing is built twice and no module keeps state of its own.

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
from typing import Any

from rag.settings import Settings, get_settings
from rag.store import Store, open_store
from rag.types import Answer, Briefing, Claim, IngestResult, SentenceHit


@dataclass
class Crossread:
    """The engine: store, generator and settings, shared by every request made through it."""

    settings: Settings = field(default_factory=get_settings)
    store: Store | None = None
    generator: Any = None  # a rag.providers.Generator; None: the configured one, resolved on first use

    def __post_init__(self) -> None:
        self.settings = get_settings(self.settings)
        self.store = self.store or open_store(self.settings)

    @property
    def parts(self) -> tuple[Store, Any]:
        """The store and the generator, the generator resolved (with its fallback wrapper) once."""
        from rag.providers import resolve_generator

        if self.generator is None:
            self.generator = resolve_generator(None, self.settings)
        assert self.store is not None
        return self.store, self.generator

    def ingest(self, inputs: Sequence[str], **options: Any) -> list[IngestResult]:
        """Add files, folders, URLs or feeds (options as `rag.ingest.ingest`: collection, outlet, date, ...)."""
        from rag.ingest import ingest

        return ingest(inputs, store=self.parts[0], **options)

    def ask(self, question: str, *, collection: str | None = None) -> Answer:
        """A cited, verified answer, or the refusal with the closest sentences."""
        from rag.answer import answer

        store, generator = self.parts
        return answer(question, collection=collection, store=store, settings=self.settings, generator=generator)

    def stream(self, question: str, *, collection: str | None = None) -> Iterator[Claim | Answer]:
        """Each verified claim as it is produced, then the whole Answer."""
        from rag.answer import stream_answer

        store, generator = self.parts
        return stream_answer(question, collection=collection, store=store, settings=self.settings,
                             generator=generator)

    def search(self, question: str, *, collection: str | None = None, k: int | None = None) -> list[SentenceHit]:
        """The hybrid retrieval `ask` uses (BM25 + dense, fused, outlet quota), without an answer."""
        from rag.retrieval import retrieve

        store = self.parts[0]
        return list(retrieve(store, store.collection_name(collection), question, self.settings, k=k))

    def brief(self, **options: Any) -> Briefing:
        """One story's briefing (options as `rag.briefing.brief`: collection, topic, doc_ids, length, story)."""
        from rag.briefing import brief

        return brief(store=self.parts[0], **options)

    def brief_stories(self, **options: Any) -> list[Briefing]:
        """A briefing per story, largest first (options as `rag.briefing.brief_stories`)."""
        from rag.briefing import brief_stories

        return brief_stories(store=self.parts[0], **options)
