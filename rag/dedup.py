"""Near-duplicate detection (the same wire story re-published) with MinHash over word shingles."""

from __future__ import annotations

import hashlib
import re

import numpy as np

_PERMUTATIONS = 128
_SHINGLE = 5
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20231107)
_A = _rng.integers(1, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+")


def signature(text: str) -> bytes:
    """MinHash signature of the text's 5-word shingles (lower-cased)."""
    words = _WORD.findall(text.lower())
    shingles = {" ".join(words[i : i + _SHINGLE]) for i in range(max(len(words) - _SHINGLE + 1, 1))}
    digests = (hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles)
    hashes = np.array([int.from_bytes(d, "little") >> 3 for d in digests], dtype=np.uint64)
    # (a*h + b) mod p with 61-bit values: uint64 wrap-around is fine for a hash family.
    mixed = (hashes[:, None] * _A[None, :] + _B[None, :]) % np.uint64(_PRIME)
    return mixed.min(axis=0).astype(np.uint64).tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(np.frombuffer(a, np.uint64) == np.frombuffer(b, np.uint64)))


def most_similar(sig: bytes, others: list[tuple[str, bytes]]) -> tuple[str, float] | None:
    """The stored document most similar to `sig`, with its similarity."""
    if not others:
        return None
    matrix = np.frombuffer(b"".join(s for _, s in others), np.uint64).reshape(len(others), _PERMUTATIONS)
    scores = (matrix == np.frombuffer(sig, np.uint64)[None, :]).mean(axis=1)
    best = int(scores.argmax())
    return others[best][0], float(scores[best])


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
