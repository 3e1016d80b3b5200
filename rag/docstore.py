"""The document store: full article text, metadata, the sentence table and its lexical index.

It is the source of truth: any citation (doc_id, sentence index) resolves here without the vector
store. A document is written as `pending`, its vectors are added, then it is marked `complete` in one
transaction; readers only ever see complete documents, and pending ones are rolled back by the next writer
(`Store.repair`, under the writer lock). Retrieval windows are built from the sentence table when needed.

Two backends share the SQL below: SQLite in the data folder (`rag.docstore_sqlite`, the default) and
PostgreSQL for several machines (`rag.docstore_postgres`). Each keeps a lexical index of the sentences, written
in the same transaction as the sentence rows, and searches only sentences of complete documents.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

from rag.terms import STOPWORDS, stem, tokens
from rag.types import Document, DocumentMeta, Sentence

if TYPE_CHECKING:
    from rag.settings import Settings

META_COLUMNS = ("outlet", "title", "byline", "date", "url", "path")
SENTENCE_COLUMNS = 's.doc_id, s.idx, s.text, s.start, s."end"'


def lexical_tokens(text: str) -> list[str]:
    """Lexical-index terms: stemmed words without stopwords (apostrophes dropped, so every term is [a-z0-9]+)."""
    return [stem(t).replace("'", "") for t in tokens(text) if t not in STOPWORDS]


def selective_terms(frequency: dict[str, int], budget: int) -> list[str]:
    """The terms that bring in lexical-search candidates: rarest first, while together they match at most
    `budget` sentences (always at least the rarest). The commonest terms of a long question (low IDF, matching
    a large share of the collection) would multiply the rows to rank while barely moving the ranking."""
    chosen: list[str] = []
    total = 0
    for term in sorted((t for t in frequency if frequency[t] > 0), key=lambda t: (frequency[t], t)):
        if chosen and total + frequency[term] > budget:
            break
        chosen.append(term)
        total += frequency[term]
    return chosen


class Connection(Protocol):
    """What both backends' connections offer: sqlite3's execute/executemany with `?` placeholders."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> Any: ...


class DocStore:
    """Documents and sentences of every collection; subclasses supply the connection and the dialect."""

    # Dialect: statements that differ between SQLite and PostgreSQL.
    insert_collection_sql = ""
    upsert_document_sql = ""
    upsert_duplicate_sql = ""
    insert_store_id_sql = ""

    @property
    def db(self) -> Connection:
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def insert_sentences(self, db: Connection, collection: str, sentences: Sequence[Sentence]) -> None:
        """Write sentence rows and their lexical-index entries (inside the caller's transaction)."""
        raise NotImplementedError

    def delete_sentences(self, db: Connection, collection: str, doc_id: str | None) -> None:
        """Remove a document's (all of the collection's when None) sentence rows and index entries."""
        raise NotImplementedError

    def lexical_search(
        self, collection: str, query: str, k: int, budget: int = 5000
    ) -> list[tuple[str, int, float]]:
        """(doc_id, index, score) of the k best lexical matches among sentences of complete documents, ranked by
        BM25; candidates are the sentences holding the `selective_terms` within `budget`."""
        raise NotImplementedError

    def term_frequencies(self, collection: str, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(number of indexed sentences, {term: sentences containing it}) for lexical-index terms."""
        raise NotImplementedError

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""

    # --- collections -------------------------------------------------------------------------
    def ensure_collection(self, name: str) -> None:
        self.db.execute(self.insert_collection_sql, (name, time.time()))

    def collections(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM collections ORDER BY name")]

    def drop_collection(self, name: str) -> None:
        with self.transaction() as db:
            self.delete_sentences(db, name, None)
            for table in ("documents", "duplicates"):
                db.execute(f"DELETE FROM {table} WHERE collection = ?", (name,))
            db.execute("DELETE FROM collections WHERE name = ?", (name,))

    # --- writing -----------------------------------------------------------------------------
    def store_id(self) -> str:
        """A random id made when this store was created: its namespace on a shared Chroma server."""
        with self.transaction() as db:
            db.execute(self.insert_store_id_sql, (uuid.uuid4().hex[:12],))
            row = db.execute("SELECT value FROM store_info WHERE key = 'store_id'").fetchone()
        return str(row[0])

    def add_pending(self, collection: str, doc: Document, signature: bytes | None) -> None:
        """Write a document and its sentences, marked pending until its vectors are stored."""
        self.add_pending_many(collection, [(doc, signature)])

    def add_pending_many(self, collection: str, docs: Sequence[tuple[Document, bytes | None]]) -> None:
        """Write (document, signature) pairs and their sentences, marked pending, in one transaction (ingest
        writes a slice's documents at once: one commit per document cost several percent of ingest)."""
        if not docs:
            return
        with self.transaction() as db:
            db.execute(self.insert_collection_sql, (collection, time.time()))
            for doc, signature in docs:
                m = doc.meta
                db.execute(
                    self.upsert_document_sql,
                    (collection, doc.doc_id, m.outlet, m.title, m.byline, m.date, m.url, m.path, doc.text,
                     signature, time.time()),
                )
                self.delete_sentences(db, collection, doc.doc_id)
                self.insert_sentences(db, collection, doc.sentences)

    def mark_complete(self, collection: str, doc_ids: Iterable[str]) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE documents SET state = 'complete' WHERE collection = ? AND doc_id = ?",
                [(collection, d) for d in doc_ids],
            )

    def mark_pending(self, collection: str, doc_ids: Iterable[str] | None) -> None:
        """Mark documents (all of the collection's when None) pending before their vectors are removed."""
        with self.transaction() as db:
            if doc_ids is None:
                db.execute("UPDATE documents SET state = 'pending' WHERE collection = ?", (collection,))
            else:
                db.executemany(
                    "UPDATE documents SET state = 'pending' WHERE collection = ? AND doc_id = ?",
                    [(collection, d) for d in doc_ids],
                )

    def pending(self, collection: str) -> list[str]:
        rows = self.db.execute(
            "SELECT doc_id FROM documents WHERE collection = ? AND state = 'pending' ORDER BY doc_id", (collection,)
        )
        return [r[0] for r in rows]

    def delete_document(self, collection: str, doc_id: str) -> None:
        with self.transaction() as db:
            self.delete_sentences(db, collection, doc_id)
            for table in ("documents", "duplicates"):
                db.execute(f"DELETE FROM {table} WHERE collection = ? AND doc_id = ?", (collection, doc_id))
            db.execute(
                "DELETE FROM duplicates WHERE collection = ? AND duplicate_of = ?", (collection, doc_id)
            )

    def record_duplicate(
        self, collection: str, source: str, doc_id: str, duplicate_of: str, similarity: float
    ) -> None:
        self.db.execute(
            self.upsert_duplicate_sql, (collection, source, doc_id, duplicate_of, similarity, time.time())
        )

    # --- reading -----------------------------------------------------------------------------
    def state(self, collection: str, doc_id: str) -> str | None:
        row = self.db.execute(
            "SELECT state FROM documents WHERE collection = ? AND doc_id = ?", (collection, doc_id)
        ).fetchone()
        return row[0] if row else None

    def duplicate_of(self, collection: str, doc_id: str) -> str | None:
        row = self.db.execute(
            "SELECT duplicate_of FROM duplicates WHERE collection = ? AND doc_id = ?", (collection, doc_id)
        ).fetchone()
        return row[0] if row else None

    def duplicates(self, collection: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT source, doc_id, duplicate_of, similarity FROM duplicates WHERE collection = ? "
            "ORDER BY seen_at, doc_id",
            (collection,),
        )
        return [dict(r) for r in rows]

    def signatures(self, collection: str) -> list[tuple[str, bytes]]:
        rows = self.db.execute(
            "SELECT doc_id, signature FROM documents WHERE collection = ? AND state = 'complete' "
            "AND signature IS NOT NULL ORDER BY added_at, doc_id",
            (collection,),
        )
        return [(r[0], bytes(r[1])) for r in rows]

    def list_documents(self, collection: str) -> list[dict[str, Any]]:
        """Complete documents with metadata and sentence counts, oldest first."""
        rows = self.db.execute(
            "SELECT d.doc_id, d.outlet, d.title, d.byline, d.date, d.url, d.path, "
            "(SELECT COUNT(*) FROM sentences s WHERE s.collection = d.collection AND s.doc_id = d.doc_id) "
            "AS sentence_count FROM documents d WHERE d.collection = ? AND d.state = 'complete' "
            "ORDER BY d.added_at, d.doc_id",
            (collection,),
        )
        return [dict(r) for r in rows]

    def get_document(self, collection: str, doc_id: str) -> Document | None:
        row = self.db.execute(
            f"SELECT text, {', '.join(META_COLUMNS)} FROM documents "
            "WHERE collection = ? AND doc_id = ? AND state = 'complete'",
            (collection, doc_id),
        ).fetchone()
        if row is None:
            return None
        meta = DocumentMeta(**{k: row[k] for k in META_COLUMNS})
        sentences = tuple(self.sentences_of(collection, doc_id))
        return Document(doc_id=doc_id, text=row["text"], meta=meta, sentences=sentences)

    def metas(self, collection: str, doc_ids: Iterable[str]) -> dict[str, DocumentMeta]:
        ids = list(set(doc_ids))
        out: dict[str, DocumentMeta] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            rows = self.db.execute(
                f"SELECT doc_id, {', '.join(META_COLUMNS)} FROM documents WHERE collection = ? "
                f"AND state = 'complete' AND doc_id IN ({','.join('?' * len(part))})",
                (collection, *part),
            )
            out.update({r["doc_id"]: DocumentMeta(**{k: r[k] for k in META_COLUMNS}) for r in rows})
        return out

    def sentences_of(self, collection: str, doc_id: str) -> list[Sentence]:
        rows = self.db.execute(
            f"SELECT {SENTENCE_COLUMNS} FROM sentences s WHERE s.collection = ? AND s.doc_id = ? ORDER BY s.idx",
            (collection, doc_id),
        )
        return [Sentence(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def get_sentences(
        self, collection: str, refs: Sequence[tuple[str, int]]
    ) -> dict[tuple[str, int], Sentence]:
        """Look up sentences of complete documents by (doc_id, index)."""
        out: dict[tuple[str, int], Sentence] = {}
        for doc_id, index in refs:
            row = self.db.execute(
                f"SELECT {SENTENCE_COLUMNS} FROM sentences s JOIN documents d "
                "ON d.collection = s.collection AND d.doc_id = s.doc_id "
                "WHERE s.collection = ? AND s.doc_id = ? AND s.idx = ? AND d.state = 'complete'",
                (collection, doc_id, index),
            ).fetchone()
            if row:
                out[(doc_id, index)] = Sentence(row[0], row[1], row[2], row[3], row[4])
        return out

    def all_sentences(self, collection: str) -> list[Sentence]:
        """Every sentence of every complete document, oldest document first."""
        rows = self.db.execute(
            f"SELECT {SENTENCE_COLUMNS} FROM sentences s JOIN documents d "
            "ON d.collection = s.collection AND d.doc_id = s.doc_id "
            "WHERE s.collection = ? AND d.state = 'complete' ORDER BY d.added_at, s.doc_id, s.idx",
            (collection,),
        )
        return [Sentence(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def version(self, collection: str) -> tuple[int, float]:
        """Changes whenever the collection's complete documents change (for cache invalidation)."""
        row = self.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(added_at), 0) FROM documents "
            "WHERE collection = ? AND state = 'complete'",
            (collection,),
        ).fetchone()
        return int(row[0]), float(row[1])


def open_docstore(settings: Settings) -> DocStore:
    """PostgreSQL when `database_url` is set, else SQLite in the data folder."""
    if settings.database_url:
        from rag.docstore_postgres import PostgresDocStore

        return PostgresDocStore(settings.database_url)
    from rag.docstore_sqlite import SQLiteDocStore

    return SQLiteDocStore(settings.data_dir / "crossread.sqlite")
