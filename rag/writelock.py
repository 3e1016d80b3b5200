"""One writer per data folder at a time: an exclusive `flock` on `<data_dir>/writer.lock` (on PostgreSQL, an
advisory lock in the shared database: `AdvisoryWriterLock`).

Why a lock and not per-run leases of pending rows: every write that can leave partial state (an ingest run,
a delete, a dropped collection) goes pending → vectors → complete/gone, and the repair at the start of a
run must know that every pending row it sees belongs to a dead writer. Holding the one lock makes that
true by construction: the holder is the only writer, so whatever is pending when it starts was left by a
crashed one. The kernel drops a `flock` when its holder dies (even by SIGKILL), so a crash never leaves a
stale lock. Leases would need heartbeats and expiry guesses, and two live runs adding the same article
would still race on one row; the embedded Chroma store is not safe for concurrent writing processes anyway.
The cost: writers queue (the second says "another writer is busy ...; waiting"); readers never wait.
Locks are per open file, so two threads of one process (two app sessions) exclude each other too; the
same thread may re-enter (an ingest that deletes).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

Waiting = Callable[[str], None]


class _ReentrantLock:
    """One writer at a time, re-entrant within a thread: a nested `hold` runs its body under the outer one;
    the outermost takes the lock with `_acquire`."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def hold(self, what: str = "ingest", waiting: Waiting | None = None) -> Iterator[None]:
        """Hold the lock for the body; if another writer has it, call `waiting` once, then block until free."""
        depth = getattr(self._local, "depth", 0)
        with nullcontext() if depth else self._acquire(what, waiting):
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth = depth

    def _acquire(self, what: str, waiting: Waiting | None) -> AbstractContextManager[None]:
        raise NotImplementedError


class WriterLock(_ReentrantLock):
    """The data folder's writer lock: an flock on a file in the folder."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    @contextmanager
    def _acquire(self, what: str, waiting: Waiting | None) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting is not None:
                    waiting(f"another writer is busy with this data folder ({_holder(fd)}); waiting for it")
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{what} by pid {os.getpid()}\n".encode(), 0)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown process"
    except OSError:
        return "unknown process"


# pg_advisory_lock key of the one writer lock of a Crossread database (any fixed 64-bit number; "crossrd").
_ADVISORY_KEY = 0x63726F7373726400


class AdvisoryWriterLock(_ReentrantLock):
    """The same one-writer rule on PostgreSQL, across machines: a session advisory lock, held on its own
    connection for the body. The server drops it when the holder's connection ends, so a writer that dies
    (even by SIGKILL, or with its machine) never leaves a stale lock. Re-entrant within a thread."""

    def __init__(self, database_url: str):
        super().__init__()
        self.database_url = database_url

    @contextmanager
    def _acquire(self, what: str, waiting: Waiting | None) -> Iterator[None]:
        from rag.docstore_postgres import connect

        conn = connect(self.database_url, application_name=f"crossread {what} pid {os.getpid()}")
        try:
            if not conn.execute("SELECT pg_try_advisory_lock(?)", (_ADVISORY_KEY,)).fetchone()[0]:
                if waiting is not None:
                    waiting(f"another writer is busy with this database ({_advisory_holder(conn)}); waiting for it")
                conn.execute("SELECT pg_advisory_lock(?)", (_ADVISORY_KEY,))
            yield
        finally:
            conn.close()  # ending the session releases the lock


def _advisory_holder(conn: Any) -> str:
    row = conn.execute(
        "SELECT a.application_name, a.client_addr FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = ? LIMIT 1",
        (_ADVISORY_KEY & 0xFFFFFFFF,),
    ).fetchone()
    if row is None:
        return "unknown process"
    return f"{row[0] or 'unknown process'} at {row[1] or 'local socket'}"
