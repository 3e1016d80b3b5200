"""Ingest: idempotency, near-duplicates, deletes, bad inputs in a batch, and crash consistency (SIGKILL)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS

from rag.ingest import ingest
from rag.store import Store, open_store
from rag.types import IngestStatus, sentence_id

pytestmark = pytest.mark.slow  # ingests with the real encoder


def sentence_ids_of_complete_docs(store: Store, name: str) -> set[str]:
    return {s.sentence_id for s in store.docs.all_sentences(name)}


def assert_consistent(store: Store, name: str = "default") -> None:
    """Every complete document has all its vectors; no vector exists for anything else."""
    assert store.docs.pending(name) == []
    assert store.vectors.ids(name) == sentence_ids_of_complete_docs(store, name)


def test_corpus_ingest_is_idempotent(store):
    first = ingest([str(CORPUS)], store=store)
    assert [r.status for r in first] == [IngestStatus.ADDED, IngestStatus.ADDED]
    assert_consistent(store)
    count = store.vectors.count("default")
    again = ingest([str(CORPUS)], store=store)
    assert [r.status for r in again] == [IngestStatus.UNCHANGED, IngestStatus.UNCHANGED]
    assert [r.doc_id for r in again] == [r.doc_id for r in first]
    assert store.vectors.count("default") == count and len(store.docs.list_documents("default")) == 2


def test_same_text_under_another_name_is_unchanged(store, tmp_path):
    source = sorted(CORPUS.glob("*.txt"))[0]
    copy = tmp_path / "copy.md"
    copy.write_text("\n\n" + source.read_text().replace(" ", "  ") + "\n")
    [a] = ingest([str(source)], store=store)
    [b] = ingest([str(copy)], store=store)
    assert b.status == IngestStatus.UNCHANGED and b.doc_id == a.doc_id


def test_near_duplicate_is_recorded_not_doubled(store, tmp_path):
    source = sorted(CORPUS.glob("*.txt"))[1]
    text = source.read_text()
    doc = ingest([str(source)], store=store)[0]
    sentence = store.docs.sentences_of("default", doc.doc_id)[3].text
    edited = tmp_path / "republished.txt"
    edited.write_text(text.replace(sentence, "A spokesman declined to comment on the report on Tuesday."))
    before = store.vectors.count("default")
    [dup] = ingest([str(edited)], store=store)
    assert dup.status == IngestStatus.DUPLICATE and dup.duplicate_of == doc.doc_id
    assert dup.doc_id != doc.doc_id and "near-duplicate" in (dup.reason or "")
    assert store.vectors.count("default") == before and len(store.docs.list_documents("default")) == 1
    assert store.docs.duplicates("default")[0]["duplicate_of"] == doc.doc_id
    [again] = ingest([str(edited)], store=store)  # remembered, not recomputed into an add
    assert again.status == IngestStatus.DUPLICATE


def test_near_duplicates_within_one_batch(store, tmp_path):
    text = sorted(CORPUS.glob("*.txt"))[1].read_text()
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text(text.replace("armored vehicles", "tanks"))
    results = ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], store=store)
    assert [r.status for r in results] == [IngestStatus.ADDED, IngestStatus.DUPLICATE]
    assert_consistent(store)


def test_delete_removes_vectors_and_sentences(store):
    results = ingest([str(CORPUS)], store=store)
    gone, kept = results[0].doc_id, results[1].doc_id
    assert gone and kept
    store.delete_document("default", gone[:8])  # a unique prefix is enough
    assert not any(i.startswith(gone) for i in store.vectors.ids("default"))
    assert store.docs.sentences_of("default", gone) == []
    assert [d["doc_id"] for d in store.docs.list_documents("default")] == [kept]
    assert_consistent(store)
    [back] = ingest([str(CORPUS / Path(results[0].input).name)], store=store)
    assert back.status == IngestStatus.ADDED


def test_bad_inputs_do_not_stop_the_batch_and_overrides_apply(store, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    results = ingest(
        [str(tmp_path / "empty.txt"), str(tmp_path / "missing.txt"), str(CORPUS)],
        store=store, outlet="Override News", date="7 Nov 2023",
    )
    statuses = [r.status for r in results]
    assert statuses.count(IngestStatus.REJECTED) == 2 and statuses.count(IngestStatus.ADDED) == 2
    rejected = [r for r in results if r.status == IngestStatus.REJECTED]
    assert all(r.reason and r.reason.startswith(r.input) for r in rejected)
    docs = store.docs.list_documents("default")
    assert {(d["outlet"], d["date"]) for d in docs} == {("Override News", "2023-11-07")}
    stored = store.vectors.collection("default").get(include=["metadatas"])["metadatas"]
    hit_outlets = {m["outlet"] for m in stored}
    assert hit_outlets == {"Override News"}


def test_collections_are_separate(store):
    ingest([str(CORPUS)], store=store, collection="one")
    assert store.docs.list_documents("default") == []
    assert len(store.docs.list_documents("one")) == 2
    assert_consistent(store, "one")


def test_sentences_resolve_without_the_vector_store(store):
    [result, _] = ingest([str(CORPUS)], store=store)
    doc = store.document("default", result.doc_id or "")
    for s in doc.sentences:
        assert doc.text[s.start : s.end] == s.text
    got = store.docs.get_sentences("default", [(doc.doc_id, 2)])
    assert got[(doc.doc_id, 2)].sentence_id == sentence_id(doc.doc_id, 2)


def _synthetic_articles(folder: Path, count: int) -> None:
    """Distinct articles (random word sequences), so no two are near-duplicates."""
    rng = random.Random(7)
    source = sorted(CORPUS.glob("*.txt"))[0].read_text()
    words = [w for w in source.split() if w.isalpha()]
    folder.mkdir()
    for n in range(count):
        sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(8, 16))).capitalize() + "."
                     for _ in range(6)]
        (folder / f"{n:04d}.txt").write_text(" ".join(sentences))


def _complete_count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents WHERE state = 'complete'").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_sigkill_mid_ingest_leaves_a_consistent_store_and_the_next_run_completes(tmp_path):
    folder = tmp_path / "many"
    _synthetic_articles(folder, 120)
    data_dir = tmp_path / "killed"
    # Slices of 64 sentences: the first documents complete long before the run ends.
    env = {**os.environ, "CROSSREAD_DATA_DIR": str(data_dir), "CROSSREAD_INGEST__SLICE_SENTENCES": "64"}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("crossread")), "ingest", str(folder), "--json"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    try:
        while _complete_count(data_dir / "crossread.sqlite") == 0 and time.monotonic() < deadline:
            assert proc.poll() is None, "ingest finished before it could be killed"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    store = open_store({"data_dir": data_dir})
    complete_before = sentence_ids_of_complete_docs(store, "default")
    assert complete_before, "the kill should come after the first documents completed"
    assert len(store.docs.list_documents("default")) < 120
    # Right after the crash: every complete document is fully searchable; leftovers belong to pending ones.
    pending = set(store.docs.pending("default"))
    vectors = store.vectors.ids("default")
    assert complete_before <= vectors
    assert {i.rsplit(":", 1)[0] for i in vectors - complete_before} <= pending
    results = ingest([str(folder)], store=store)
    assert sum(r.status == IngestStatus.ADDED for r in results) == 120 - len(
        {i.rsplit(":", 1)[0] for i in complete_before}
    )
    assert len(store.docs.list_documents("default")) == 120
    assert_consistent(store)


def test_untitled_article_is_titled_by_its_opening_words(store, tmp_path):
    from rag.ingest import ingest

    path = tmp_path / "untitled.txt"
    path.write_text("date 2023-11-07 Officials in the capital said on Monday that the bridge would reopen. More.")
    (result,) = ingest([str(path)], store=store)
    doc = store.document("default", result.doc_id)
    assert doc.meta.title == "Officials in the capital said on Monday that…"
    assert doc.meta.date == "2023-11-07"
    assert doc.sentences[0].text.startswith("Officials")


def test_the_app_url_box_never_reads_server_files(store, tmp_path):
    """Issue 12, failure 2: an absolute path typed into the app's URL box was ingested from the server's disk."""
    secret = tmp_path / "secret.txt"
    secret.write_text("The server's private notes. Nobody should read them through the app.")
    results = ingest([str(secret), f"file://{secret}"], store=store, urls_only=True)
    assert [r.status for r in results] == [IngestStatus.REJECTED] * 2
    assert all("only http(s) URLs" in (r.reason or "") for r in results)
    assert store.docs.list_documents("default") == []


def test_a_long_document_is_written_in_slices_with_progress(store, tmp_path):
    """A big single file is encoded and written slice by slice (progress moves), complete only at its end."""
    import rag.ingest

    store.settings.ingest.slice_sentences = 8
    path = tmp_path / "long.txt"
    path.write_text(" ".join(f"Officials counted {n} new arrivals at the border on day {n}." for n in range(50)))
    seen: list[tuple[int, int, int]] = []
    states: list[str | None] = []

    def on_tally(counts: rag.ingest.IngestTally) -> None:
        seen.append((counts.documents_done, counts.sentences_done, counts.sentences_found))
        if counts.sentences_done and not counts.documents_done:
            states.append(store.docs.state("default", store.docs.pending("default")[0]))
            assert counts.eta is not None and counts.rate > 0

    [result] = ingest([str(path)], store=store, tally=on_tally)
    assert result.status == IngestStatus.ADDED
    partial = [done for docs, done, _ in seen if docs == 0 and done]
    assert len(partial) >= 5 and partial == sorted(partial)  # moved in slices before the document completed
    assert set(states) == {"pending"}  # not readable until its last slice is written
    assert seen[-1] == (1, 50, 50)
    assert_consistent(store)
