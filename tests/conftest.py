"""Shared fixtures: an isolated data folder per test, one loaded model per session, the shipped corpus."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.settings import Settings
from rag.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's data folder or a stray .env."""
    monkeypatch.setenv("CROSSREAD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "store")


@pytest.fixture
def store(settings: Settings) -> Store:
    """An empty store in a fresh folder (the model is shared across the session by lru_cache)."""
    return open_store(settings)


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store holding the two shipped articles; shared, so tests must not modify it."""
    from rag.ingest import ingest

    data_dir = tmp_path_factory.mktemp("corpus-store")
    store = open_store(make_settings(data_dir))
    results = ingest([str(CORPUS)], store=store)
    assert [r.status for r in results] == ["added", "added"]
    yield store
    shutil.rmtree(data_dir, ignore_errors=True)
