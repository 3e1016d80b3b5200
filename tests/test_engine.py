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
    streamed = list(engine.stream("What did Kim Jong Un call for?"))
    assert isinstance(streamed[-1], Answer) and streamed[-1].claims == result.claims
    [story] = engine.stories()
    assert len(story.docs) == 2
    [briefing] = engine.brief_stories(length="short")
    assert briefing.sections[0].claims and briefing.generator == "extractive"


def test_a_session_engine_shares_the_store_and_answers_with_its_own_generator(settings: Settings) -> None:
    """`using` is how the app gives a session its generator choice: the same store, another generator; an
    unreachable one falls back per request, and with fallback off it is the user's error."""
    from rag.errors import ProviderUnavailable

    engine = Crossread(settings)
    engine.ingest([str(CORPUS)])
    llm = settings.llm.model_copy(update={"provider": "ollama", "base_url": "http://127.0.0.1:9", "timeout": 2.0})
    session = engine.using(settings.model_copy(update={"llm": llm}))
    assert session.store is engine.store
    answer = session.ask("What did Kim Jong Un call for?")
    assert answer.generator == "extractive" and answer.notice and "Ollama" in answer.notice
    strict = session.using(session.settings.model_copy(
        update={"llm": llm.model_copy(update={"fallback_to_extractive": False})}))
    with pytest.raises(ProviderUnavailable):
        strict.ask("What did Kim Jong Un call for?")
    assert engine.ask("What did Kim Jong Un call for?").notice is None  # the process engine is untouched


def test_the_engine_uses_the_store_it_is_given(settings: Settings) -> None:
    from rag.store import open_store

    store = open_store(settings)
    assert Crossread(settings, store=store).store is store


def test_the_cli_s_choices_go_through_the_engine(settings: Settings) -> None:
    """`crossread ask -g NAME` names the generator; `crossread search` drops the per-outlet quota."""
    engine = Crossread(settings, generator="extractive")
    engine.ingest([str(CORPUS)])
    assert engine.resolved_generator().name == "extractive"
    assert engine.ask("What did Kim Jong Un call for?").generator == "extractive"
    from rag.retrieval import retrieve

    unbalanced = retrieve(engine.store, engine.store.collection_name(None), "missile production", settings, k=4,
                          diversity=False)
    assert engine.search("missile production", k=4, diversity=False) == list(unbalanced)
