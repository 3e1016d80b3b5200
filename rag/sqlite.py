"""SQLite connections shared by the document store and the chat history: autocommit, WAL, named columns."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def connect(path: Path, *pragmas: str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) with WAL journaling, plus `pragmas`."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    for pragma in pragmas:
        conn.execute(f"PRAGMA {pragma}")
    return conn


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
