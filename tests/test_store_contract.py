"""One contract, two document stores: embedded SQLite and PostgreSQL pass the same tests (issue 15)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from postgres_server import new_database, postgres_server  # noqa: F401  (a fixture, found by name)

from rag.chat_history import ChatHistory, open_chat_history
from rag.docstore import DocStore, open_docstore
from rag.settings import Settings
from rag.types import Document, DocumentMeta, Sentence, content_id
from rag.writelock import AdvisoryWriterLock, WriterLock

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.slow)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings of an empty store on the parametrised backend."""
    url = new_database(request.getfixturevalue("postgres_server")) if request.param == "postgres" else ""
    return Settings(data_dir=tmp_path / "data", database_url=url)


@pytest.fixture
def docs(backend: Settings) -> DocStore:
    return open_docstore(backend)


def make_doc(text: str, outlet: str = "Wire") -> Document:
    doc_id = content_id(text)
    sentences, at = [], 0
    for i, part in enumerate(text.split(". ")):
        start = text.index(part, at)
        sentences.append(Sentence(doc_id, i, part, start, start + len(part)))
        at = start + len(part)
    return Document(doc_id, text, DocumentMeta(outlet=outlet, title=f"{outlet} story"), tuple(sentences))


STORM = make_doc("Typhoon Khanun flooded the coast. Ferries were cancelled. Officials counted the damage")
TALKS = make_doc("Ministers resumed talks in Geneva. The okapi delegation walked out. Nobody signed", "Daily")


def test_pending_documents_are_invisible_until_complete(docs: DocStore):
    docs.add_pending("news", STORM, b"\x01\x02")
    assert docs.state("news", STORM.doc_id) == "pending" and docs.pending("news") == [STORM.doc_id]
    assert docs.get_document("news", STORM.doc_id) is None and docs.list_documents("news") == []
    assert docs.get_sentences("news", [(STORM.doc_id, 0)]) == {}
    assert docs.lexical_search("news", "Khanun", 5) == [] and docs.signatures("news") == []
    docs.mark_complete("news", [STORM.doc_id])
    assert docs.get_document("news", STORM.doc_id) == STORM
    assert docs.list_documents("news")[0]["sentence_count"] == 3
    assert docs.signatures("news") == [(STORM.doc_id, b"\x01\x02")]
    assert docs.lexical_search("news", "what did Khanun flood?", 5)[0][:2] == (STORM.doc_id, 0)
    assert docs.version("news")[0] == 1 and docs.collections() == ["news"]


def test_lexical_search_ranks_matches_stems_and_keeps_collections_apart(docs: DocStore):
    for doc in (STORM, TALKS):
        docs.add_pending("news", doc, None)
    docs.add_pending("other", make_doc("An okapi escaped from the zoo. Keepers found it"), None)
    docs.mark_complete("news", [STORM.doc_id, TALKS.doc_id])
    found = docs.lexical_search("news", "okapis walking", 10)
    assert [f[:2] for f in found] == [(TALKS.doc_id, 1)] and found[0][2] > 0  # stemmed, this collection only
    assert [f[:2] for f in docs.lexical_search("news", "cancelled ferries in Geneva", 10)] in (
        [(STORM.doc_id, 1), (TALKS.doc_id, 0)], [(TALKS.doc_id, 0), (STORM.doc_id, 1)])
    assert docs.lexical_search("news", "the of and", 10) == []  # stopwords only
    assert docs.lexical_search("news", 'okapi" OR * -- ; DROP TABLE sentences', 10)[0][:2] == (TALKS.doc_id, 1)
    total, frequency = docs.term_frequencies("news", ["okapi", "typhoon", "absent"])
    assert total >= 6 and frequency["typhoon"] == 1 and frequency["absent"] == 0 and frequency["okapi"] >= 1


def test_rewriting_a_document_is_idempotent_and_delete_removes_it_from_the_index(docs: DocStore):
    for _ in range(2):
        docs.add_pending("news", STORM, None)
        docs.mark_complete("news", [STORM.doc_id])
    assert len(docs.all_sentences("news")) == 3 and len(docs.lexical_search("news", "Khanun", 5)) == 1
    docs.record_duplicate("news", "copy.txt", "dup1", STORM.doc_id, 0.97)
    docs.record_duplicate("news", "copy2.txt", "dup1", STORM.doc_id, 0.98)
    assert docs.duplicate_of("news", "dup1") == STORM.doc_id and len(docs.duplicates("news")) == 1
    docs.mark_pending("news", [STORM.doc_id])
    assert docs.lexical_search("news", "Khanun", 5) == []
    docs.delete_document("news", STORM.doc_id)
    assert docs.state("news", STORM.doc_id) is None and docs.duplicates("news") == []
    assert docs.sentences_of("news", STORM.doc_id) == [] and docs.term_frequencies("news", ["khanun"])[1] == {
        "khanun": 0}


def test_reading_helpers_and_dropping_a_collection(docs: DocStore):
    docs.add_pending("news", TALKS, None)
    docs.mark_complete("news", [TALKS.doc_id])
    assert docs.metas("news", [TALKS.doc_id, "missing"]) == {TALKS.doc_id: TALKS.meta}
    assert docs.sentences_of("news", TALKS.doc_id) == list(TALKS.sentences)
    docs.ensure_collection("empty")
    assert docs.collections() == ["empty", "news"]
    docs.drop_collection("news")
    assert docs.collections() == ["empty"] and docs.lexical_search("news", "okapi", 5) == []
    assert docs.all_sentences("news") == [] and docs.version("news") == (0, 0.0)


def test_store_id_is_made_once(backend: Settings):
    first = open_docstore(backend).store_id()
    assert open_docstore(backend).store_id() == first and len(first) == 12


def test_chat_history_survives_reopening(backend: Settings):
    history = open_chat_history(backend)
    first = history.new_conversation("news")
    history.add_question(first, "What did   the storm do?")
    second = history.new_conversation("news")
    reopened: ChatHistory = open_chat_history(backend)
    assert [c.id for c in reopened.conversations()] == [second, first]
    assert reopened.conversation(first).title == "What did the storm do?"  # type: ignore[union-attr]
    assert [m.content for m in reopened.messages(first)] == ["What did   the storm do?"]
    reopened.delete_conversation(first)
    assert [c.id for c in history.conversations()] == [second]
    history.clear()
    assert history.conversations() == []


def test_one_writer_at_a_time_and_the_second_is_told(backend: Settings):
    def lock() -> WriterLock | AdvisoryWriterLock:
        if backend.database_url:
            return AdvisoryWriterLock(backend.database_url)
        return WriterLock(backend.data_dir / "writer.lock")

    held, release, messages, order = threading.Event(), threading.Event(), [], []

    def first() -> None:
        with lock().hold("first writer"):
            order.append("first")
            held.set()
            release.wait(30)

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(30)
    second = threading.Thread(target=lambda: _hold(lock(), messages, order))
    second.start()
    time.sleep(0.5)
    assert order == ["first"] and messages and "another writer is busy" in messages[0]
    release.set()
    thread.join(30)
    second.join(30)
    assert order == ["first", "second"]


def _hold(lock: WriterLock | AdvisoryWriterLock, messages: list[str], order: list[str]) -> None:
    with lock.hold("second writer", messages.append), lock.hold("re-entered"):
        order.append("second")

