"""A real `chroma run` server on 127.0.0.1 as the vector store: the CLI is unchanged, one setting moves it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORPUS, free_port, stop_process, wait_for_http

pytestmark = pytest.mark.slow

CHROMA = Path(sys.executable).with_name("chroma")
CROSSREAD = Path(sys.executable).with_name("crossread")


@pytest.fixture
def chroma_url(tmp_path) -> Iterator[str]:
    port = free_port()
    data = tmp_path / "server-data"
    server = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/api/v2/heartbeat", server, timeout=60)
        yield url
    finally:
        stop_process(server)


def crossread(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CROSSREAD), *args], env=env, capture_output=True, text=True, timeout=300)


def test_ingest_and_search_against_a_chroma_server(chroma_url, tmp_path):
    env = {**os.environ, "CROSSREAD_DATA_DIR": str(tmp_path / "data"), "CROSSREAD_CHROMA_URL": chroma_url}
    ingested = crossread("ingest", str(CORPUS), "--json", env=env)
    assert ingested.returncode == 0, ingested.stderr
    assert [r["status"] for r in json.loads(ingested.stdout)] == ["added", "added"]
    assert "Loading weights" not in ingested.stderr  # the model loads quietly
    assert not (tmp_path / "data" / "chroma").exists()  # vectors went to the server, not the data folder

    import chromadb

    port = int(chroma_url.rsplit(":", 1)[1])
    client = chromadb.HttpClient(host="127.0.0.1", port=port,
                                 settings=chromadb.Settings(anonymized_telemetry=False))
    docs = json.loads(crossread("sources", "--json", env=env).stdout)
    [namespaced] = {d["chroma_collection"] for d in docs}
    assert namespaced.startswith("crossread-") and namespaced.endswith("-default") and namespaced != "crossread-default"
    assert client.get_collection(namespaced).count() == sum(d["sentence_count"] for d in docs)

    # A second data folder on the same server gets its own namespace: the two stores never mix (issue 12, 9).
    other = {**env, "CROSSREAD_DATA_DIR": str(tmp_path / "other")}
    one = sorted(CORPUS.glob("*.txt"))[0]
    assert crossread("ingest", str(one), "--json", env=other).returncode == 0
    [other_docs] = [json.loads(crossread("sources", "--json", env=other).stdout)]
    assert len(other_docs) == 1 and other_docs[0]["chroma_collection"] != namespaced
    assert client.get_collection(namespaced).count() == sum(d["sentence_count"] for d in docs)
    assert client.get_collection(other_docs[0]["chroma_collection"]).count() == other_docs[0]["sentence_count"]

    found = crossread("search", "missile production", "-k", "3", "--json", env=env)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert len(hits) == 3 and "missile" in hits[0]["text"].lower()
    assert {h["doc_id"] for h in hits} <= {d["doc_id"] for d in docs}
