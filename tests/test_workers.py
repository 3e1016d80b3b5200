"""Ingest spread over processes and over Ray: the same store as one process, whatever the number of workers."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS

from rag.ingest import ingest
from rag.store import Store, open_store
from rag.types import IngestStatus
from rag.workers import TASK_BYTES, expand_inputs, tasks_of


def _mixed_inputs(folder: Path) -> list[str]:
    """The shipped corpus, a near-duplicate of one article, an empty file and a missing one."""
    folder.mkdir()
    text = sorted(CORPUS.glob("*.txt"))[1].read_text()
    (folder / "a_republished.txt").write_text(text.replace("armored vehicles", "tanks"))
    (folder / "b_empty.txt").write_text("")
    for n in range(6):
        (folder / f"c_{n}.txt").write_text(
            f"Title: Council vote {n}\n\nThe council met on day {n} of the session. "
            f"Members approved measure {n * 7} after a debate about roads, schools and water. "
            f"A spokesperson said {n + 2} objections had been recorded.")
    return [str(CORPUS), str(folder), str(folder / "missing.txt")]


def _snapshot(store: Store) -> dict[str, object]:
    sentences = store.docs.all_sentences("default")
    return {
        "docs": sorted(d["doc_id"] for d in store.docs.list_documents("default")),
        "sentences": sorted((s.sentence_id, s.text, s.start, s.end) for s in sentences),
        "vectors": store.vectors.ids("default"),
        "pending": store.docs.pending("default"),
        "duplicates": sorted(d["doc_id"] for d in store.docs.duplicates("default")),
    }


def test_inputs_expand_to_files_and_group_into_tasks(tmp_path):
    inputs = _mixed_inputs(tmp_path / "in")
    units = expand_inputs(inputs)
    assert [Path(str(u)).name for u in units[:2]] == [p.name for p in sorted(CORPUS.glob("*.txt"))]
    assert len(units) == 2 + 8 + 1 and units[-1] == inputs[-1]
    tasks = tasks_of(units)
    assert [position for task in tasks for position, _ in task] == list(range(len(units)))
    big = tmp_path / "big.txt"
    big.write_text("word " * TASK_BYTES)
    assert len(tasks_of([str(big), str(big)])) == 2  # a file bigger than a task is a task of its own


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_two_workers_give_the_same_store_as_one(tmp_path, monkeypatch):
    monkeypatch.setattr("rag.workers.TASK_BYTES", 2000)  # several tasks, so both workers get some
    inputs = _mixed_inputs(tmp_path / "in")
    assert len(tasks_of(expand_inputs(inputs))) >= 4
    one, two = open_store({"data_dir": tmp_path / "one"}), open_store({"data_dir": tmp_path / "two"})
    first = ingest(inputs, store=one)
    second = ingest(inputs, store=two, workers=2)
    assert [(r.input, r.status, r.doc_id, r.duplicate_of) for r in second] == [
        (r.input, r.status, r.doc_id, r.duplicate_of) for r in first]
    statuses = [r.status for r in first]
    assert statuses.count(IngestStatus.ADDED) == 8 and statuses.count(IngestStatus.DUPLICATE) == 1
    assert statuses.count(IngestStatus.REJECTED) == 2
    assert _snapshot(two) == _snapshot(one)
    again = ingest(inputs, store=two, workers=2)  # idempotent: nothing new, nothing doubled
    assert {r.status for r in again} == {IngestStatus.UNCHANGED, IngestStatus.DUPLICATE, IngestStatus.REJECTED}
    assert _snapshot(two) == _snapshot(one)


@pytest.mark.slow
def test_ray_local_mode_with_two_workers_gives_the_same_store(tmp_path, monkeypatch):
    pytest.importorskip("ray.data", reason="Ray is not installed (pip install 'crossread[ray]')")
    monkeypatch.setattr("rag.workers.TASK_BYTES", 2000)
    inputs = _mixed_inputs(tmp_path / "in")
    one, on_ray = open_store({"data_dir": tmp_path / "one"}), open_store({"data_dir": tmp_path / "ray"})
    first = ingest(inputs, store=one)
    second = ingest(inputs, store=on_ray, workers=2, ray_address="local")
    assert [(r.status, r.doc_id) for r in second] == [(r.status, r.doc_id) for r in first]
    assert _snapshot(on_ray) == _snapshot(one)


def test_urls_only_walks_no_folder(tmp_path):
    """The app's URL box: a folder path is rejected unread, never listed."""
    inputs = _mixed_inputs(tmp_path / "in")
    assert expand_inputs(inputs, urls_only=True) == inputs
