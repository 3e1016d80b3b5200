"""SQLite store of full article text, metadata and the sentence table.

It is the source of truth: any citation (doc_id, sentence index) resolves here without the vector
store. A document is written as `pending`, its vectors are added, then it is marked `complete` in one
transaction; readers only ever see complete documents, and pending ones are rolled back by the next writer
(`Store.repair`, under the writer lock). Retrieval windows are built from the sentence table when needed,
so no chunk table is kept (the one that used to be written was never read).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from rag.sqlite import PerThreadConnection
from rag.sqlite import transaction as write_transaction
from rag.types import Document, DocumentMeta, Sentence

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'complete')),
    outlet TEXT, title TEXT, byline TEXT, date TEXT, url TEXT, path TEXT,
    text TEXT NOT NULL,
    signature BLOB,
    added_at REAL NOT NULL,
    PRIMARY KEY (collection, doc_id)
);
CREATE TABLE IF NOT EXISTS sentences (
    collection TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (collection, doc_id, idx)
);
DROP TABLE IF EXISTS chunks;
CREATE TABLE IF NOT EXISTS duplicates (
    collection TEXT NOT NULL,
    source TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    duplicate_of TEXT NOT NULL,
    similarity REAL NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (collection, doc_id)
);
CREATE TABLE IF NOT EXISTS collections (
    name TEXT PRIMARY KEY,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS store_info (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_META_COLUMNS = ("outlet", "title", "byline", "date", "url", "path")


class DocStore:
    """Documents and sentences of every collection in one SQLite file."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._connection = PerThreadConnection(path, "synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    @property
    def db(self) -> sqlite3.Connection:
        return self._connection.get()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self.db)

    # --- collections -------------------------------------------------------------------------
    def ensure_collection(self, name: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO collections VALUES (?, ?)", (name, time.time()))

    def collections(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM collections ORDER BY name")]

    def drop_collection(self, name: str) -> None:
        with self.transaction() as db:
            for table in ("documents", "sentences", "duplicates"):
                db.execute(f"DELETE FROM {table} WHERE collection = ?", (name,))
            db.execute("DELETE FROM collections WHERE name = ?", (name,))

    # --- writing -----------------------------------------------------------------------------
    def store_id(self) -> str:
        """A random id made when this store was created: its namespace on a shared Chroma server."""
        import uuid

        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO store_info VALUES ('store_id', ?)", (uuid.uuid4().hex[:12],))
            row = db.execute("SELECT value FROM store_info WHERE key = 'store_id'").fetchone()
        return str(row[0])

    def add_pending(self, collection: str, doc: Document, signature: bytes | None) -> None:
        """Write a document and its sentences, marked pending until its vectors are stored."""
        m = doc.meta
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO collections VALUES (?, ?)", (collection, time.time()))
            db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (collection, doc.doc_id, m.outlet, m.title, m.byline, m.date, m.url, m.path, doc.text,
                 signature, time.time()),
            )
            db.execute("DELETE FROM sentences WHERE collection = ? AND doc_id = ?", (collection, doc.doc_id))
            db.executemany(
                "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?)",
                [(collection, s.doc_id, s.index, s.start, s.end, s.text) for s in doc.sentences],
            )

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
            "SELECT doc_id FROM documents WHERE collection = ? AND state = 'pending'", (collection,)
        )
        return [r[0] for r in rows]

    def delete_document(self, collection: str, doc_id: str) -> None:
        with self.transaction() as db:
            for table in ("documents", "sentences", "duplicates"):
                db.execute(f"DELETE FROM {table} WHERE collection = ? AND doc_id = ?", (collection, doc_id))
            db.execute(
                "DELETE FROM duplicates WHERE collection = ? AND duplicate_of = ?", (collection, doc_id)
            )

    def record_duplicate(
        self, collection: str, source: str, doc_id: str, duplicate_of: str, similarity: float
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO duplicates VALUES (?, ?, ?, ?, ?, ?)",
            (collection, source, doc_id, duplicate_of, similarity, time.time()),
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
            "SELECT source, doc_id, duplicate_of, similarity FROM duplicates WHERE collection = ?",
            (collection,),
        )
        return [dict(r) for r in rows]

    def signatures(self, collection: str) -> list[tuple[str, bytes]]:
        rows = self.db.execute(
            "SELECT doc_id, signature FROM documents WHERE collection = ? AND state = 'complete' "
            "AND signature IS NOT NULL",
            (collection,),
        )
        return [(r[0], r[1]) for r in rows]

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
            "SELECT * FROM documents WHERE collection = ? AND doc_id = ? AND state = 'complete'",
            (collection, doc_id),
        ).fetchone()
        if row is None:
            return None
        meta = DocumentMeta(**{k: row[k] for k in _META_COLUMNS})
        sentences = tuple(self.sentences_of(collection, doc_id))
        return Document(doc_id=doc_id, text=row["text"], meta=meta, sentences=sentences)

    def metas(self, collection: str, doc_ids: Iterable[str]) -> dict[str, DocumentMeta]:
        ids = list(set(doc_ids))
        out: dict[str, DocumentMeta] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            rows = self.db.execute(
                f"SELECT doc_id, {', '.join(_META_COLUMNS)} FROM documents WHERE collection = ? "
                f"AND state = 'complete' AND doc_id IN ({','.join('?' * len(part))})",
                (collection, *part),
            )
            out.update({r["doc_id"]: DocumentMeta(**{k: r[k] for k in _META_COLUMNS}) for r in rows})
        return out

    def sentences_of(self, collection: str, doc_id: str) -> list[Sentence]:
        rows = self.db.execute(
            "SELECT doc_id, idx, text, start, end FROM sentences WHERE collection = ? AND doc_id = ? "
            "ORDER BY idx",
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
                "SELECT s.doc_id, s.idx, s.text, s.start, s.end FROM sentences s JOIN documents d "
                "ON d.collection = s.collection AND d.doc_id = s.doc_id "
                "WHERE s.collection = ? AND s.doc_id = ? AND s.idx = ? AND d.state = 'complete'",
                (collection, doc_id, index),
            ).fetchone()
            if row:
                out[(doc_id, index)] = Sentence(row[0], row[1], row[2], row[3], row[4])
        return out

    def neighbours(self, collection: str, doc_id: str, index: int, window: int = 1) -> list[Sentence]:
        """The sentence and up to `window` sentences either side of it, in order."""
        rows = self.db.execute(
            "SELECT doc_id, idx, text, start, end FROM sentences WHERE collection = ? AND doc_id = ? "
            "AND idx BETWEEN ? AND ? ORDER BY idx",
            (collection, doc_id, index - window, index + window),
        )
        return [Sentence(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def all_sentences(self, collection: str) -> list[Sentence]:
        """Every sentence of every complete document, for lexical indexing."""
        rows = self.db.execute(
            "SELECT s.doc_id, s.idx, s.text, s.start, s.end FROM sentences s JOIN documents d "
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
