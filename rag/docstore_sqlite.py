"""The embedded document store: one SQLite file in the data folder, lexical search by FTS5's bm25().

The lexical index is an FTS5 table whose rowid is the sentence row's rowid and whose text is the sentence's
`lexical_tokens` (so stemming and stopwords are ours, the same on both backends); it is written and deleted
in the same transaction as the sentence rows. Searching joins the document's state, so sentences of pending
documents are never found. A data folder from before the index is indexed once when it is opened.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from rag.docstore import DocStore, lexical_tokens, selective_terms
from rag.sqlite import PerThreadConnection
from rag.sqlite import transaction as write_transaction
from rag.types import Sentence

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
# Terms are already [a-z0-9]+ (see `lexical_tokens`); unicode61 only splits them on spaces.
LEXICAL_SCHEMA = """
CREATE VIRTUAL TABLE sentence_terms USING fts5(terms, tokenize = 'unicode61');
CREATE VIRTUAL TABLE sentence_terms_vocab USING fts5vocab(sentence_terms, 'row');
"""


def fts_query(terms: Sequence[str]) -> str:
    """An FTS5 query matching any of the terms (each quoted, so no term is read as an operator)."""
    return " OR ".join(f'"{t}"' for t in dict.fromkeys(terms))


class SQLiteDocStore(DocStore):
    """Documents and sentences of every collection in one SQLite file."""

    insert_collection_sql = "INSERT OR IGNORE INTO collections VALUES (?, ?)"
    upsert_document_sql = "INSERT OR REPLACE INTO documents VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    upsert_duplicate_sql = "INSERT OR REPLACE INTO duplicates VALUES (?, ?, ?, ?, ?, ?)"
    insert_store_id_sql = "INSERT OR IGNORE INTO store_info VALUES ('store_id', ?)"

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._connection = PerThreadConnection(path, "synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._ensure_lexical_index()

    @property
    def db(self) -> sqlite3.Connection:
        return self._connection.get()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self.db)

    def close(self) -> None:
        self._connection.get().close()
        self._connection = PerThreadConnection(self.path, "synchronous=NORMAL")

    def _ensure_lexical_index(self) -> None:
        """Create and fill the FTS5 index of a data folder written before it existed (once, in one transaction)."""
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sentence_terms'").fetchone():
                return
            for statement in LEXICAL_SCHEMA.strip().split(";\n"):
                if statement.strip():
                    db.execute(statement)
            rows = db.execute("SELECT rowid, text FROM sentences").fetchall()
            db.executemany(
                "INSERT INTO sentence_terms (rowid, terms) VALUES (?, ?)",
                [(r[0], " ".join(lexical_tokens(r[1]))) for r in rows],
            )

    def insert_sentences(self, db: Any, collection: str, sentences: Sequence[Sentence]) -> None:
        for s in sentences:
            cursor = db.execute(
                "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?)",
                (collection, s.doc_id, s.index, s.start, s.end, s.text),
            )
            db.execute(
                "INSERT INTO sentence_terms (rowid, terms) VALUES (?, ?)",
                (cursor.lastrowid, " ".join(lexical_tokens(s.text))),
            )

    def delete_sentences(self, db: Any, collection: str, doc_id: str | None) -> None:
        where = "collection = ?" + (" AND doc_id = ?" if doc_id is not None else "")
        params = (collection,) if doc_id is None else (collection, doc_id)
        db.execute(f"DELETE FROM sentence_terms WHERE rowid IN (SELECT rowid FROM sentences WHERE {where})", params)
        db.execute(f"DELETE FROM sentences WHERE {where}", params)

    def lexical_search(
        self, collection: str, query: str, k: int, budget: int = 5000
    ) -> list[tuple[str, int, float]]:
        terms = lexical_tokens(query)
        if not terms or k <= 0:
            return []
        frequency = self._vocabulary(terms)
        matching = selective_terms(frequency, budget)
        if not matching:
            return []
        # Rank in the index first, then keep this collection's complete documents: the join runs on the best
        # rows only. Too few left (other collections, pending documents)? Rank deeper.
        depth = 4 * k
        while True:
            rows = self.db.execute(
                "SELECT s.doc_id, s.idx, -f.score FROM (SELECT rowid, bm25(sentence_terms) AS score "
                "FROM sentence_terms WHERE sentence_terms MATCH ? ORDER BY score LIMIT ?) f "
                "JOIN sentences s ON s.rowid = f.rowid "
                "JOIN documents d ON d.collection = s.collection AND d.doc_id = s.doc_id "
                "WHERE s.collection = ? AND d.state = 'complete' ORDER BY f.score LIMIT ?",
                (fts_query(matching), depth, collection, k),
            ).fetchall()
            if len(rows) == k or depth >= sum(frequency.values()):
                return [(r[0], r[1], float(r[2])) for r in rows if r[2] > 0]
            depth *= 4

    def _vocabulary(self, terms: Sequence[str]) -> dict[str, int]:
        """{term: sentences holding it} over the whole file, one index lookup a term."""
        unique = list(dict.fromkeys(terms))
        found: dict[str, int] = {}
        for i in range(0, len(unique), 500):
            part = unique[i : i + 500]
            rows = self.db.execute(
                f"SELECT term, doc FROM sentence_terms_vocab WHERE term IN ({','.join('?' * len(part))})", part
            )
            found.update({r[0]: int(r[1]) for r in rows})
        return {t: found.get(t, 0) for t in unique}

    def term_frequencies(self, collection: str, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """Counted over the whole file (all collections, as FTS5's own bm25 IDF is)."""
        total = int(self.db.execute("SELECT COUNT(*) FROM sentences").fetchone()[0])
        return total, self._vocabulary(terms)
