"""The encoder: ONNX export from the bundled model, its verification against torch, and the torch fallback."""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rag import onnx_encoder
from rag.embeddings import SentenceEmbeddings, TorchEncoder, build_encoder, load_model, onnx_dir_for
from rag.errors import CrossreadError
from rag.onnx_encoder import OnnxEncoder, export_onnx, is_exported
from rag.settings import DEFAULT_EMBEDDING_MODEL

pytestmark = pytest.mark.slow  # the real model, torch and ONNX

TEXTS = ["Kim Jong Un called for more missiles.", "Prices rose 0.4% in March.", "Die Regierung schwieg.",
         "The committee approved the budget after six hours. " * 40]


def build(data_dir: Path, backend: Any = "auto") -> Any:
    """A fresh encoder, bypassing the per-process cache."""
    return build_encoder(DEFAULT_EMBEDDING_MODEL, backend, data_dir)


def test_onnx_is_exported_once_into_the_data_folder_and_agrees_with_torch(tmp_path: Path) -> None:
    encoder = build(tmp_path)
    assert isinstance(encoder, OnnxEncoder)
    folder = onnx_dir_for(DEFAULT_EMBEDDING_MODEL, tmp_path)
    assert folder.parent == tmp_path / "models" and is_exported(folder)
    record = json.loads((folder / "verified.json").read_text())
    assert record["min_cosine"] >= onnx_encoder.VERIFY_MIN_COSINE
    assert record["sentences"] == len(onnx_encoder.VERIFY_SENTENCES)
    stamp = (folder / "model.onnx").stat().st_mtime_ns
    assert isinstance(build(tmp_path), OnnxEncoder)
    assert (folder / "model.onnx").stat().st_mtime_ns == stamp  # reused, not exported again
    vectors = encoder.encode(TEXTS)
    reference = TorchEncoder(DEFAULT_EMBEDDING_MODEL).encode(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(vectors * reference, axis=1)) >= 0.999
    assert not [p for p in (tmp_path / "models").iterdir() if p.name.startswith(".export-")]


def test_an_export_that_disagrees_with_torch_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_encoder, "VERIFY_MIN_COSINE", 1.01)  # no export can pass
    target = tmp_path / "models" / "m-onnx"
    from rag.embeddings import resolve_model_path

    with pytest.raises(RuntimeError, match="disagrees with torch"):
        export_onnx(resolve_model_path(DEFAULT_EMBEDDING_MODEL), target, load_model(DEFAULT_EMBEDDING_MODEL))
    assert not target.exists() and list((tmp_path / "models").iterdir()) == []
    assert isinstance(build(tmp_path), TorchEncoder)  # auto falls back to torch
    with pytest.raises(CrossreadError, match="ONNX encoder is unavailable.*disagrees"):
        build(tmp_path, "onnx")


def test_without_onnxruntime_torch_encodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_onnxruntime(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "onnxruntime" or name.startswith("onnxruntime."):
            raise ImportError("No module named 'onnxruntime'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnxruntime)
    encoder = build(tmp_path)
    assert isinstance(encoder, TorchEncoder) and not (tmp_path / "models").exists()
    with pytest.raises(CrossreadError, match="onnxruntime is not installed"):
        build(tmp_path, "onnx")
    vectors = encoder.encode(TEXTS)
    assert vectors.dtype == np.float32 and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_sentence_embeddings_keeps_its_interface(tmp_path: Path) -> None:
    embeddings = SentenceEmbeddings(data_dir=tmp_path)
    assert embeddings.model_name == DEFAULT_EMBEDDING_MODEL and embeddings.dimension == 384
    assert embeddings.encode([]).shape == (0, 384)
    assert embeddings.encode(TEXTS[:2]).dtype == np.float32
    assert len(embeddings.embed_query("missiles")) == 384


def test_small_requests_reuse_recent_vectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text met again in a small request is not re-encoded, and its kept vector is the one encoding gives: the
    ONNX vector of a text does not depend on the batch it is in. Bulk requests (ingest) pass straight through."""
    from rag import embeddings as module

    encoder = build(tmp_path)
    alone = np.stack([encoder.encode([t])[0] for t in TEXTS])
    assert np.array_equal(alone, encoder.encode(TEXTS))
    calls: list[list[str]] = []

    class Counting:
        def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
            calls.append(list(texts))
            return encoder.encode(texts, batch_size)

    counting = Counting()
    monkeypatch.setattr(SentenceEmbeddings, "encoder", property(lambda self: counting))
    embeddings = SentenceEmbeddings(data_dir=tmp_path)
    first = embeddings.encode([TEXTS[0], TEXTS[1], TEXTS[0]])
    again = embeddings.encode([TEXTS[1], TEXTS[2]])
    assert calls == [[TEXTS[0], TEXTS[1]], [TEXTS[2]]]
    assert np.array_equal(again, alone[1:3]) and np.array_equal(first, alone[[0, 1, 0]])
    bulk = [f"sentence {i}" for i in range(module.RECENT_VECTORS // 4 + 1)]
    embeddings.encode(bulk)
    assert calls[-1] == bulk


def test_a_vector_does_not_depend_on_lanes_or_batch_mates(tmp_path: Path) -> None:
    """Batches run in parallel lanes on single-threaded operators: each text's vector is bit-identical whether
    encoded alone, in one lane, or among many texts shared out over lanes."""
    many = [f"Officials counted {n} new arrivals at the border on day {n}." for n in range(150)] + TEXTS
    one_lane = build(tmp_path)
    one_lane.lanes = 1
    lanes = build(tmp_path)
    lanes.lanes = 3
    shared_out = lanes.encode(many)
    assert np.array_equal(shared_out, one_lane.encode(many))
    assert np.array_equal(shared_out[-len(TEXTS):], lanes.encode(TEXTS))
    assert np.array_equal(shared_out[-1:], one_lane.encode(TEXTS[-1:]))


def test_batches_are_cut_where_they_pad_least() -> None:
    """Every text once, in length order; no batch over `rows` texts or BATCH_TOKENS padded tokens (unless one text
    alone); fewer padded tokens than batches of `rows` in a row (news-like lengths)."""
    rng = np.random.default_rng(3)
    lengths = np.sort(np.concatenate([rng.integers(8, 60, 900), rng.integers(60, 200, 100), [300]]))
    order = np.arange(len(lengths))
    batches = onnx_encoder._batches(lengths, order, 64)
    assert np.array_equal(np.concatenate(batches), order)
    assert all(len(b) <= 64 and (len(b) == 1 or len(b) * lengths[b].max() <= onnx_encoder.BATCH_TOKENS)
               for b in batches)
    padded = sum(len(b) * lengths[b].max() for b in batches)
    in_a_row = sum(len(b) * lengths[b].max() for b in (order[i:i + 64] for i in range(0, len(order), 64)))
    assert padded < in_a_row
    assert onnx_encoder._batches(lengths[:0], order[:0], 64) == []
