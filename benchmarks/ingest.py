"""Ingest benchmark: raw model.encode vs the whole Crossread ingest vs a plain LangChain baseline.

Builds a corpus of news articles from the AllSides development data (each line of train.source holds three
articles joined by " [SEP] "), ingests it into a fresh store and prints, from one run on one machine:
sentences/s of raw `model.encode` on the same sentences, of Crossread's ingest and of a LangChain baseline
(RecursiveCharacterTextSplitter + langchain_chroma Chroma.from_documents with the same model), peak RSS,
store size on disk, and p50/p95 latency of `search`.

    python benchmarks/ingest.py [--articles 2000] [--source ../shared/devdata/allsides/train.source]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "devdata" / "allsides" / "train.source"
_ARTICLE = re.compile(r"^TITLE=>\s*(?P<title>.*?)\s*ARTICLE=>\s*(?P<body>.*)$", re.DOTALL)


def build_corpus(source: Path, count: int, folder: Path) -> list[str]:
    """Write `count` articles as text files with a Title header; return the headlines (search queries)."""
    folder.mkdir(parents=True, exist_ok=True)
    titles: list[str] = []
    written = 0
    for line in source.read_text(encoding="utf-8").splitlines():
        for part in line.split(" [SEP] "):
            match = _ARTICLE.match(part.strip())
            if not match or not match.group("body").strip():
                continue
            title, body = match.group("title").rstrip("."), match.group("body").strip()
            (folder / f"{written:05d}.txt").write_text(f"Title: {title}\n\n{body}\n", encoding="utf-8")
            titles.append(title)
            written += 1
            if written == count:
                return titles
    return titles


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    from rag.embeddings import load_model
    from rag.ingest import ingest
    from rag.loaders import iter_articles
    from rag.retrieval import search_sentences
    from rag.sentences import split_sentences
    from rag.settings import Settings
    from rag.store import open_store
    from rag.types import IngestStatus

    work = Path(tempfile.mkdtemp(prefix="crossread-bench-"))
    try:
        corpus = work / "corpus"
        titles = build_corpus(args.source, args.articles, corpus)
        settings = Settings(data_dir=work / "store")
        model = load_model(settings.embedding_model)
        model.encode(["warm up the model"] * 8)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"corpus: {len(titles)} articles from {args.source.name}; {os.cpu_count()} CPUs, "
              f"torch threads: {_torch_threads()}; load average before: {load}")

        # The same sentences Crossread will embed (all articles, before dedup), split once here.
        t0 = time.perf_counter()
        articles = [a.article for a in iter_articles([str(corpus)], settings) if a.article]
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        sentences = [s.text for i, a in enumerate(articles) for s in split_sentences(str(i), a.text)]
        t_split = time.perf_counter() - t0
        print(f"load+parse files: {len(articles) / t_load:,.0f} articles/s; "
              f"sentence split: {len(sentences) / t_split:,.0f} sentences/s ({len(sentences)} sentences)")

        def raw_encode_seconds() -> float:
            t0 = time.perf_counter()
            model.encode(sentences, batch_size=settings.ingest.embed_batch_size, normalize_embeddings=True)
            return time.perf_counter() - t0

        t_raw_before = raw_encode_seconds()
        print(f"raw model.encode:   {len(sentences) / t_raw_before:8.1f} sentences/s  ({t_raw_before:.1f} s)")

        store = open_store(settings)
        t0 = time.perf_counter()
        results = ingest([str(corpus)], store=store)
        t_ingest = time.perf_counter() - t0
        name = store.collection_name(None)
        stored = len(store.docs.all_sentences(name))
        statuses = {s: sum(r.status == s for r in results) for s in IngestStatus}
        # Throughput over the sentences actually embedded and stored: near-duplicates that ingest skips are
        # not counted as work done, so the comparison with raw encode stays honest.
        ingest_rate = stored / t_ingest
        # Raw encode again right after, so that a change in machine load shows instead of skewing the ratio.
        t_raw_after = raw_encode_seconds()
        print(f"raw model.encode:   {len(sentences) / t_raw_after:8.1f} sentences/s  ({t_raw_after:.1f} s, again)")
        raw_rate = 2 * len(sentences) / (t_raw_before + t_raw_after)
        print(f"crossread ingest:   {ingest_rate:8.1f} sentences/s  ({t_ingest:.1f} s; "
              f"{ingest_rate / raw_rate:.0%} of the mean raw encode; {stored} sentences stored; "
              + ", ".join(f"{n} {s}" for s, n in statuses.items()) + ")")
        rss = peak_rss_mb()
        size = folder_size(settings.data_dir)

        latencies = []
        for title in (titles * 2)[: args.queries]:
            t0 = time.perf_counter()
            search_sentences(store, name, title, 10)
            latencies.append((time.perf_counter() - t0) * 1000)

        if not args.skip_baseline:
            t_base, chunks = langchain_baseline(corpus, work / "baseline", store.embeddings)
            print(f"langchain baseline: {len(sentences) / t_base:8.1f} sentences/s  ({t_base:.1f} s; "
                  f"{chunks} chunks of 1,000 characters)")
        print(f"peak RSS: {rss:,.0f} MB; store on disk: {size / 1e6:.1f} MB "
              f"({stored} sentences, {statuses[IngestStatus.ADDED]} documents)")
        print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"search latency over {len(latencies)} queries: p50 {statistics.median(latencies):.1f} ms, "
              f"p95 {percentile(latencies, 0.95):.1f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def langchain_baseline(corpus: Path, persist: Path, embeddings: object) -> tuple[float, int]:
    """Seconds for the textbook LangChain pipeline on the same files, and the number of chunks it embeds."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    t0 = time.perf_counter()
    docs = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": str(p)})
            for p in sorted(corpus.glob("*.txt"))]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    Chroma.from_documents(
        chunks, embeddings, persist_directory=str(persist),  # type: ignore[arg-type]
        client_settings=chromadb.Settings(anonymized_telemetry=False, is_persistent=True,
                                          persist_directory=str(persist)),
    )
    return time.perf_counter() - t0, len(chunks)


def _torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


if __name__ == "__main__":
    main()
