"""The Crossread store: a document store (text, metadata, sentences, lexical index) + Chroma (vectors) + the embedder.

Embedded (the default): SQLite and a persistent Chroma in the data folder. On servers: PostgreSQL
(`database_url`) and a Chroma server (`chroma_url`), shared by every machine that points at them.

Every write that can be interrupted goes through the data folder's writer lock (`rag.writelock`) and the
order pending → vectors → complete (ingest) or pending → vectors gone → rows gone (delete, drop), so a
crash at any point leaves only pending rows, which the next writer rolls back: no lost documents, no
duplicates, no orphan vectors.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cached_property

from rag.docstore import DocStore, open_docstore
from rag.embeddings import SentenceEmbeddings
from rag.errors import DocumentNotFound
from rag.settings import Settings, get_settings
from rag.types import Document
from rag.vectorstore import VectorIndex, check_collection_name, make_client
from rag.writelock import AdvisoryWriterLock, Waiting, WriterLock


@dataclass
class Store:
    """Everything needed to ingest into and read from one data folder."""

    settings: Settings
    docs: DocStore
    embeddings: SentenceEmbeddings

    @cached_property
    def writer(self) -> WriterLock | AdvisoryWriterLock:
        """The data folder's file lock, or on PostgreSQL a lock every machine sharing the database sees."""
        if self.settings.database_url:
            return AdvisoryWriterLock(self.settings.database_url)
        return WriterLock(self.settings.data_dir / "writer.lock")

    @cached_property
    def namespace(self) -> str:
        """Prefix of this store's Chroma collections: the data folder already separates embedded stores;
        on a shared server each store (data folder or database) gets its own id so two deployments never mix."""
        return f"crossread-{self.docs.store_id()}-" if self.settings.chroma_url else "crossread-"

    @cached_property
    def vectors(self) -> VectorIndex:
        return VectorIndex(make_client(self.settings.data_dir, self.settings.chroma_url), self.namespace)

    def collection_name(self, collection: str | None) -> str:
        """The checked name; None means the configured default (an empty name is an error, not the default)."""
        return check_collection_name(self.settings.collection if collection is None else collection)

    def writing(self, what: str = "ingest", waiting: Waiting | None = None) -> AbstractContextManager[None]:
        """Hold the data folder's writer lock (see `rag.writelock`)."""
        return self.writer.hold(what, waiting)

    def repair(self, collection: str) -> list[str]:
        """Roll back documents a crashed writer left pending: their vectors, then their rows.

        Safe only under the writer lock (taken here): then no live writer owns a pending row.
        """
        with self.writing("repair"):
            pending = self.docs.pending(collection)
            if pending:
                self.vectors.delete_documents(collection, pending)
                for doc_id in pending:
                    self.docs.delete_document(collection, doc_id)
            return pending

    def document(self, collection: str, doc_id: str) -> Document:
        doc = self.docs.get_document(collection, doc_id)
        if doc is None:
            listed = self.docs.list_documents(collection)
            matches = [d["doc_id"] for d in listed if d["doc_id"].startswith(doc_id)]
            if len(matches) == 1:
                doc = self.docs.get_document(collection, matches[0])
        if doc is None:
            raise DocumentNotFound(
                f"no document {doc_id!r} in collection {collection!r} (see `crossread sources`)"
            )
        return doc

    def delete_document(self, collection: str, doc_id: str) -> None:
        """Remove a document with its vectors and sentences."""
        doc = self.document(collection, doc_id)
        with self.writing("delete"):
            self.docs.mark_pending(collection, [doc.doc_id])  # a crash from here on is repaired, not orphaned
            self.vectors.delete_documents(collection, [doc.doc_id])
            self.docs.delete_document(collection, doc.doc_id)

    def drop_collection(self, collection: str) -> None:
        with self.writing("drop collection"):
            self.docs.mark_pending(collection, None)
            self.vectors.drop(collection)
            self.docs.drop_collection(collection)


def open_store(settings: Settings | dict | None = None) -> Store:
    s = get_settings(settings)
    s.data_dir.mkdir(parents=True, exist_ok=True)
    return Store(
        settings=s,
        docs=open_docstore(s),
        embeddings=SentenceEmbeddings(s.embedding_model, s.ingest.embed_batch_size),
    )
