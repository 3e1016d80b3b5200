"""SQLite connections shared by the document store and the chat history: autocommit, WAL, named columns."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TIMEOUT = 30  # seconds a connection waits for another's lock before "database is locked"


def connect(path: Path, *pragmas: str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) with WAL journaling, plus `pragmas`."""
    conn = sqlite3.connect(path, timeout=TIMEOUT, isolation_level=None)
    conn.row_factory = sqlite3.Row
    _use_wal(conn)
    for pragma in pragmas:
        conn.execute(f"PRAGMA {pragma}")
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL. The switch takes an exclusive lock without waiting on SQLite's busy handler, so two
    processes opening a new file at once may see "database is locked": wait and retry, as the busy handler would."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class PerThreadConnection:
    """One connection per thread to one SQLite file, opened on first use (sqlite3 connections stay in their thread)."""

    def __init__(self, path: Path, *pragmas: str):
        self.path = path
        self.pragmas = pragmas
        self._local = threading.local()

    def get(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, *self.pragmas)
            self._local.conn = conn
        return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE (take the write lock up front), COMMIT on success, ROLLBACK on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
