"""Named-entity recognition in a second process, beside the parse in this one.

spaCy's small English pipeline spends half of a sentence's parse on entities (its `ner` has a tok2vec of its
own, reading only the tokens), and it holds the GIL: threads do not use the second core, a process does. While
this process tags and parses a batch, the helper finds the same texts' entities and sends back their token
spans (a few bytes each); `rag.linguistics.entities` sets them on the doc when a rule reads them, or runs the
recogniser itself when the helper is not running, not ready, too far behind or gone. The entities are those one
pass of the whole pipeline gives (same tokenizer, same weights; checked on every briefing of the benchmark).

The helper is `python -m rag.entity_process`: JSON lines in (a request id and texts), JSON lines out (the id and,
per text, its token count and entity spans); it exits when this process closes its input or dies.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

Spans = list[tuple[int, int, str]]  # token start, end, label

# The helper is worth its start (~2.4 CPU-s on the other core) only in a process that parses a lot: a briefing
# of many stories, an app session. A CLI question never starts it.
START_AFTER_TEXTS = 256
# Entities are recognised here instead of waited for when the helper still has this many texts of earlier
# requests to do (~2 ms each), or is slower than this (starved of CPU by other processes, or stuck).
MAX_WAIT_TEXTS = 24
MAX_WAIT_SECONDS = 1.0


class EntityProcess:
    """The helper process and its answers (thread-safe)."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen([sys.executable, "-m", "rag.entity_process"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._cond = threading.Condition()
        self._answers: dict[int, list[tuple[int, Spans]]] = {}
        self._asked: dict[int, int] = {}  # request id -> texts, until answered
        self._next = 0
        self.ready = False
        self.alive = True
        threading.Thread(target=self._receive, name="crossread-entities", daemon=True).start()

    def submit(self, texts: Sequence[str]) -> int | None:
        """The id of a request for the texts' entities, or None when the helper is gone or not ready yet."""
        with self._cond:
            if not (self.alive and self.ready):
                return None
            rid, self._next = self._next, self._next + 1
            self._asked[rid] = len(texts)
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(json.dumps([rid, list(texts)]).encode() + b"\n")
            self._proc.stdin.flush()
        except (OSError, ValueError):  # gone, or closed
            self._gone()
        return rid

    def answers(self, rid: int, tokens: Sequence[int]) -> list[Spans | None]:
        """Each text's entity spans, waited for unless the helper is gone, further behind than MAX_WAIT_TEXTS
        (earlier requests) or slower than MAX_WAIT_SECONDS; None for a text whose tokens differ from the doc's
        here (never with the same pipeline)."""
        deadline = time.monotonic() + MAX_WAIT_SECONDS
        with self._cond:
            while rid not in self._answers:
                behind = sum(n for r, n in self._asked.items() if r < rid)
                if not self.alive or behind > MAX_WAIT_TEXTS or time.monotonic() > deadline:
                    self._asked.pop(rid, None)  # its answer, when it comes, is dropped
                    return [None] * len(tokens)
                self._cond.wait(0.1)
            found = self._answers.pop(rid)
        return [spans if count == n else None for (count, spans), n in zip(found, tokens, strict=True)]

    def wait_ready(self, timeout: float) -> bool:
        with self._cond:
            self._cond.wait_for(lambda: self.ready or not self.alive, timeout)
            return self.ready and self.alive

    def close(self) -> None:
        """End the helper (it also ends by itself when this process exits)."""
        self._gone()
        if self._proc.stdin:
            self._proc.stdin.close()
        self._proc.wait(5)

    def _receive(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            message = json.loads(line)
            with self._cond:
                if message == "ready":
                    self.ready = True
                elif message[0] in self._asked:  # else given up on
                    rid, answers = message
                    del self._asked[rid]
                    self._answers[rid] = [(count, [(a, b, label) for a, b, label in spans])
                                          for count, spans in answers]
                self._cond.notify_all()
        self._gone()

    def _gone(self) -> None:
        with self._cond:
            self.alive = False
            self._cond.notify_all()


def serve() -> None:
    """The helper's loop: entities of each request's texts, in order."""
    import spacy

    from rag.linguistics import SPACY_PACKAGE

    nlp = spacy.load(SPACY_PACKAGE, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])
    out = sys.stdout
    out.write('"ready"\n')
    out.flush()
    for line in sys.stdin:
        rid, texts = json.loads(line)
        answers = [[len(doc), [[e.start, e.end, e.label_] for e in doc.ents]]
                   for doc in nlp.pipe(texts, batch_size=64)]
        out.write(json.dumps([rid, answers]) + "\n")
        out.flush()


if __name__ == "__main__":
    serve()
