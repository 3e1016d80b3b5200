"""Train the verifier's logistic regression on the AttributionBench dev split; write rag/data/verifier_model.json.

Features come from `rag/support_features.py` (the same code the verifier runs); the model is fitted with L2-
regularised Newton steps in numpy, so training is deterministic and needs no extra package. The dev data is
read from ../shared/devdata/attributionbench/dev.jsonl and never shipped: only the weights are.

    python benchmarks/train_verifier.py [--cache /tmp/verifier_features.npz]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "devdata" / "attributionbench" / "dev.jsonl"
MODEL = ROOT / "rag" / "data" / "verifier_model.json"
L2S = (1.0, 10.0, 100.0)  # regularisation strengths tried (chosen by cross-validation on the training rows)
FOLDS = 5
DECISIONS = np.round(np.arange(0.30, 0.71, 0.02), 2)  # probabilities tried as the "supported" cut


def load_dev(path: Path = DEV) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def dev_features(rows: list[dict], cache: Path | None = None) -> np.ndarray:
    """One feature row per dev pair (cached in `cache` when given: computing them takes minutes)."""
    from rag.embeddings import SentenceEmbeddings
    from rag.settings import Settings
    from rag.support_features import FEATURES, TextCache, measure
    from rag.verify import asserted

    if cache and cache.exists():
        data = np.load(cache)
        if list(data["names"]) == list(FEATURES) and len(data["X"]) == len(rows):
            return data["X"]
    embeddings = SentenceEmbeddings()
    cfg = Settings().verify
    X = np.zeros((len(rows), len(FEATURES)))
    start = time.perf_counter()
    for i, row in enumerate(rows):
        claim = asserted(row["claim"]) or row["claim"]
        measured = measure(claim, row["references"], TextCache(embeddings), near=cfg.near_sentences,
                           limit=cfg.max_passage_sentences)
        X[i] = [measured.features[name] for name in FEATURES]
        if i % 200 == 199:
            print(f"  features {i + 1}/{len(rows)} ({time.perf_counter() - start:.0f} s)", flush=True)
    if cache:
        np.savez(cache, X=X, names=np.array(FEATURES))
    return X


def labels(rows: list[dict]) -> np.ndarray:
    return np.array([r["attribution_label"] == "attributable" for r in rows], dtype=float)


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0) -> dict:
    """Standardised L2 logistic regression by Newton's method: {mean, scale, coef, intercept}."""
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = np.hstack([(X - mean) / scale, np.ones((len(X), 1))])
    w = np.zeros(Z.shape[1])
    penalty = np.full(Z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-Z @ w))
        grad = Z.T @ (p - y) + penalty * w
        hessian = (Z * (p * (1 - p))[:, None]).T @ Z + np.diag(penalty)
        step = np.linalg.solve(hessian, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": w[:-1].tolist(), "intercept": float(w[-1])}


def predict(model: dict, X: np.ndarray) -> np.ndarray:
    z = ((X - np.array(model["mean"])) / np.array(model["scale"])) @ np.array(model["coef"]) + model["intercept"]
    return 1 / (1 + np.exp(-z))


def folds(rows: list[dict], k: int = FOLDS) -> np.ndarray:
    """Fold of each pair: stratified by source dataset and label, in a fixed order (seed 0)."""
    rng = np.random.default_rng(0)
    fold = np.zeros(len(rows), dtype=int)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault((r["src_dataset"], r["attribution_label"]), []).append(i)
    for members in groups.values():
        members = list(rng.permutation(members))
        for j, i in enumerate(members):
            fold[i] = j % k
    return fold


def shipped(model: dict, supported_threshold: float, decision: float = 0.5) -> dict:
    """The model with its intercept moved so that probability `decision` scores exactly `supported_threshold`
    (the verifier's default threshold for "supported"); lower scores down to the partial threshold read as
    "partially supported"."""
    def logit(p: float) -> float:
        return float(np.log(p / (1 - p)))

    return {**model, "intercept": model["intercept"] + logit(supported_threshold) - logit(decision),
            "decision_probability": decision}


def macro_f1(pred: np.ndarray, truth: np.ndarray) -> float:
    """Mean F1 of the two classes (supported, not supported)."""
    scores = []
    for c in (0, 1):
        tp = np.sum((pred == c) & (truth == c))
        wrong = np.sum(pred != truth)
        scores.append(2 * tp / (2 * tp + wrong) if tp else 0.0)
    return float(np.mean(scores))


def capped(X: np.ndarray) -> np.ndarray:
    """Rows a hard check keeps from "supported" (`rag.verify.ceiling`): a missing number or name, a flipped
    negation, an added relation."""
    from rag.support_features import FEATURES

    col = {name: X[:, i] for i, name in enumerate(FEATURES)}
    return ((col["missing_numbers"] > 0) | (col["missing_names"] > 0) | (col["negation"] > 0)
            | (col["added_relations"] > 0))


def out_of_fold(X: np.ndarray, y: np.ndarray, fold: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Each row's probability from a model fitted on the other folds."""
    p = np.zeros(len(y))
    for f in np.unique(fold):
        p[fold == f] = predict(fit_logistic(X[fold != f], y[fold != f], l2), X[fold == f])
    return p


def choose_fit(X: np.ndarray, y: np.ndarray, fold: np.ndarray) -> tuple[float, float, float]:
    """(L2 strength, probability cut, macro-F1) that maximise macro-F1 of the shipped verdict (cut and hard
    checks), judged on out-of-fold predictions of these rows only."""
    cap = capped(X)
    best = (0.0, 0.0, -1.0)
    for l2 in L2S:
        p = out_of_fold(X, y, fold, l2)
        for t in DECISIONS:
            score = macro_f1(((p >= t) & ~cap).astype(float), y)
            if score > best[2] + 1e-9:
                best = (l2, float(t), score)
    return best


def held_out_models(X: np.ndarray, y: np.ndarray, fold: np.ndarray) -> list[tuple[int, dict]]:
    """(fold, shipped-form model fitted on the other folds, its L2 and cut chosen on those folds only) per fold."""
    from rag.settings import Settings

    threshold = Settings().verify.supported_threshold
    out = []
    for f in np.unique(fold):
        train = fold != f
        inner = fold[train] - (fold[train] > f)  # the other four folds, renumbered 0..3
        l2, decision, _ = choose_fit(X[train], y[train], inner)
        out.append((int(f), shipped(fit_logistic(X[train], y[train], l2), threshold, decision)))
    return out


def main() -> None:
    from rag.settings import Settings
    from rag.support_features import FEATURES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="feature cache (.npz), reused when it matches")
    parser.add_argument("--out", type=Path, default=MODEL)
    args = parser.parse_args()
    rows = load_dev()
    X, y = dev_features(rows, args.cache), labels(rows)
    fold = folds(rows)
    threshold = Settings().verify.supported_threshold
    held = np.zeros(len(y))
    for f, model in held_out_models(X, y, fold):
        held[fold == f] = (predict(model, X[fold == f]) >= threshold) & ~capped(X[fold == f])
    print(f"held-out macro-F1 of the shipped verdict (regression + hard checks): {macro_f1(held, y):.3f}")
    l2, decision, _ = choose_fit(X, y, fold)
    model = shipped(fit_logistic(X, y, l2), threshold, decision)
    model = {"features": list(FEATURES), **model, "l2": l2,
             "trained_on": f"AttributionBench dev ({len(rows)} pairs), benchmarks/train_verifier.py"}
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"chosen by 5-fold cross-validation: L2 {l2:g}, probability cut {decision:.2f}")
    for name, c in sorted(zip(FEATURES, model["coef"], strict=True), key=lambda x: -abs(x[1])):
        print(f"  {name:20s} {c:+.3f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
