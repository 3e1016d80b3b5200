"""`crossread migrate`: an embedded store copied to PostgreSQL + a Chroma server, vectors not re-embedded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS
from postgres_server import chroma_server_url, postgres_server, server_env, server_settings  # noqa: F401

from rag.chat_history import open_chat_history
from rag.ingest import ingest
from rag.retrieval import retrieve, stored_vectors
from rag.settings import Settings
from rag.store import open_store

CROSSREAD = Path(sys.executable).with_name("crossread")


def migrate(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CROSSREAD), "migrate", *args], env=env, capture_output=True, text=True, timeout=600)


def test_bad_targets_are_one_line_errors(tmp_path):
    env = {**os.environ, "CROSSREAD_DATA_DIR": str(tmp_path / "data")}
    done = migrate(env, "--to", "mysql://x", "--chroma", "http://127.0.0.1:1")
    assert done.returncode == 2 and done.stderr.strip() == "error: --to must be a postgresql:// URL, not 'mysql://x'"
    down = migrate(env, "--to", "postgresql://me:secret@127.0.0.1:1/db", "--chroma", "http://127.0.0.1:1")
    assert down.returncode == 2 and down.stderr.startswith("error: PostgreSQL at 127.0.0.1:1/db is unreachable")
    assert "secret" not in down.stderr and len(down.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_migration_round_trip_is_complete_and_idempotent(request: pytest.FixtureRequest, tmp_path):
    servers: Settings = request.getfixturevalue("server_settings")
    here = Settings(data_dir=tmp_path / "data")
    source = open_store(here)
    ingest([str(CORPUS)], store=source)
    ingest([str(sorted(CORPUS.glob("*.txt"))[0])], collection="second", store=source)
    chat = open_chat_history(here)
    conversation = chat.new_conversation("default")
    chat.add_question(conversation, "What did Kim call for?")

    database, chroma = servers.database_url, servers.chroma_url
    env = {**os.environ, "CROSSREAD_DATA_DIR": str(here.data_dir)}
    first = migrate(env, "--to", database, "--chroma", chroma, "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["copied"], report["unchanged"], report["collections"], report["conversations"]) == (3, 0, 2, 1)
    again = json.loads(migrate(env, "--to", database, "--chroma", chroma, "--json").stdout)
    assert (again["copied"], again["unchanged"], again["conversations"]) == (0, 3, 0)

    there = servers.model_copy(update={"data_dir": tmp_path / "elsewhere"})
    target = open_store(there)
    assert target.docs.collections() == source.docs.collections() == ["default", "second"]
    for name in ("default", "second"):
        assert target.docs.list_documents(name) == source.docs.list_documents(name)
        assert target.docs.all_sentences(name) == source.docs.all_sentences(name)
        assert target.docs.signatures(name) == source.docs.signatures(name)
        assert target.vectors.ids(name) == source.vectors.ids(name)
    refs = [(s.doc_id, s.index) for s in source.docs.all_sentences("default")]
    copied, original = stored_vectors(target, "default", refs), stored_vectors(source, "default", refs)
    # Copied, not re-embedded: equal up to the float round trip of Chroma's HTTP API (~1e-8).
    assert all(np.allclose(copied[r], original[r], rtol=0, atol=1e-6) for r in refs)
    question = "What did Kim Jong Un call for?"
    assert [h.sentence for h in retrieve(target, "default", question).hits][:3] == [
        h.sentence for h in retrieve(source, "default", question).hits][:3]
    assert [m.content for m in open_chat_history(there).messages(conversation)] == ["What did Kim call for?"]
