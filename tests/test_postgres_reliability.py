"""The reliability issue's kill test on the server backend: PostgreSQL + a Chroma server (issue 15)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from postgres_server import chroma_server_url, postgres_server, server_env, server_settings  # noqa: F401
from test_ingest import _synthetic_articles, assert_consistent, sentence_ids_of_complete_docs

from rag.ingest import ingest
from rag.settings import Settings
from rag.store import open_store
from rag.types import IngestStatus

pytestmark = pytest.mark.slow


def _complete_count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute("SELECT COUNT(*) FROM documents WHERE state = 'complete'").fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:  # the tables may not exist yet
        return 0


def test_sigkill_mid_ingest_on_the_servers_leaves_a_consistent_store(request: pytest.FixtureRequest, tmp_path):
    servers: Settings = request.getfixturevalue("server_settings")
    folder = tmp_path / "many"
    _synthetic_articles(folder, 120)
    settings, database = servers, servers.database_url
    # Slices of 64 sentences: the first documents complete long before the run ends (one default slice of 1,024
    # holds all 120 articles, which would complete together).
    env = {**server_env(servers), "CROSSREAD_INGEST__SLICE_SENTENCES": "64"}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("crossread")), "ingest", str(folder), "--json"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    try:
        while _complete_count(database) == 0 and time.monotonic() < deadline:
            assert proc.poll() is None, "ingest finished before it could be killed"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    store = open_store(settings)
    complete_before = sentence_ids_of_complete_docs(store, "default")
    assert complete_before and len(store.docs.list_documents("default")) < 120
    pending = set(store.docs.pending("default"))
    vectors = store.vectors.ids("default")
    assert complete_before <= vectors
    assert {i.rsplit(":", 1)[0] for i in vectors - complete_before} <= pending
    # The killed writer's session ended, so the advisory lock is free: the next run does not wait.
    messages: list[str] = []
    results = ingest([str(folder)], store=store, waiting=messages.append)
    assert messages == []
    assert sum(r.status == IngestStatus.ADDED for r in results) == 120 - len(
        {i.rsplit(":", 1)[0] for i in complete_before}
    )
    assert len(store.docs.list_documents("default")) == 120
    assert_consistent(store)
    assert store.docs.lexical_search("default", store.docs.all_sentences("default")[0].text, 1)
