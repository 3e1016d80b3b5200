"""A second spaCy process beside this one, so that parsing uses both cores.

spaCy holds the GIL (threads do not use the second core; a process does), and its small English pipeline
spends half of a sentence's parse on entities (`ner` has a tok2vec of its own that reads only the tokens). The
helper does two things for `rag.linguistics.parse`, most urgent first:
- the entities of each batch this process parses: while this process tags and parses the batch, the helper
  recognises its entities and sends back token spans; this process recognises them itself (in the same batches,
  so the same entities) when the helper is not ready, gone, behind, or parsing ahead;
- whole parses of texts a request will read next (`parse_ahead`: a briefing of many stories hints its stories'
  sentences in the order it briefs them), sent back as DocBin bytes a few texts at a time; a text this process
  needs before the helper reached it is parsed here, and the helper skips what this process has passed.
The parses are those of one pass of the pipeline in this process (same package and weights, tested).

The helper is `python -m rag.parse_process`: JSON lines in; JSON lines out, each DocBin after its line; it exits
when this process closes its input or dies. It starts once this process has parsed or hinted START_AFTER_TEXTS
texts (~2.4 CPU-s to load, on the other core): a briefing of many stories, an app session, never a CLI question.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

Spans = list[tuple[int, int, str]]  # token start, end, label

START_AFTER_TEXTS = 256
# Entities are recognised here instead of waited for when the helper still has this many texts of earlier
# requests to do (~2 ms each), or has not answered this long after this process finished its own part of the
# batch (with a core of its own it is done by then; later, other processes starve it of CPU, or it is stuck).
MAX_WAIT_TEXTS = 24
MAX_WAIT_SECONDS = 0.02
MAX_WAIT_SECONDS_PER_TEXT = 0.002
# The helper pays only with a core to spare: on cores other processes kept busy (load 4-6 on 2) the first
# 300-article briefing took longer with it than without (its work competes with this process's, and this one
# waits for answers a starved helper gives late); parsing ahead also adds work (a fifth of the hinted sentences
# are never read). Without a spare core everything is parsed here.
MIN_SPARE_CORES = 0.5
WATCH_SECONDS = 0.5
AHEAD_CHUNK = 8  # texts per parse-ahead message (~35 ms of the helper's time)
_NER_ONLY = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]


def spare_now(window: float = 0.05) -> float:
    """Cores no other process uses, sampled from /proc/stat over `window` seconds while this process sleeps (its
    own core shows idle, hence the minus one); the CPU count less one where /proc is not."""
    def idle_and_total() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
        return fields[3] + fields[4], sum(fields)

    cores = os.cpu_count() or 1
    try:
        idle, total = idle_and_total()
        time.sleep(window)
        idle2, total2 = idle_and_total()
    except (OSError, ValueError, IndexError):
        return cores - 1
    return (idle2 - idle) / max(1, total2 - total) * cores - 1


class CpuWatch:
    """How many cores other processes keep busy (the machine's busy time from /proc/stat, less this process's and
    its helper's), over the time between two readings at least WATCH_SECONDS apart; 0 where /proc is not."""

    def __init__(self, helper_pid: int) -> None:
        self.helper_pid = helper_pid
        self.others = 0.0
        self._last = self._read()

    def spare(self) -> float:
        """Cores neither other processes nor this one's own thread of work keep busy, as last measured."""
        now = self._read()
        if self._last and now and now[0] - self._last[0] >= WATCH_SECONDS:
            wall, busy, ours = (n - last for n, last in zip(now, self._last, strict=True))
            self.others = max(0.0, busy - ours) / wall
            self._last = now
        return (os.cpu_count() or 1) - self.others - 1

    def _read(self) -> tuple[float, float, float] | None:
        """(time, CPU seconds the machine spent busy, CPU seconds of this process and its helper)."""
        try:
            tick = os.sysconf("SC_CLK_TCK")
            with open("/proc/stat", encoding="ascii") as f:
                fields = [int(x) for x in f.readline().split()[1:9]]
            with open(f"/proc/{self.helper_pid}/stat", encoding="ascii") as f:
                helper = f.read().rsplit(")", 1)[1].split()
        except (OSError, ValueError, IndexError):
            return None
        busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
        return time.monotonic(), busy / tick, time.process_time() + (int(helper[11]) + int(helper[12])) / tick


class ParseProcess:
    """The helper process and its answers (thread-safe)."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen([sys.executable, "-m", "rag.parse_process"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.watch = CpuWatch(self._proc.pid)
        self._cond = threading.Condition()
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._next = 0
        self._answers: dict[int, list[tuple[int, Spans]]] = {}
        self._asked: dict[int, int] = {}  # entity request id -> texts, until answered
        self._ahead: dict[str, int] = {}  # text -> its parse-ahead request, until taken or skipped
        self._ahead_texts: dict[int, list[str]] = {}  # request -> its texts, until taken or skipped
        self._ahead_done: dict[int, bytes] = {}  # request -> DocBin bytes, until taken
        self.ready = False
        self.alive = True
        threading.Thread(target=self._receive, name="crossread-parser", daemon=True).start()
        threading.Thread(target=self._write, name="crossread-parser-input", daemon=True).start()

    def submit(self, texts: Sequence[str]) -> int | None:
        """The id of a request for the texts' entities, or None when the helper is gone or not ready yet."""
        if self.watch.spare() < MIN_SPARE_CORES:
            return None
        with self._cond:
            # while it parses ahead, an entity request would wait for the texts it is on: found here instead
            busy = any(r not in self._ahead_done for r in self._ahead_texts)
            if not (self.alive and self.ready) or busy:
                return None
            rid = self._new_id()
            self._asked[rid] = len(texts)
        self._send(["ents", rid, list(texts)])
        return rid

    def answers(self, rid: int, tokens: Sequence[int]) -> list[Spans | None]:
        """Each text's entity spans, waited for unless the helper is gone, further behind than MAX_WAIT_TEXTS
        or slower than MAX_WAIT_SECONDS(_PER_TEXT); None for a text whose tokens differ from the doc's here (never
        with the same pipeline)."""
        deadline = time.monotonic() + MAX_WAIT_SECONDS + MAX_WAIT_SECONDS_PER_TEXT * len(tokens)
        with self._cond:
            while rid not in self._answers:
                behind = sum(n for r, n in self._asked.items() if r < rid)
                if not self.alive or behind > MAX_WAIT_TEXTS or time.monotonic() > deadline:
                    self._asked.pop(rid, None)  # its answer, when it comes, is dropped
                    return [None] * len(tokens)
                self._cond.wait(max(0.001, deadline - time.monotonic()))
            found = self._answers.pop(rid)
        return [spans if count == n else None for (count, spans), n in zip(found, tokens, strict=True)]

    def parse_ahead(self, texts: Sequence[tuple[str, str]]) -> bool:
        """Queue whole parses of (text, text as parsed) pairs, in the order they will be needed, when a core is
        spare; what an earlier hint queued and was not taken is dropped. Whether they were queued."""
        if not self.alive or self.watch.spare() < MIN_SPARE_CORES:
            return False
        with self._cond:
            last = max(self._ahead_texts, default=-1)
            self._ahead.clear()
            self._ahead_texts.clear()
            self._ahead_done.clear()
            chunks = []
            for start in range(0, len(texts), AHEAD_CHUNK):
                rid = self._new_id()
                chunk = texts[start:start + AHEAD_CHUNK]
                self._ahead.update((text, rid) for text, _ in chunk)
                self._ahead_texts[rid] = [text for text, _ in chunk]
                chunks.append(["ahead", rid, [plain for _, plain in chunk]])
        if last >= 0:
            self._send(["skip", last])
        for message in chunks:
            self._send(message)
        return True

    def take(self, texts: Sequence[str], vocab: Vocab) -> dict[str, Doc]:
        """The parses of those texts the helper has done, never waited for: the queued requests up to the last
        one asked for that it has not done are skipped, this process parses those texts itself (waiting for the
        helper left this process idle as often as it saved it work)."""
        from spacy.tokens import DocBin

        with self._cond:
            wanted = {self._ahead[t] for t in texts if t in self._ahead}
            if not wanted:
                return {}
            done = {rid: (self._ahead_texts.pop(rid), self._ahead_done.pop(rid))
                    for rid in wanted if rid in self._ahead_done}
            passed = max(wanted - done.keys(), default=-1)
            for rid in [r for r in self._ahead_texts if r <= passed and r not in self._ahead_done]:
                del self._ahead_texts[rid]
            for text in [t for t, r in self._ahead.items() if r in done or r not in self._ahead_texts]:
                del self._ahead[text]
        if passed >= 0:
            self._send(["skip", passed])
        found: dict[str, Doc] = {}
        for chunk, blob in done.values():
            found.update(zip(chunk, DocBin().from_bytes(blob).get_docs(vocab), strict=True))
        return found

    def wait_ahead(self, timeout: float) -> bool:
        """Whether every queued parse ahead is done, waiting up to `timeout` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: all(r in self._ahead_done for r in self._ahead_texts), timeout)

    def wait_ready(self, timeout: float) -> bool:
        with self._cond:
            self._cond.wait_for(lambda: self.ready or not self.alive, timeout)
            return self.ready and self.alive

    def close(self) -> None:
        """End the helper (it also ends by itself when this process exits)."""
        self._gone()
        self._outbox.put(None)  # the writer closes the helper's input: it ends
        self._proc.wait(5)

    def _new_id(self) -> int:
        rid, self._next = self._next, self._next + 1
        return rid

    def _send(self, message: list[Any]) -> None:
        self._outbox.put(json.dumps(message).encode() + b"\n")

    def _write(self) -> None:
        """Messages to the helper, from a thread of their own: a hint of a thousand texts fills the pipe, and
        its writer waits until the helper reads (slow when other processes load the cores)."""
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            while (line := self._outbox.get()) is not None:
                stdin.write(line)
                stdin.flush()
            stdin.close()
        except (OSError, ValueError):  # gone
            self._gone()

    def _receive(self) -> None:
        out = self._proc.stdout
        assert out is not None
        for line in out:
            message = json.loads(line)
            blob = out.read(message[2]) if message[0] == "docs" else b""
            with self._cond:
                if message == ["ready"]:
                    self.ready = True
                elif message[0] == "ents" and message[1] in self._asked:  # else given up on
                    del self._asked[message[1]]
                    self._answers[message[1]] = [(count, [(a, b, label) for a, b, label in spans])
                                                 for count, spans in message[2]]
                elif message[0] == "docs" and message[1] in self._ahead_texts:  # else skipped
                    self._ahead_done[message[1]] = blob
                self._cond.notify_all()
        self._gone()

    def _gone(self) -> None:
        with self._cond:
            self.alive = False
            self._cond.notify_all()


def serve() -> None:
    """The helper's loop: entity requests first, then parses ahead, in the order asked; input is read at once
    (before the model loads), so this process's writes never wait."""
    import spacy
    from spacy.tokens import DocBin

    from rag.linguistics import SPACY_PACKAGE

    cond = threading.Condition()
    urgent: deque[list[Any]] = deque()
    ahead: dict[int, list[str]] = {}
    closed = []

    def read() -> None:
        for line in sys.stdin.buffer:
            kind, rid, body = [*json.loads(line), None][:3]
            with cond:
                if kind == "ents":
                    urgent.append([rid, body])
                elif kind == "ahead":
                    ahead[rid] = body
                elif kind == "skip":
                    for r in [r for r in ahead if r <= rid]:
                        del ahead[r]
                cond.notify()
        with cond:
            closed.append(True)
            cond.notify()

    threading.Thread(target=read, daemon=True).start()
    nlp = spacy.load(SPACY_PACKAGE)
    out = sys.stdout.buffer
    out.write(b'["ready"]\n')
    out.flush()
    while True:
        with cond:
            cond.wait_for(lambda: urgent or ahead or closed)
            if urgent:
                job, kind = urgent.popleft(), "ents"
            elif ahead:
                rid = next(iter(ahead))
                job, kind = [rid, ahead.pop(rid)], "ahead"
            else:
                return
        rid, texts = job
        if kind == "ents":
            answers = [[len(doc), [[e.start, e.end, e.label_] for e in doc.ents]]
                       for doc in nlp.pipe(texts, batch_size=64, disable=_NER_ONLY)]
            out.write(json.dumps(["ents", rid, answers]).encode() + b"\n")
        else:
            bin_ = DocBin(store_user_data=False)
            for doc in nlp.pipe(texts, batch_size=64):
                bin_.add(doc)
            blob = bin_.to_bytes()
            out.write(json.dumps(["docs", rid, len(blob)]).encode() + b"\n" + blob)
        out.flush()


if __name__ == "__main__":
    serve()
