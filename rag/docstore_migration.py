"""Copy one store into another (an embedded data folder to PostgreSQL + a Chroma server): vectors are copied,
never re-embedded, and a re-run copies only what the target does not hold complete yet.

Each batch of documents goes into the target as any ingest does, pending → vectors → complete under the
target's writer lock, so an interrupted migration leaves only pending rows, which the next run repairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rag.chat_history import ChatHistory
from rag.errors import StoreError
from rag.store import Store

_BATCH_DOCUMENTS = 64


@dataclass
class MigrationReport:
    collections: int = 0
    copied: int = 0  # documents written to the target by this run
    unchanged: int = 0  # documents the target already held complete
    sentences: int = 0
    duplicates: int = 0
    conversations: int = 0


def migrate(
    source: Store, target: Store, progress: Callable[[str], None] | None = None,
    source_chat: ChatHistory | None = None, target_chat: ChatHistory | None = None,
) -> MigrationReport:
    """Copy every collection of `source` (complete documents, duplicates records, vectors) and the chat history."""
    report = MigrationReport()
    with target.writing("migrate"):
        for collection in source.docs.collections():
            report.collections += 1
            target.docs.ensure_collection(collection)
            target.repair(collection)
            signatures = dict(source.docs.signatures(collection))
            todo = []
            for row in source.docs.list_documents(collection):
                if target.docs.state(collection, row["doc_id"]) == "complete":
                    report.unchanged += 1
                else:
                    todo.append(row["doc_id"])
            for start in range(0, len(todo), _BATCH_DOCUMENTS):
                _copy_batch(source, target, collection, todo[start : start + _BATCH_DOCUMENTS], signatures, report)
                if progress:
                    progress(f"{collection}: {min(start + _BATCH_DOCUMENTS, len(todo))}/{len(todo)} documents")
            for dup in source.docs.duplicates(collection):
                target.docs.record_duplicate(
                    collection, dup["source"], dup["doc_id"], dup["duplicate_of"], dup["similarity"]
                )
                report.duplicates += 1
    if source_chat is not None and target_chat is not None:
        report.conversations = source_chat.copy_to(target_chat)
    return report


def _copy_batch(
    source: Store, target: Store, collection: str, doc_ids: list[str], signatures: dict[str, bytes],
    report: MigrationReport,
) -> None:
    docs = [d for d in (source.docs.get_document(collection, doc_id) for doc_id in doc_ids) if d is not None]
    sentences = [s for d in docs for s in d.sentences]
    vectors, outlets = _stored_vectors(source, collection, [s.sentence_id for s in sentences])
    for doc in docs:
        target.docs.add_pending(collection, doc, signatures.get(doc.doc_id))
    if sentences:
        target.vectors.upsert(
            collection, sentences, np.stack([vectors[s.sentence_id] for s in sentences]),
            [outlets[s.sentence_id] for s in sentences],
        )
    target.docs.mark_complete(collection, [d.doc_id for d in docs])
    report.copied += len(docs)
    report.sentences += len(sentences)


def _stored_vectors(
    source: Store, collection: str, ids: list[str]
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    vectors: dict[str, np.ndarray] = {}
    outlets: dict[str, str] = {}
    chroma = source.vectors.collection(collection)
    for start in range(0, len(ids), source.vectors.max_batch):
        got = chroma.get(ids=ids[start : start + source.vectors.max_batch], include=["embeddings", "metadatas"])
        for sid, emb, meta in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True):
            vectors[sid] = np.asarray(emb, dtype=np.float32)
            outlets[sid] = str(meta.get("outlet", ""))
    missing = [i for i in ids if i not in vectors]
    if missing:
        raise StoreError(
            f"the source store lacks {len(missing)} vectors of collection {collection!r} (first: {missing[0]}); "
            "run `crossread ingest` on the source first to repair it"
        )
    return vectors, outlets
