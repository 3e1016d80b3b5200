"""Near-duplicate detection (the same wire story re-published) with MinHash over word shingles."""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Iterator
from itertools import islice

import numpy as np

_PERMUTATIONS = 128
_SHINGLE = 5
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20231107)
_A = _rng.integers(1, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+")
_LINE = re.compile(r"[^\n]+")
# Shingles hashed per numpy step (a 1,024 × 128 matrix, 1 MB per temporary): the matrix of a whole 8 MB file
# took gigabytes, and 4,096 rows held ~13 MB at once.
_CHUNK = 1024


def signature(text: str) -> bytes:
    """MinHash signature of the text's 5-word shingles (lower-cased)."""
    lowest = np.full(_PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    shingles = _shingle_hashes(text)
    while len(hashes := np.fromiter(islice(shingles, _CHUNK), dtype=np.uint64)):
        # (a*h + b) mod p with 61-bit values: uint64 wrap-around is fine for a hash family.
        mixed = (hashes[:, None] * _A[None, :] + _B[None, :]) % np.uint64(_PRIME)
        np.minimum(lowest, mixed.min(axis=0), out=lowest)
    return lowest.tobytes()


def _shingle_hashes(text: str) -> Iterator[int]:
    """A 61-bit hash of each 5-word shingle, streamed: no list of words, set of shingles or lower-cased copy of
    the text is built (a repeated shingle repeats its hash, which leaves every minimum unchanged). Fewer than 5
    words are one shingle. Lines are lower-cased one at a time, which equals lower-casing the whole text: no
    word spans a line break, and a line break ends the context of a final sigma."""
    window: deque[str] = deque(maxlen=_SHINGLE)
    for line in _LINE.finditer(text):
        for match in _WORD.finditer(line.group().lower()):
            window.append(match.group())
            if len(window) == _SHINGLE:
                yield _hash(" ".join(window))
    if len(window) < _SHINGLE:
        yield _hash(" ".join(window))


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "little") >> 3


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(np.frombuffer(a, np.uint64) == np.frombuffer(b, np.uint64)))


class SignatureIndex:
    """Signatures held in memory for one ingest run: each article is compared without re-reading SQLite."""

    def __init__(self, items: list[tuple[str, bytes]] | None = None):
        self._ids: list[str] = []
        self._matrix = np.zeros((max(len(items or []), 64), _PERMUTATIONS), dtype=np.uint64)
        for doc_id, sig in items or []:
            self.add(doc_id, sig)

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, doc_id: str, sig: bytes) -> None:
        if len(self._ids) == len(self._matrix):
            self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
        self._matrix[len(self._ids)] = np.frombuffer(sig, np.uint64)
        self._ids.append(doc_id)

    def most_similar(self, sig: bytes) -> tuple[str, float] | None:
        """The indexed document most similar to `sig`, with its similarity."""
        if not self._ids:
            return None
        scores = (self._matrix[: len(self._ids)] == np.frombuffer(sig, np.uint64)[None, :]).mean(axis=1)
        best = int(scores.argmax())
        return self._ids[best], float(scores[best])
