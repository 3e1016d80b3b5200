"""Verifier benchmark: real labelled claims (held-out folds), the perturbation suite, and latency per claim.

  * AttributionBench dev (../shared/devdata/attributionbench/dev.jsonl, 1,198 human-labelled pairs): 5 stratified
    folds; each fold is judged by boosted trees trained on the other four, their settings and probability cut
    chosen by cross-validation inside those four (benchmarks/train_verifier.py). Accuracy and
    macro-F1 of "supported" vs "not supported", by source dataset, for Crossread and, in the same run, the
    content-word-overlap baseline (supported when >= 60% of the claim's content words occur in the references),
    the previous verifier's rule (similarity + coverage, capped by number/name/negation checks) and a rule on
    predicate-argument unit alignment alone (threshold chosen on the training folds);
  * the perturbation suite (AllSides dev sentences, benchmarks/answer.py, seed 7) plus "added relation" pairs
    (a true sentence with an invented purpose, cause, effect or time): catch rate and false alarms by kind;
  * p50/p95 ms per claim after warm-up, on the perturbation pairs (one cited sentence) and on dev pairs
    (whole web passages).

    python benchmarks/verifier.py [--pairs 200] [--cache /tmp/verifier_features.npz]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answer import labelled_pairs, percentile  # noqa: E402
from devdata import load_events  # noqa: E402
from train_verifier import (  # noqa: E402
    dev_features,
    folds,
    held_out_models,
    labels,
    load_dev,
    macro_f1,
    out_of_fold,
    predict,
    trees_out_of_fold,
)

# Invented relations appended to a true sentence: (kind, text). None of their content words may be in it.
ADDED = (
    ("purpose", "to discuss the matter further"), ("purpose", "in order to avoid a wider crisis"),
    ("purpose", "so that officials could review the plan"), ("purpose", "to reassure nervous investors"),
    ("cause", "because of rising tensions with neighbours"), ("cause", "because officials feared a backlash"),
    ("cause", "due to pressure from donors"), ("effect", "leading to protests across the region"),
    ("effect", "causing delays for thousands of travellers"), ("time", "last week"),
    ("time", "earlier this year"),
)


def dev_figures(cache: Path | None) -> None:
    from rag.settings import Settings
    from rag.support_features import FEATURES
    from rag.types import Verdict
    from rag.verify import judge

    rows = load_dev()
    X, y = dev_features(rows, cache), labels(rows)
    fold = folds(rows)
    col = {name: X[:, i] for i, name in enumerate(FEATURES)}
    thresholds = Settings().verify
    crossread = np.zeros(len(rows))
    unit_rule = np.zeros(len(rows))
    for f, model in held_out_models(X, y, fold):
        idx = np.flatnonzero(fold == f)
        p = predict(model, X[idx])
        for j, i in zip(idx, p, strict=True):
            verdict, _ = judge(float(i), dict(zip(FEATURES, X[j], strict=True)), thresholds)
            crossread[j] = verdict == Verdict.SUPPORTED
        train = fold != f
        cuts = np.linspace(0, 1, 21)
        best = max(cuts, key=lambda t: np.mean((col["unit_alignment"][train] >= t) == y[train]))
        unit_rule[idx] = col["unit_alignment"][idx] >= best
    model_only = out_of_fold(X, y, fold) >= 0.5
    trees_only = trees_out_of_fold(X, y, fold, (2, 300, 0.03)) >= 0.5
    scaled = np.clip((col["sim_best"] - 0.3) / 0.55, 0, 1)
    previous = 0.5 * col["coverage"] + 0.5 * scaled
    capped = (col["missing_numbers"] > 0) | (col["missing_names"] > 0) | (col["negation"] > 0)
    methods = {
        "content-word overlap >= 60% (baseline)": col["coverage"] >= 0.6,
        "previous verifier rule (similarity + coverage, capped)": (previous >= 0.75) & ~capped,
        "unit alignment alone (threshold from training folds)": unit_rule,
        "logistic regression alone (the previous model; cut 0.5)": model_only,
        "boosted trees alone (depth 2, 300 trees; cut 0.5; catch few swapped names or negations)": trees_only,
        "**Crossread** (boosted trees, settings and cut chosen on training folds, + hard checks)": crossread,
    }
    sources = np.array([r["src_dataset"] for r in rows])
    names = sorted(set(sources), key=lambda s: -np.sum(sources == s))
    print(f"\n### Real claims: AttributionBench dev, {len(rows)} pairs, 5 held-out folds "
          "(accuracy / macro-F1 of supported vs not)")
    print("| method | all | " + " | ".join(f"{s} ({np.sum(sources == s)})" for s in names) + " |")
    print("|---|---|" + "---|" * len(names))
    for name, pred in methods.items():
        pred = np.asarray(pred, dtype=float)
        cells = [f"{np.mean(pred == y):.3f} / {macro_f1(pred, y):.3f}"]
        for s in names:
            m = sources == s
            cells.append(f"{np.mean(pred[m] == y[m]):.3f} / {macro_f1(pred[m], y[m]):.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    checked = capped | (col["added_relations"] > 0)
    print(f"\nhard checks (number, name, negation, added relation) keep {int(checked.sum())} pairs from "
          f"'supported'; people labelled {int((checked & (y == 1)).sum())} of them attributable")


def added_relation(sentence: str, rng: random.Random) -> tuple[str, str] | None:
    """The sentence with an invented purpose/cause/effect/time whose words it does not contain."""
    from rag.terms import content_terms

    words = content_terms(sentence)
    options = [(k, t) for k, t in ADDED if not content_terms(t) & words]
    if not options or not sentence.rstrip().endswith("."):
        return None
    kind, text = rng.choice(options)
    glue = ", " if kind == "effect" else " "
    return kind, sentence.rstrip()[:-1] + glue + text + "."


def perturbation_figures(limit: int) -> list[float]:
    """Verdicts of the suite by kind; returns ms per claim of the shipped path, timed on texts met for the first
    time in the process (the parse and encoder caches hold nothing of them yet).

    The claims citing one sentence are one request (`Verifier`): the sentence's vector is the one the store holds
    (encoded at ingest, outside the timing), the claims are encoded in one batch (its cost shared evenly among
    them) and the sentence is parsed once. Each claim is then verified again on its own (`verify_claim`, not
    timed: its texts are cached by then) to check that both paths give the same verdict.
    """
    from rag.embeddings import SentenceEmbeddings
    from rag.settings import Settings
    from rag.verify import Verifier, verify_claim

    embeddings, settings = SentenceEmbeddings(), Settings()
    rng = random.Random(7)
    events = [e for e in load_events() if len(e["news"]) >= 2 and e["roundup"]]
    pairs = labelled_pairs(events, rng, limit)
    for source, outlet in dict.fromkeys((s, o) for _, _, s, o, _ in pairs):
        made = added_relation(source, rng)
        if made:
            pairs.append((f"added {made[0]}", made[1], source, outlet, False))
    requests: dict[tuple[str, str], list[tuple[str, str, bool]]] = {}
    for kind, claim, source, outlet, truth in pairs:
        requests.setdefault((source, outlet), []).append((kind, claim, truth))
    sources = [s for s, _ in requests]
    stored = dict(zip(sources, embeddings.encode(sources), strict=True))  # what ingest put in the store
    verify_claim("Warm-up claim about nothing.", ["A warm-up sentence."], embeddings=embeddings, settings=settings)
    timings: list[float] = []
    by_kind: dict[str, list[tuple[bool, str]]] = {}
    agree = 0
    for (source, outlet), claims in requests.items():
        start = time.perf_counter()
        verifier = Verifier(embeddings, settings, vectors={source: stored[source]})
        verifier.prepare([(claim, [outlet]) for _, claim, _ in claims])
        shared = (time.perf_counter() - start) * 1000 / len(claims)
        for kind, claim, truth in claims:
            start = time.perf_counter()
            verdict = verifier(claim, [source], outlets=[outlet]).verdict
            timings.append((time.perf_counter() - start) * 1000 + shared)
            by_kind.setdefault(kind, []).append((truth, str(verdict)))
            alone = verify_claim(claim, [source], embeddings=embeddings, settings=settings, outlets=[outlet])
            agree += verdict == alone.verdict
    print(f"\n### Perturbation suite: {len(pairs)} (claim, sentence) pairs, cited outlet known")
    print("| pair kind | n | judged supported | partially | unsupported |")
    print("|---|---|---|---|---|")
    for kind, rows in sorted(by_kind.items(), key=lambda item: (not item[1][0][0], item[0])):
        n = len(rows)
        share = {v: sum(r[1] == v for r in rows) / n for v in ("supported", "partially supported", "unsupported")}
        print(f"| {kind} ({'true' if rows[0][0] else 'false'}) | {n} | {share['supported']:.1%} | "
              f"{share['partially supported']:.1%} | {share['unsupported']:.1%} |")
    true_rows = [v for rows in by_kind.values() for t, v in rows if t]
    false_rows = [(k, v) for k, rows in by_kind.items() for t, v in rows if not t]
    caught = sum(v != "supported" for _, v in false_rows) / len(false_rows)
    added = [v for k, v in false_rows if k.startswith("added")]
    alarms = sum(v != "supported" for v in true_rows) / len(true_rows)
    print(f"\ncatch rate (false pair not judged supported): {caught:.1%}; added relations caught: "
          f"{sum(v != 'supported' for v in added) / len(added):.1%}; false alarms (true pair not judged "
          f"supported): {alarms:.1%}; same verdict when each claim is verified on its own: {agree / len(pairs):.1%}")
    return timings


def dev_latency(n: int) -> list[float]:
    from rag.embeddings import SentenceEmbeddings
    from rag.settings import Settings
    from rag.verify import verify_claim

    embeddings, settings = SentenceEmbeddings(), Settings()
    rows = random.Random(1).sample(load_dev(), n)
    timings = []
    for row in rows:
        start = time.perf_counter()
        verify_claim(re.sub(r"\s+", " ", row["claim"]), row["references"], embeddings=embeddings,
                     settings=settings)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200, help="AllSides source sentences for the suite")
    parser.add_argument("--latency-pairs", type=int, default=100, help="dev pairs timed with whole passages")
    parser.add_argument("--cache", type=Path, help="dev feature cache (.npz), reused when it matches")
    parser.add_argument("--parts", default="dev,perturbation,latency")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if "dev" in parts:
        dev_figures(args.cache)
    short = perturbation_figures(args.pairs) if parts & {"perturbation", "latency"} else []
    if "latency" in parts:
        long = dev_latency(args.latency_pairs)
        print("\n### Latency per claim after warm-up (ms), texts new to the process")
        print("| claims | method | n | p50 | p95 |")
        print("|---|---|---|---|---|")
        for name, method, values in (
                ("one cited sentence (perturbation suite)", "Verifier per request, stored vectors", short),
                ("whole cited web passages (dev pairs)", "Verifier (passages are encoded: nothing stored)", long)):
            print(f"| {name} | {method} | {len(values)} | {percentile(values, 0.5):.0f} | "
                  f"{percentile(values, 0.95):.0f} |")


if __name__ == "__main__":
    main()
