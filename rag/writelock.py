"""One writer per data folder at a time: an exclusive `flock` on `<data_dir>/writer.lock`.

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
from contextlib import contextmanager
from pathlib import Path

Waiting = Callable[[str], None]


class WriterLock:
    """The data folder's writer lock, re-entrant within a thread."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()

    @contextmanager
    def hold(self, what: str = "ingest", waiting: Waiting | None = None) -> Iterator[None]:
        """Hold the lock for the body; if another writer has it, call `waiting` once, then block until free."""
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
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
            self._local.depth = 1
            try:
                yield
            finally:
                self._local.depth = 0
        finally:
            os.close(fd)  # closing the descriptor releases the lock


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown process"
    except OSError:
        return "unknown process"
