"""Writers on one store: a run waits for a live writer and never rolls back its work (issue 12, failure 1).

Each test runs on the embedded store and, marked slow, on PostgreSQL + a Chroma server (issue 15), where the
writers share an advisory lock in the database instead of the data folder's file lock.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from conftest import CORPUS
from postgres_server import chroma_server_url, postgres_server, server_env, server_settings  # noqa: F401

from rag.ingest import ingest
from rag.settings import Settings
from rag.store import open_store

CROSSREAD = Path(sys.executable).with_name("crossread")

# A live writer in another process: holds the data folder, leaves a document pending until told to finish.
_LIVE_WRITER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    import numpy as np
    from rag.sentences import split_sentences
    from rag.store import open_store
    from rag.types import Document, DocumentMeta, content_id

    settings = json.loads(sys.argv[1])
    ready, go = map(Path, sys.argv[2:4])
    store = open_store(settings)
    text = "The live writer's article is still being written. Its vectors come last."
    doc_id = content_id(text)
    doc = Document(doc_id, text, DocumentMeta(outlet="Live"), tuple(split_sentences(doc_id, text)))
    with store.writing("test writer"):
        store.docs.ensure_collection("default")
        store.docs.add_pending("default", doc, None)
        ready.write_text(doc_id)
        while not go.exists():
            time.sleep(0.05)
        # Control flow only: any vector of the right size stands in for the model's.
        vectors = np.random.default_rng(0).random((len(doc.sentences), 384), dtype=np.float32)
        store.vectors.upsert("default", list(doc.sentences), vectors, ["Live"] * len(doc.sentences))
        store.docs.mark_complete("default", [doc_id])
""")


BACKENDS = ["embedded", pytest.param("servers", marks=pytest.mark.slow)]


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """An empty store: embedded, or PostgreSQL + a Chroma server."""
    if request.param == "embedded":
        return Settings(data_dir=tmp_path / "store")
    return request.getfixturevalue("server_settings")  # type: ignore[no-any-return]


def _as_json(settings: Settings) -> str:
    return json.dumps({"data_dir": str(settings.data_dir), "database_url": settings.database_url,
                       "chroma_url": settings.chroma_url})


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_a_second_writer_waits_and_leaves_the_live_writers_pending_document_alone(settings, tmp_path):
    ready, go = tmp_path / "ready", tmp_path / "go"
    live = subprocess.Popen([sys.executable, "-c", _LIVE_WRITER, _as_json(settings), str(ready), str(go)])
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert live.poll() is None and time.monotonic() < deadline, "live writer did not start"
            time.sleep(0.05)
        live_id = ready.read_text()
        store = open_store(settings)
        messages: list[str] = []
        results: list = []
        second = threading.Thread(target=lambda: results.extend(
            ingest([str(CORPUS)], store=store, waiting=messages.append)))
        second.start()
        second.join(timeout=3)
        assert second.is_alive() and not results, "the second writer must wait for the first"
        assert messages and "another writer" in messages[0] and "test writer" in messages[0]
        assert store.docs.pending("default") == [live_id]  # not rolled back as if it had crashed
        go.touch()
        second.join(timeout=300)
        assert live.wait(timeout=60) == 0
    finally:
        go.touch()
        live.kill()
    assert [r.status for r in results] == ["added", "added"]
    listed = {d["doc_id"] for d in store.docs.list_documents("default")}
    assert live_id in listed and len(listed) == 3
    assert store.vectors.ids("default") == {s.sentence_id for s in store.docs.all_sentences("default")}


def test_a_crashed_writers_lock_is_released_and_its_pending_work_repaired(settings, tmp_path):
    ready, go = tmp_path / "ready", tmp_path / "go"
    live = subprocess.Popen([sys.executable, "-c", _LIVE_WRITER, _as_json(settings), str(ready), str(go)])
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert live.poll() is None and time.monotonic() < deadline, "live writer did not start"
        time.sleep(0.05)
    live.kill()  # SIGKILL while holding the lock with a pending document
    live.wait()
    store = open_store(settings)
    assert store.repair("default") == [ready.read_text()]
    assert store.docs.pending("default") == []


def write_articles(folder: Path, names: range, seed: int = 11) -> None:
    """Distinct synthetic articles (random word sequences, so none is a near-duplicate of another)."""
    words = [w for w in sorted(CORPUS.glob("*.txt"))[0].read_text().split() if w.isalpha()]
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        rng = random.Random(seed * 100_003 + n)
        sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(8, 16))).capitalize() + "."
                     for _ in range(5)]
        (folder / f"{n:04d}.txt").write_text(f"Title: Article {n}\nSource: Outlet {n % 3}\n\n" + " ".join(sentences))


@pytest.mark.slow
def test_staggered_cli_writers_lose_nothing_double_nothing_orphan_nothing(settings, tmp_path):
    """Three `crossread ingest` runs on one store, started 0, 1 and 2 s apart, sharing articles."""
    sets = [range(0, 40), range(30, 70), range(60, 100)]
    folders = []
    for i, names in enumerate(sets):
        folders.append(tmp_path / f"in{i}")
        write_articles(folders[-1], names)
    env = server_env(settings)
    procs = []
    for folder in folders:
        procs.append(subprocess.Popen([str(CROSSREAD), "ingest", str(folder), "--json"], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        time.sleep(1.0)
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    added = sum(r["status"] == "added" for out, _ in outputs for r in json.loads(out))
    assert added == 100  # each article added by exactly one run; the others saw it unchanged
    store = open_store(settings)
    states = dict(store.docs.db.execute("SELECT state, COUNT(*) FROM documents GROUP BY state").fetchall())
    assert states == {"complete": 100}
    assert store.vectors.ids("default") == {s.sentence_id for s in store.docs.all_sentences("default")}
