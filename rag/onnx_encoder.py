"""The sentence encoder on ONNX Runtime: exported once from the local model folder, verified against torch.

`export_onnx` writes `<data folder>/models/<model>/model.onnx` from the sentence-transformers folder (the bundled
package's, never a hub), then encodes a fixed sentence set with both and keeps the export only if every
cosine is >= VERIFY_MIN_COSINE; `OnnxEncoder` runs it with the model's own tokenizer (`tokenizers`), mean
pooling and L2 normalisation, which is what all-MiniLM-L6-v2's modules do. Models whose modules are not
Transformer → mean Pooling (→ Normalize) are left to torch.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

VERIFY_MIN_COSINE = 0.999
# Padded tokens per model call (see `_batches`).
BATCH_TOKENS = 2048
# What one more model call costs, in padded tokens (per-call work besides the tokens), when batches are cut.
BATCH_COST = 64
TOKENIZE_TEXTS = 256  # texts tokenized at a time (see `OnnxEncoder._tokens`)
ONNX_FILE = "model.onnx"
RECORD_FILE = "verified.json"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Short and long, numbers, quotes, non-ASCII, and one past the 256-token limit (truncation must agree too).
VERIFY_SENTENCES = (
    "Kim Jong Un called for a major boost in the production of missiles and munitions.",
    "South Korea and the United States will hold the Ulchi Freedom Guardian drills from August 21 to 31.",
    "Officials said 3,400 troops took part.",
    "“We will not be intimidated,” the spokesman told reporters in Seoul on Monday.",
    "Critics called the plan reckless; supporters said it was long overdue.",
    "Die Regierung in Berlin äußerte sich zunächst nicht.",
    "Prices rose 0.4% in March, the statistics office said.",
    "Yes.",
    "The committee, which met behind closed doors for six hours, approved the budget. " * 12,
)
_export_lock = threading.Lock()


def onnx_available() -> bool:
    """Whether ONNX Runtime can be imported here."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def supports_onnx(model_dir: Path) -> bool:
    """Whether the model's modules are ones OnnxEncoder reproduces: Transformer, mean Pooling, Normalize."""
    try:
        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((model_dir / "modules.json").read_text())]
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, KeyError):
        return False
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        pooling.get(k) for k in pooling if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens")
    return modules[:2] == ["Transformer", "Pooling"] and set(modules[2:]) <= {"Normalize"} and bool(mean_only)


def max_seq_length(model_dir: Path) -> int:
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256


class OnnxEncoder:
    """Normalised float32 sentence vectors from an exported model.onnx (thread-safe).

    Batches run in `lanes` threads at once on one session whose operators are single-threaded, rather than one
    batch at a time split over a thread pool: a pool's threads wait for each other at every operator, and when
    anything else runs on the cores (ingest's splitting and writing, other processes) the wait costs CPU per
    sentence; whole batches in parallel need no such wait. The session's weights are shared by the lanes, and
    a batch's vector does not depend on the lane or on its batch-mates (bit-identical, tested).
    """

    def __init__(self, model_dir: Path, onnx_dir: Path, batch_size: int = 64, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length(model_dir))
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(onnx_dir / ONNX_FILE), options, providers=["CPUExecutionProvider"])
        self.dimension = int(self.session.get_outputs()[0].shape[-1])
        self.batch_size = batch_size
        self.lanes = max(1, threads or os.cpu_count() or 1)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        tokens = self._tokens(texts)
        lengths = np.array([len(ids) for ids, _, _ in tokens])
        order = np.argsort(lengths, kind="stable")  # similar lengths pad little
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # A request smaller than the lanes' batches is shared out, so a few claims still use every core.
        rows = max(1, min(batch_size or self.batch_size, -(-len(texts) // self.lanes)))
        batches = _batches(lengths[order], order, rows)
        if len(batches) == 1 or self.lanes == 1:
            for batch in batches:
                out[batch] = self._run(tokens, batch)
            return out
        for batch, vectors in zip(batches, self._lanes().map(lambda b: self._run(tokens, b), batches),
                                  strict=True):
            out[batch] = vectors
        return out

    def _tokens(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(ids, attention mask, type ids) of each text as small arrays, tokenized TOKENIZE_TEXTS at a time: the
        tokenizer's Encoding objects (offsets, token strings, ...) held ~4.6 KB per sentence, 9 MB for a slice of
        2,048, all alive until the last batch ran."""
        out = []
        for start in range(0, len(texts), TOKENIZE_TEXTS):
            for e in self.tokenizer.encode_batch(list(texts[start:start + TOKENIZE_TEXTS])):
                out.append((np.array(e.ids, dtype=np.int32), np.array(e.attention_mask, dtype=np.int8),
                            np.array(e.type_ids, dtype=np.int8)))
        return out

    def _lanes(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.lanes, thread_name_prefix="crossread-onnx")
            return self._pool

    def _run(self, tokens: list[tuple[np.ndarray, np.ndarray, np.ndarray]], batch: np.ndarray) -> np.ndarray:
        """Pooled, normalised vectors of one batch (ONNX Runtime releases the GIL while it runs)."""
        width = max(len(tokens[i][0]) for i in batch)
        arrays = {name: np.zeros((len(batch), width), dtype=np.int64) for name in INPUTS}
        for row, i in enumerate(batch):
            for name, values in zip(INPUTS, tokens[i], strict=True):
                arrays[name][row, :len(values)] = values
        hidden = self.session.run(None, arrays)[0]
        mask = arrays["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def _batches(sorted_lengths: np.ndarray, order: np.ndarray, rows: int) -> list[np.ndarray]:
    """Batches of at most `rows` texts and BATCH_TOKENS padded tokens (attention memory grows with rows × width²,
    so long sentences go in smaller batches: 64 of 256 tokens held ~500 MB of activations), cut where they pad
    least: the fewest padded tokens plus BATCH_COST per batch over the texts sorted by length (a dynamic
    programme). Greedy batches of `rows` padded 7% of the tokens of a 1,024-sentence ingest slice of news (4% when
    all 1,467 were sorted together); these pad 3% (1.7%), and a text's vector does not depend on its batch."""
    lengths = sorted_lengths.astype(np.int64)
    total = np.zeros(len(order) + 1)  # the cost of batching the first j texts
    start = np.zeros(len(order) + 1, dtype=np.int64)  # where the last of those batches starts
    for j in range(1, len(order) + 1):
        first = max(0, j - rows)
        size = j - np.arange(first, j)
        cost = total[first:j] + lengths[j - 1] * size + BATCH_COST
        cost[(size * lengths[j - 1] > BATCH_TOKENS) & (size > 1)] = np.inf  # one text alone is always allowed
        best = int(np.argmin(cost))
        total[j], start[j] = cost[best], first + best
    batches, j = [], len(order)
    while j > 0:
        batches.append(order[start[j]:j])
        j = int(start[j])
    return batches[::-1]


def export_onnx(model_dir: Path, onnx_dir: Path, torch_model: Any) -> float:
    """Export the model's transformer to `onnx_dir` and verify it against `torch_model` (a loaded
    SentenceTransformer); returns the lowest cosine. Raises RuntimeError (and leaves nothing) if it is below
    VERIFY_MIN_COSINE. Written to a temporary folder first, so a crash or a concurrent export leaves no half file.
    """
    import warnings

    import torch

    onnx_dir.parent.mkdir(parents=True, exist_ok=True)
    transformer = torch_model[0].auto_model.eval()

    class Wrapped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

    staging = tempfile.TemporaryDirectory(dir=onnx_dir.parent, prefix=".export-", ignore_cleanup_errors=True)
    with _export_lock, staging as tmp:
        example = torch.ones(2, 8, dtype=torch.long)
        axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(Wrapped(), (example, example, torch.zeros_like(example)), str(Path(tmp) / ONNX_FILE),
                              input_names=list(INPUTS), output_names=["last_hidden_state"], dynamic_axes=axes,
                              opset_version=17, dynamo=False)
        encoder = OnnxEncoder(model_dir, Path(tmp))
        expected = torch_model.encode(list(VERIFY_SENTENCES), normalize_embeddings=True, convert_to_numpy=True,
                                      show_progress_bar=False)
        lowest = float(np.min(np.sum(encoder.encode(list(VERIFY_SENTENCES)) * expected, axis=1)))
        if lowest < VERIFY_MIN_COSINE:
            raise RuntimeError(f"the ONNX export disagrees with torch (lowest cosine {lowest:.4f})")
        record = {"min_cosine": lowest, "sentences": len(VERIFY_SENTENCES), "source": str(model_dir)}
        (Path(tmp) / RECORD_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")
        if not is_exported(onnx_dir):  # another process may have finished first; its export is as good
            shutil.rmtree(onnx_dir, ignore_errors=True)
            os.replace(tmp, onnx_dir)
    return lowest


def is_exported(onnx_dir: Path) -> bool:
    """Whether `onnx_dir` holds a verified export."""
    return (onnx_dir / ONNX_FILE).is_file() and (onnx_dir / RECORD_FILE).is_file()
