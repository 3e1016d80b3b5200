"""The server document store: PostgreSQL (psycopg 3), shared by every machine that points at it.

The SQL is `rag.docstore`'s, run through a thin connection that takes sqlite3's `?` placeholders and returns
rows readable by position and by name. The lexical index is a `tsvector` column of the sentence table built
from the same `lexical_tokens` as on SQLite (the 'simple' configuration, so no second stemmer runs), with a GIN
index, written in the same transaction as the sentence row together with per-collection term statistics
(`lexical_terms`), from which lexical search ranks by BM25 much as FTS5 does. (`ts_rank_cd` was measured first: it
has no IDF, and found one or two fewer leads in 120 on the dev set; see the README's deployment section.)
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rag.docstore import DocStore, lexical_tokens, selective_terms
from rag.errors import StoreError
from rag.types import Sentence

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection text NOT NULL,
    doc_id text NOT NULL,
    state text NOT NULL CHECK (state IN ('pending', 'complete')),
    outlet text, title text, byline text, date text, url text, path text,
    text text NOT NULL,
    signature bytea,
    added_at double precision NOT NULL,
    PRIMARY KEY (collection, doc_id)
);
CREATE TABLE IF NOT EXISTS sentences (
    collection text NOT NULL,
    doc_id text NOT NULL,
    idx integer NOT NULL,
    start integer NOT NULL,
    "end" integer NOT NULL,
    text text NOT NULL,
    terms tsvector NOT NULL,
    PRIMARY KEY (collection, doc_id, idx)
);
CREATE INDEX IF NOT EXISTS sentences_terms ON sentences USING gin (terms);
CREATE TABLE IF NOT EXISTS lexical_terms (
    collection text NOT NULL,
    term text NOT NULL,
    sentences bigint NOT NULL,
    PRIMARY KEY (collection, term)
);
CREATE TABLE IF NOT EXISTS duplicates (
    collection text NOT NULL,
    source text NOT NULL,
    doc_id text NOT NULL,
    duplicate_of text NOT NULL,
    similarity double precision NOT NULL,
    seen_at double precision NOT NULL,
    PRIMARY KEY (collection, doc_id)
);
CREATE TABLE IF NOT EXISTS collections (
    name text PRIMARY KEY,
    created_at double precision NOT NULL
);
CREATE TABLE IF NOT EXISTS store_info (
    key text PRIMARY KEY,
    value text NOT NULL
);
"""
# Rows of `lexical_terms` that hold a collection's sentence and token counts (no lexical term has a space).
_SENTENCES, _TOKENS = " sentences", " tokens"
# Held while creating tables, so two processes opening a new database at once do not race on its catalog.
_SCHEMA_LOCK = 0x63726F7373736300


class Row(tuple):
    """A result row readable like sqlite3.Row: by position, by column name, and as a dict."""

    names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self) -> tuple[str, ...]:
        return self.names


def _rows(cursor: Any) -> Any:
    names = tuple(c.name for c in cursor.description or ())

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row.names = names
        return row

    return make


class PostgresConnection:
    """A psycopg connection in autocommit mode that speaks sqlite3's `?` placeholders."""

    def __init__(self, conn: Any):
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql.replace("?", "%s"), tuple(params))

    def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        rows = [tuple(p) for p in params]
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(sql.replace("?", "%s"), rows)

    def executescript(self, script: str) -> None:
        self.conn.execute(script)

    @contextmanager
    def transaction(self) -> Iterator[PostgresConnection]:
        with self.conn.transaction():
            yield self

    def close(self) -> None:
        self.conn.close()


def connect(url: str, application_name: str = "crossread") -> PostgresConnection:
    """A connection to `url`, or a StoreError saying what to fix."""
    try:
        import psycopg
    except ImportError as exc:
        raise StoreError(
            "database_url is set but psycopg is not installed: pip install 'crossread[postgres]'"
        ) from exc
    try:
        conn = psycopg.connect(url, autocommit=True, row_factory=_rows, application_name=application_name)
    except psycopg.Error as exc:
        shown = url.split("@")[-1]  # never print a password
        raise StoreError(f"PostgreSQL at {shown} is unreachable: {str(exc).strip().splitlines()[0]}") from exc
    return PostgresConnection(conn)


class PerThreadPostgres:
    """One connection per thread to one database, opened on first use (as `rag.sqlite.PerThreadConnection`)."""

    def __init__(self, url: str):
        self.url = url
        self._local = threading.local()

    def get(self) -> PostgresConnection:
        conn: PostgresConnection | None = getattr(self._local, "conn", None)
        if conn is None or conn.conn.closed:
            conn = connect(self.url)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn: PostgresConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def create_schema(self, schema: str) -> None:
        """Run CREATE ... IF NOT EXISTS statements, one process at a time (concurrent DDL races on the catalog)."""
        with self.get().transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
            db.executescript(schema)


class PostgresDocStore(DocStore):
    """Documents and sentences of every collection in one PostgreSQL database."""

    insert_collection_sql = "INSERT INTO collections VALUES (?, ?) ON CONFLICT DO NOTHING"
    upsert_document_sql = (
        "INSERT INTO documents VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (collection, doc_id) DO UPDATE SET state = 'pending', outlet = EXCLUDED.outlet, "
        "title = EXCLUDED.title, byline = EXCLUDED.byline, date = EXCLUDED.date, url = EXCLUDED.url, "
        "path = EXCLUDED.path, text = EXCLUDED.text, signature = EXCLUDED.signature, added_at = EXCLUDED.added_at"
    )
    upsert_duplicate_sql = (
        "INSERT INTO duplicates VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (collection, doc_id) DO UPDATE SET "
        "source = EXCLUDED.source, duplicate_of = EXCLUDED.duplicate_of, similarity = EXCLUDED.similarity, "
        "seen_at = EXCLUDED.seen_at"
    )
    insert_store_id_sql = "INSERT INTO store_info VALUES ('store_id', ?) ON CONFLICT DO NOTHING"

    def __init__(self, url: str):
        self.url = url
        self._connection = PerThreadPostgres(url)
        self._connection.create_schema(SCHEMA)

    @property
    def db(self) -> PostgresConnection:
        return self._connection.get()

    def transaction(self) -> Any:
        return self.db.transaction()

    def close(self) -> None:
        self._connection.close()

    def insert_sentences(self, db: Any, collection: str, sentences: Sequence[Sentence]) -> None:
        db.executemany(
            "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, to_tsvector('simple', ?))",
            [(collection, s.doc_id, s.index, s.start, s.end, s.text, " ".join(lexical_tokens(s.text)))
             for s in sentences],
        )
        for doc_id in dict.fromkeys(s.doc_id for s in sentences):
            self._count_terms(db, collection, doc_id, +1)

    def delete_sentences(self, db: Any, collection: str, doc_id: str | None) -> None:
        if doc_id is None:
            db.execute("DELETE FROM lexical_terms WHERE collection = ?", (collection,))
            db.execute("DELETE FROM sentences WHERE collection = ?", (collection,))
        else:
            self._count_terms(db, collection, doc_id, -1)
            db.execute("DELETE FROM sentences WHERE collection = ? AND doc_id = ?", (collection, doc_id))

    def _count_terms(self, db: Any, collection: str, doc_id: str, sign: int) -> None:
        """Add (sign +1) or remove (-1) a document's sentences in the per-collection term statistics."""
        db.execute(
            "INSERT INTO lexical_terms SELECT ?, term, ? * n FROM ("
            "SELECT u.lexeme AS term, COUNT(*) AS n FROM sentences s, unnest(s.terms) u "
            "WHERE s.collection = ? AND s.doc_id = ? GROUP BY u.lexeme "
            f"UNION ALL SELECT '{_SENTENCES}', COUNT(*) FROM sentences WHERE collection = ? AND doc_id = ? "
            f"UNION ALL SELECT '{_TOKENS}', COALESCE(SUM(length(terms)), 0) "
            "FROM sentences WHERE collection = ? AND doc_id = ?) counted "
            "ON CONFLICT (collection, term) DO UPDATE SET sentences = lexical_terms.sentences + EXCLUDED.sentences",
            (collection, sign, collection, doc_id, collection, doc_id, collection, doc_id),
        )

    def _statistics(self, collection: str, terms: Sequence[str]) -> tuple[int, int, dict[str, int]]:
        """(sentences, tokens, {term: sentences containing it}) of the collection, from `lexical_terms`."""
        rows = self.db.execute(
            "SELECT term, sentences FROM lexical_terms WHERE collection = ? AND term = ANY(?)",
            (collection, [*terms, _SENTENCES, _TOKENS]),
        )
        found = {r[0]: int(r[1]) for r in rows}
        return found.pop(_SENTENCES, 0), found.pop(_TOKENS, 0), found

    def lexical_search(
        self, collection: str, query: str, k: int, budget: int = 5000
    ) -> list[tuple[str, int, float]]:
        """BM25 with FTS5's IDF and k1 1.2, b 0.75; a sentence's length is its number of distinct terms, and a
        term counts once per sentence (the tsvector's positions are not read: unnesting them per row was 5-10x
        slower). The score is one flat expression over the candidates the `selective_terms` match."""
        terms = list(dict.fromkeys(lexical_tokens(query)))
        if not terms or k <= 0:
            return []
        n, lengths, frequency = self._statistics(collection, terms)
        matching = selective_terms(frequency, budget)
        if not matching or n == 0:
            return []
        scored = [t for t in terms if frequency.get(t)]
        idf = [max(1e-6, math.log((n - frequency[t] + 0.5) / (frequency[t] + 0.5))) for t in scored]
        matched = " + ".join("CASE WHEN s.terms @@ ?::tsquery THEN ? ELSE 0 END" for _ in scored)
        rows = self.db.execute(
            f"SELECT s.doc_id, s.idx, ({matched}) * 2.2 / (1 + 1.2 * (0.25 + 0.75 * length(s.terms) / ?)) AS score "
            "FROM sentences s JOIN documents d ON d.collection = s.collection AND d.doc_id = s.doc_id "
            "WHERE s.collection = ? AND d.state = 'complete' AND s.terms @@ to_tsquery('simple', ?) "
            "ORDER BY score DESC, s.doc_id, s.idx LIMIT ?",
            (*[v for pair in zip(scored, idf, strict=True) for v in pair], lengths / n, collection,
             " | ".join(matching), k),
        )
        return [(r[0], r[1], float(r[2])) for r in rows if r[2] > 0]

    def term_frequencies(self, collection: str, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """Counted in the collection (all its sentence rows, as kept in `lexical_terms`)."""
        n, _tokens, found = self._statistics(collection, [t for t in dict.fromkeys(terms) if t])
        return n, {t: found.get(t, 0) for t in terms}
