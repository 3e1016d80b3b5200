"""Shared fixtures: an isolated data folder per test, one loaded model per session, the shipped corpus; helpers
that start and stop real servers on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.settings import Settings
from rag.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float, log: Path | None = None) -> None:
    """Poll `url` until it answers 200; fail at once, with the end of `log`, if the server process exits."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log else ""
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}\n{tail}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout:g} s")
        time.sleep(0.3)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server, killing it if it has not exited after 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's data folder or a stray .env."""
    monkeypatch.setenv("CROSSREAD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


ALLSIDES = SHARED / "devdata" / "allsides" / "raw_dev.jsonl"


def allsides_events(ids: list[int]) -> list[dict]:
    """AllSides events by id, in the order asked (skips the test where ../shared/devdata is absent)."""
    if not ALLSIDES.exists():
        pytest.skip("../shared/devdata is not here (CI and developers have it)")
    by_id = {e["id"]: e for e in map(json.loads, ALLSIDES.read_text(encoding="utf-8").splitlines())}
    return [by_id[i] for i in ids]


def write_event(event: dict, folder: Path, dated: bool = False) -> None:
    """An event's articles as files, the way users' exports look: `Title:` / `Source:` (/ `Date:`) headers."""
    for side, item in event["news"].items():
        body = "\n\n".join(p for p in item["newBody"] if p.strip())
        date = f"Date: {event['date'][:10]}\n" if dated else ""
        (folder / f"{event['id']}-{side}.txt").write_text(
            f"Title: {item['newsTitle']}\nSource: {item['newsSource']}\n{date}\n{body}\n", encoding="utf-8")


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


class CountingEmbeddings:
    """The real encoder, recording which texts it was asked to encode (tests that count re-encoding)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.encoded = inner, []

    def encode(self, texts: Any) -> Any:
        self.encoded.extend(texts)
        return self.inner.encode(texts)


# The tiers: `unit` (every test not marked slow or browser: no model, no server; `pytest -m unit` runs in
# seconds), `slow` (real models and servers) and `browser` (the app in headless Chromium). CI runs all three.
MODEL_LOADERS = (
    "rag.embeddings.load_encoder",
    "rag.embeddings.build_encoder",
    "rag.embeddings.load_model",
    "rag.linguistics.nlp",
    "rag.providers.llamacpp.load_llama",
)
MODEL_FIXTURES = frozenset({"corpus_store"})  # fixtures that ingest with the real encoder
_LOADED = pytest.StashKey[list[str]]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("slow") is None and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.unit)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A unit test that loads a model fails, naming the loader: it belongs in the slow tier."""
    if item.get_closest_marker("unit") is None:
        yield
        return
    loaded = item.stash.setdefault(_LOADED, [])
    with pytest.MonkeyPatch.context() as patch:
        for path in MODEL_LOADERS:
            def refuse(*args: Any, _path: str = path, **kwargs: Any) -> Any:
                loaded.append(_path)
                pytest.fail(f"a unit test called {_path}: mark it @pytest.mark.slow", pytrace=False)

            patch.setattr(path, refuse)
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Also fail a unit test whose model load was swallowed (e.g. by a Streamlit script thread)."""
    outcome = yield
    report = outcome.get_result()
    loaded = item.stash.get(_LOADED, [])
    if loaded and report.passed and report.when == "call":
        report.outcome = "failed"
        report.longrepr = f"a unit test called {', '.join(sorted(set(loaded)))}: mark it @pytest.mark.slow"
