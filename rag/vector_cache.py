"""A process-wide cache of sentence vectors by (model, text), so one answer encodes each text at most once.

Retrieval seeds it with the vectors Chroma already stores for the evidence; grouping, refusal and
verification then reuse them instead of running the model again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rag.embeddings import SentenceEmbeddings

MAX_ENTRIES = 50_000
_vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_lock = threading.Lock()


def remember(model_name: str, texts: Sequence[str], vectors: Sequence[np.ndarray] | np.ndarray) -> None:
    """Store vectors computed elsewhere (e.g. read back from the vector store)."""
    with _lock:
        for text, vector in zip(texts, vectors, strict=True):
            _vectors[(model_name, text)] = np.asarray(vector, dtype=np.float32)
            _vectors.move_to_end((model_name, text))
        while len(_vectors) > MAX_ENTRIES:
            _vectors.popitem(last=False)


def encode_cached(embeddings: SentenceEmbeddings, texts: Sequence[str]) -> np.ndarray:
    """Normalised vectors of `texts`, encoding only those not seen before (in one batch)."""
    model = embeddings.model_name
    with _lock:
        missing = [t for t in dict.fromkeys(texts) if (model, t) not in _vectors]
    if missing:
        remember(model, missing, embeddings.encode(list(missing)))
    with _lock:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([_vectors[(model, t)] for t in texts])
