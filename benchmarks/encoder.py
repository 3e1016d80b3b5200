"""Encoder benchmark: the same news sentences through torch (sentence-transformers) and the ONNX encoder.

Prints, from one run on one machine (with its load average): sentences/s of each backend on the same N
sentences (alternating rounds, best of each, so background load hits both alike), the ratio, the lowest and
mean cosine between their vectors, and top-5 retrieval overlap and top-1 agreement over Q headline queries.
The ONNX export (into a temporary data folder) and its verification time are printed too.

    python benchmarks/encoder.py [--sentences 2000] [--queries 50] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "devdata" / "allsides" / "raw_dev.jsonl"


def news_sentences(source: Path, count: int) -> tuple[list[str], list[str]]:
    """`count` sentences from the articles' bodies, and the articles' headlines (queries)."""
    from rag.sentences import split_sentences

    sentences: list[str] = []
    titles: list[str] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        for article in json.loads(line)["news"].values():
            titles.append(article["newsTitle"])
            body = article.get("newBody") or []
            paragraphs = body if isinstance(body, list) else [body]
            for paragraph in paragraphs:
                sentences.extend(s.text for s in split_sentences("bench", str(paragraph)))
                if len(sentences) >= count:
                    return sentences[:count], titles
    return sentences, titles


def rate(encode, texts: list[str]) -> tuple[float, np.ndarray]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    vectors = encode(texts)
    return len(texts) / (time.perf_counter() - start), vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()

    from rag.embeddings import SentenceEmbeddings

    texts, titles = news_sentences(args.source, args.sentences)
    queries = titles[: args.queries]
    print(f"{len(texts)} sentences, {len(queries)} queries from {args.source.name}; "
          f"load average {os.getloadavg()[0]:.2f} at start, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as data:
        torch_enc = SentenceEmbeddings(backend="torch")
        torch_enc.encode(["warm up"])
        start = time.perf_counter()
        onnx_enc = SentenceEmbeddings(backend="onnx", data_dir=Path(data))
        onnx_enc.encode(["warm up"])
        record = json.loads(next(Path(data).glob("models/*/verified.json")).read_text())
        print(f"ONNX export + verification: {time.perf_counter() - start:.1f} s "
              f"(lowest cosine to torch on the fixed set {record['min_cosine']:.6f})")
        best = {"torch": 0.0, "onnx": 0.0}
        vectors = {}
        for _ in range(args.rounds):
            for name, enc in (("torch", torch_enc), ("onnx", onnx_enc)):
                speed, vectors[name] = rate(enc.encode, texts)
                best[name] = max(best[name], speed)
        cosine = np.sum(vectors["torch"] * vectors["onnx"], axis=1)
        overlaps, top1 = [], []
        for query in queries:
            ranked = {name: np.argsort(-(vectors[name] @ enc.encode([query])[0]))[:5]
                      for name, enc in (("torch", torch_enc), ("onnx", onnx_enc))}
            overlaps.append(len(set(ranked["torch"]) & set(ranked["onnx"])) / 5)
            top1.append(ranked["torch"][0] == ranked["onnx"][0])
    print(f"torch: {best['torch']:7.1f} sentences/s   onnx: {best['onnx']:7.1f} sentences/s   "
          f"ratio {best['onnx'] / best['torch']:.2f}x (target >= 1.5x)")
    print(f"cosine torch vs onnx: lowest {cosine.min():.6f}, mean {cosine.mean():.6f}")
    print(f"top-5 retrieval overlap {np.mean(overlaps):.3f} (target >= 0.99), top-1 agreement {np.mean(top1):.3f}")
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
