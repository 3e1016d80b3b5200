"""The shipped support model: small boosted decision trees over `rag.support_features.FEATURES`, trained on
human-labelled real claims by `benchmarks/train_verifier.py` and stored as JSON (rag/data/verifier_model.json).
They are evaluated here in numpy, so the app needs no learning library and the file holds only numbers.

Trees catch what one weighted sum cannot ("high similarity counts only when the names are found too"); each
tree is a handful of threshold tests on the features, so scoring a claim costs microseconds.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from rag.errors import CrossreadError

MODEL_FILE = Path(__file__).parent / "data" / "verifier_model.json"


@dataclass(frozen=True)
class Trees:
    """The trees as arrays (one row per tree, padded): node i of tree t tests `feature[t, i] <= threshold[t, i]`
    and goes to `left` or `right`; a leaf (left < 0) holds `value` (already scaled by the learning rate)."""

    features: tuple[str, ...]
    offset: float
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, model: dict) -> Trees:
        size = max(len(t["left"]) for t in model["trees"])

        def padded(key: str, dtype: type, fill: float) -> np.ndarray:
            return np.array([t[key] + [fill] * (size - len(t[key])) for t in model["trees"]], dtype=dtype)

        return cls(tuple(model["features"]), float(model["offset"]), padded("feature", np.int64, 0),
                   padded("threshold", np.float32, 0.0), padded("left", np.int64, -1),
                   padded("right", np.int64, -1), padded("value", np.float64, 0.0))

    def raw_scores(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of "supported" per row of features (compared as float32, as scikit-learn trains them)."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float32))
        trees = np.arange(len(self.left))[None, :]
        node = np.zeros((len(X), len(self.left)), dtype=np.int64)
        rows = np.arange(len(X))[:, None]
        while True:
            inner = self.left[trees, node] >= 0
            if not inner.any():
                break
            go_left = X[rows, self.feature[trees, node]] <= self.threshold[trees, node]
            step = np.where(go_left, self.left[trees, node], self.right[trees, node])
            node = np.where(inner, step, node)
        return self.offset + self.value[trees, node].sum(axis=1)

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.raw_scores(X)))


@cache
def support_model() -> Trees:
    """The shipped model; one trained on other features than the verifier measures is an error."""
    from rag.support_features import FEATURES

    model = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    if model.get("features") != list(FEATURES) or "trees" not in model:
        raise CrossreadError(f"{MODEL_FILE} was trained on other features; run benchmarks/train_verifier.py")
    return Trees.of(model)


def support_probability(features: dict[str, float], model: Trees | None = None) -> float:
    """How likely a careful reader finds the claim supported, from the measured features (0–1)."""
    model = model or support_model()
    z = float(model.raw_scores(np.array([features[name] for name in model.features]))[0])
    return 1.0 / (1.0 + math.exp(-z))
