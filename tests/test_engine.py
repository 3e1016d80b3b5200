"""The engine: one object's parts serve ingest, search, answers and briefings (real model, SQLite, Chroma)."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from rag.engine import Crossread
from rag.settings import Settings
from rag.types import Answer

pytestmark = pytest.mark.slow


def test_one_engine_ingests_answers_searches_and_briefs(settings: Settings) -> None:
    engine = Crossread(settings)
    assert [r.status for r in engine.ingest([str(CORPUS)])] == ["added", "added"]
    assert engine.search("missile production", k=3)
    result = engine.ask("What did Kim Jong Un call for?")
    assert not result.refused and result.claims and result.generator == "extractive"
    store, generator = engine.parts
    assert engine.parts == (store, generator)  # built once, reused by every request
    streamed = list(engine.stream("What did Kim Jong Un call for?"))
    assert isinstance(streamed[-1], Answer) and streamed[-1].claims == result.claims
    [briefing] = engine.brief_stories(length="short")
    assert briefing.sections[0].claims


def test_the_engine_uses_the_store_it_is_given(settings: Settings) -> None:
    from rag.store import open_store

    store = open_store(settings)
    assert Crossread(settings, store=store).parts[0] is store
