"""Train the verifier's support model on the AttributionBench dev split; write rag/data/verifier_model.json.

Features come from `rag/support_features.py` (the same code the verifier runs). The model is small boosted
decision trees (scikit-learn's GradientBoostingClassifier, fixed seed: deterministic), exported as plain numbers
that `rag/support_model.py` evaluates in numpy, so the app does not import scikit-learn (it is installed as a
dependency of sentence-transformers; only this script uses it). The tree settings and the probability cut are
chosen by cross-validation on the training rows only. A logistic regression (L2, Newton steps in numpy) is kept
as the comparison the benchmark prints. The dev data is read from ../shared/devdata/attributionbench/dev.jsonl
and never shipped: only the trees are.

    python benchmarks/train_verifier.py [--cache /tmp/verifier_features.npz]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "devdata" / "attributionbench" / "dev.jsonl"
MODEL = ROOT / "rag" / "data" / "verifier_model.json"
# Tree settings tried (depth, trees, learning rate), chosen by cross-validation on the training rows.
TREE_SETTINGS = ((2, 300, 0.03), (3, 150, 0.05))
FOLDS = 5
DECISIONS = np.round(np.arange(0.30, 0.71, 0.02), 2)  # probabilities tried as the "supported" cut


def load_dev(path: Path = DEV) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def feature_code() -> str:
    """A fingerprint of the code that measures the features: a cache written by other code is measured again."""
    digest = hashlib.sha256()
    for name in ("support_features", "claim_checks", "claim_units", "terms", "sentences", "verify", "linguistics"):
        digest.update((ROOT / "rag" / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def dev_features(rows: list[dict], cache: Path | None = None) -> np.ndarray:
    """One feature row per dev pair (cached in `cache` when given: computing them takes minutes)."""
    from rag.embeddings import SentenceEmbeddings
    from rag.settings import Settings
    from rag.support_features import FEATURES, TextCache, measure
    from rag.verify import asserted

    code = feature_code()
    if cache and cache.exists():
        data = np.load(cache)
        if (list(data["names"]) == list(FEATURES) and len(data["X"]) == len(rows)
                and str(data.get("code", "")) == code):
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
        np.savez(cache, X=X, names=np.array(FEATURES), code=np.array(code))
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


def predict_logistic(model: dict, X: np.ndarray) -> np.ndarray:
    z = ((X - np.array(model["mean"])) / np.array(model["scale"])) @ np.array(model["coef"]) + model["intercept"]
    return 1 / (1 + np.exp(-z))


def fit_trees(X: np.ndarray, y: np.ndarray, setting: tuple[int, int, float] = TREE_SETTINGS[0]) -> dict:
    """Boosted trees as {offset, trees: [{feature, threshold, left, right, value}]} (leaf values already scaled
    by the learning rate; log-odds = offset + sum of the leaves reached)."""
    from sklearn.ensemble import GradientBoostingClassifier

    from rag.support_features import FEATURES

    depth, n, rate = setting
    fitted = GradientBoostingClassifier(max_depth=depth, n_estimators=n, learning_rate=rate, subsample=0.8,
                                        random_state=0).fit(X, y)
    trees = []
    for estimator in fitted.estimators_[:, 0]:
        t = estimator.tree_
        leaf = t.children_left < 0
        trees.append({"feature": [int(f) if not lf else -1 for f, lf in zip(t.feature, leaf, strict=True)],
                      "threshold": [round(float(v), 6) if not lf else 0.0 for v, lf in zip(t.threshold, leaf,
                                                                                             strict=True)],
                      "left": t.children_left.tolist(), "right": t.children_right.tolist(),
                      "value": [round(float(v) * rate, 6) if lf else 0.0 for v, lf in zip(t.value[:, 0, 0], leaf,
                                                                                          strict=True)]})
    offset = float(fitted.decision_function(X[:1])[0]) - sum(
        rate * float(e.predict(X[:1].astype(np.float32))[0]) for e in fitted.estimators_[:, 0])
    return {"features": list(FEATURES), "offset": offset, "trees": trees, "setting": list(setting)}


def predict(model: dict, X: np.ndarray) -> np.ndarray:
    """Probability of "supported" for each row (the shipped evaluation, `rag.support_model`)."""
    from rag.support_model import Trees

    return Trees.of(model).probabilities(X)


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

    return {**model, "offset": model["offset"] + logit(supported_threshold) - logit(decision),
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
    """Each row's probability from a logistic regression fitted on the other folds (the comparison)."""
    p = np.zeros(len(y))
    for f in np.unique(fold):
        p[fold == f] = predict_logistic(fit_logistic(X[fold != f], y[fold != f], l2), X[fold == f])
    return p


def trees_out_of_fold(X: np.ndarray, y: np.ndarray, fold: np.ndarray,
                      setting: tuple[int, int, float]) -> np.ndarray:
    """Each row's probability from trees fitted on the other folds."""
    p = np.zeros(len(y))
    for f in np.unique(fold):
        p[fold == f] = predict(fit_trees(X[fold != f], y[fold != f], setting), X[fold == f])
    return p


def choose_fit(X: np.ndarray, y: np.ndarray, fold: np.ndarray) -> tuple[tuple[int, int, float], float, float]:
    """(tree setting, probability cut, macro-F1) that maximise macro-F1 of the shipped verdict (cut and hard
    checks), judged on out-of-fold predictions of these rows only."""
    cap = capped(X)
    best: tuple[tuple[int, int, float], float, float] = (TREE_SETTINGS[0], 0.5, -1.0)
    for setting in TREE_SETTINGS:
        p = trees_out_of_fold(X, y, fold, setting)
        for t in DECISIONS:
            score = macro_f1(((p >= t) & ~cap).astype(float), y)
            if score > best[2] + 1e-9:
                best = (setting, float(t), score)
    return best


def held_out_models(X: np.ndarray, y: np.ndarray, fold: np.ndarray) -> list[tuple[int, dict]]:
    """(fold, shipped-form model fitted on the other folds, its L2 and cut chosen on those folds only) per fold."""
    from rag.settings import Settings

    threshold = Settings().verify.supported_threshold
    out = []
    for f in np.unique(fold):
        train = fold != f
        inner = fold[train] - (fold[train] > f)  # the other four folds, renumbered 0..3
        setting, decision, _ = choose_fit(X[train], y[train], inner)
        out.append((int(f), shipped(fit_trees(X[train], y[train], setting), threshold, decision)))
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
    print(f"held-out macro-F1 of the shipped verdict (trees + hard checks): {macro_f1(held, y):.3f}")
    setting, decision, _ = choose_fit(X, y, fold)
    model = shipped(fit_trees(X, y, setting), threshold, decision)
    model = {"trained_on": f"AttributionBench dev ({len(rows)} pairs), benchmarks/train_verifier.py", **model}
    args.out.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"chosen by 5-fold cross-validation: trees (depth, count, rate) {setting}, probability cut {decision:.2f}")
    used = np.bincount([f for t in model["trees"] for f in t["feature"] if f >= 0], minlength=len(FEATURES))
    for name, count in sorted(zip(FEATURES, used, strict=True), key=lambda x: -x[1]):
        print(f"  {name:22s} split on in {count} nodes")
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
