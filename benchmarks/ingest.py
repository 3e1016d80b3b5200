"""Ingest and "where users wait" benchmark: one run, one machine, every figure beside its baseline.

Prints, with the load average beside each part:
  1. raw encode (torch and ONNX) of the same sentences, Crossread ingest with each encoder, and the ratios;
  2. 1 vs 2 worker processes (`ingest(workers=2)`) on the same articles;
  3. ingest rate per batch as the store grows, and after each batch the first and steady (p50) latency of
     search, retrieve and extractive ask, with the process RSS;
  4. single-file ingest time and peak RSS (each in a fresh process, over that process's own baseline) at sizes;
  5. briefing time for 3, 30 and 300 articles (stored vectors, no re-encoding), and the 300 again (parses kept);
  6. CLI cold start (`crossread --help`, `sources`, `ask` on the shipped corpus), each a fresh process.

Articles come from the AllSides development data (raw_dev.jsonl: 1,065 news excerpts); growth batches are new
articles made by recombining their paragraphs (different enough not to be near-duplicates).

    python benchmarks/ingest.py [--articles 400] [--batches 3] [--batch-sentences 5000] [--file-mb 1,2] [--langchain]
                                [--skip PARTS] [--markdown DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "devdata" / "allsides" / "raw_dev.jsonl"
CLI = Path(sys.executable).with_name("crossread")


def dev_articles(source: Path) -> list[tuple[str, str, list[str]]]:
    """(title, outlet, paragraphs) of every article in raw_dev.jsonl."""
    articles = []
    for line in source.read_text(encoding="utf-8").splitlines():
        for article in json.loads(line)["news"].values():
            body = article.get("newBody") or []
            paragraphs = [str(p).strip() for p in (body if isinstance(body, list) else [body]) if str(p).strip()]
            if paragraphs:
                articles.append((article["newsTitle"], article.get("newsSource") or "", paragraphs))
    return articles


def write_article(path: Path, title: str, outlet: str, paragraphs: list[str]) -> None:
    path.write_text(f"Title: {title}\nSource: {outlet}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def mixed_batch(articles: list[tuple[str, str, list[str]]], folder: Path, sentences: int, seed: int) -> None:
    """New articles of 6 paragraphs drawn from different articles, about `sentences` sentences in all."""
    rng = random.Random(seed)
    pool = [p for _, _, paragraphs in articles for p in paragraphs]
    folder.mkdir(parents=True)
    total, n = 0, 0
    while total < sentences:
        paragraphs = rng.sample(pool, 6)
        write_article(folder / f"{n:06d}.txt", f"Roundup {seed}-{n}", f"Outlet {n % 40}", paragraphs)
        total += sum(p.count(". ") + 1 for p in paragraphs)
        n += 1


def load() -> str:
    return "load " + "/".join(f"{x:.1f}" for x in os.getloadavg())


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss it does not inherit the parent's peak across exec)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def cpu_timed(func: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds over all its threads)."""
    start, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - start, time.process_time() - cpu


def langchain_baseline(corpus: Path, persist: Path, embeddings: object) -> tuple[float, int]:
    """Seconds for the textbook LangChain pipeline on the same files, and the number of chunks it embeds."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    start = time.perf_counter()
    docs = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": str(p)})
            for p in sorted(corpus.glob("*.txt"))]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    Chroma.from_documents(chunks, embeddings, persist_directory=str(persist),  # type: ignore[arg-type]
                          client_settings=chromadb.Settings(anonymized_telemetry=False, is_persistent=True,
                                                            persist_directory=str(persist)))
    return time.perf_counter() - start, len(chunks)


def encoders_and_ingest(articles: list, work: Path, count: int, langchain: bool) -> None:
    from rag.embeddings import SentenceEmbeddings
    from rag.ingest import ingest
    from rag.sentences import split_sentences
    from rag.store import open_store

    folder = work / "dev"
    folder.mkdir()
    for n, (title, outlet, paragraphs) in enumerate(articles[:count]):
        write_article(folder / f"{n:05d}.txt", title, outlet, paragraphs)
    texts = [s.text for _, _, ps in articles[:count] for p in ps for s in split_sentences("x", p)]
    print(f"\n== 1. encoders and ingest: {count} articles, {len(texts)} sentences; {os.cpu_count()} CPUs; {load()}")
    rates = {}
    for backend in ("torch", "onnx"):
        encoder = SentenceEmbeddings(backend=backend)  # type: ignore[arg-type]
        encoder.encode(["warm up"] * 8)
        wall, raw_cpu = cpu_timed(lambda e=encoder: e.encode(texts))  # type: ignore[misc]
        raw_before = len(texts) / wall
        store = open_store({"data_dir": work / f"store-{backend}"})
        store.embeddings = encoder
        seconds, ingest_cpu = cpu_timed(lambda s=store: ingest([str(folder)], store=s))  # type: ignore[misc]
        stored = len(store.docs.all_sentences("default"))
        wall, cpu = cpu_timed(lambda e=encoder: e.encode(texts))  # type: ignore[misc]
        raw_after, raw_cpu = len(texts) / wall, (raw_cpu + cpu) / 2
        raw = (raw_before + raw_after) / 2
        rates[backend] = raw
        # CPU per sentence is steadier than wall time on a loaded machine: ingest's share of the encoder's speed
        # when the CPU is the limit.
        by_cpu = (raw_cpu / len(texts)) / (ingest_cpu / stored)
        print(f"{backend:5s}  raw encode {raw_before:6.1f} / {raw_after:6.1f} sentences/s (before/after)   "
              f"ingest {stored / seconds:6.1f} sentences/s = {stored / seconds / raw:.0%} of raw; "
              f"by CPU {by_cpu:.0%} (CPU s per 1,000 sentences: raw {1000 * raw_cpu / len(texts):.1f}, "
              f"ingest {1000 * ingest_cpu / stored:.1f})   {load()}")
    print(f"onnx / torch raw encode: {rates['onnx'] / rates['torch']:.2f}x")
    if langchain:
        seconds, chunks = langchain_baseline(folder, work / "langchain", SentenceEmbeddings(backend="onnx"))
        print(f"LangChain baseline (RecursiveCharacterTextSplitter 1,000/200 + Chroma.from_documents, ONNX): "
              f"{len(texts) / seconds:6.1f} sentences/s ({chunks} chunks)  {load()}")
    for workers in (1, 2):
        store = open_store({"data_dir": work / f"store-workers-{workers}"})
        seconds = timed(lambda s=store, w=workers: ingest([str(folder)], store=s, workers=w))  # type: ignore[misc]
        stored = len(store.docs.all_sentences("default"))
        print(f"== 2. workers={workers}: {stored / seconds:6.1f} sentences/s ({seconds:.1f} s incl. worker start)  "
              f"{load()}")


def growth(articles: list, work: Path, batches: int, batch_sentences: int, titles: list[str], n: int) -> Path:
    """`titles`: questions, each asked once in the run (a process keeps the parses and vectors of what it met,
    so a question asked again would be timed warm); `n` + 1 per batch and call."""
    from rag.answer import answer
    from rag.ingest import ingest
    from rag.retrieval import retrieve, search_sentences
    from rag.store import open_store

    print(f"\n== 3. growth: {batches} batches of ~{batch_sentences} sentences; latency in ms, first / steady p50")
    data = work / "grow"
    store = open_store({"data_dir": data})
    for b in range(batches):
        folder = work / f"batch-{b}"
        mixed_batch(articles, folder, batch_sentences, seed=b)
        before = len(store.docs.all_sentences("default"))
        seconds = timed(lambda f=folder: ingest([str(f)], store=store))  # type: ignore[misc]
        total = len(store.docs.all_sentences("default"))
        row = [f"{total:>7,} sentences  ingest {(total - before) / seconds:6.1f}/s"]
        for k, (name, call) in enumerate((("search", lambda q: search_sentences(store, "default", q, 10)),
                                          ("retrieve", lambda q: retrieve(store, "default", q, store.settings)),
                                          ("ask", lambda q: answer(q, store=store, generator="extractive")))):
            queries = titles[(3 * b + k) * (n + 1):(3 * b + k + 1) * (n + 1)]
            try:
                first = timed(lambda c=call, q=queries[0]: c(q)) * 1000  # type: ignore[misc]
                steady = [timed(lambda c=call, q=q: c(q)) * 1000 for q in queries[1:]]  # type: ignore[misc]
            except Exception as exc:  # keep the run's other figures
                row.append(f"{name} failed ({type(exc).__name__})")
                continue
            row.append(f"{name} {first:5.0f}/{statistics.median(steady):4.0f}")
        print("  ".join(row) + f"  RSS {rss_mb():,.0f} MB  {load()}")
    return data


def single_file_child(path: Path) -> None:
    """In a fresh process: ingest a small file (model, store, arena warm), then `path`; print JSON figures."""
    from rag.ingest import ingest
    from rag.store import open_store

    store = open_store({"data_dir": Path(tempfile.mkdtemp(prefix="crossread-file-"))})
    warm = path.with_name("warm.txt")
    warm.write_text("Officials met on Monday. They agreed on a budget for the coming year.\n")
    ingest([str(warm)], store=store)
    store.embeddings.encode(["A long sentence to warm the encoder " * 30] * 64, remember=False)  # 64 rows run
    base = peak_rss_mb()
    seconds = timed(lambda: ingest([str(path)], store=store))
    peak = peak_rss_mb()
    print(json.dumps({"seconds": seconds, "base": base, "peak": peak,
                      "sentences": len(store.docs.all_sentences("default"))}))


def single_files(articles: list, work: Path, sizes: list[float]) -> None:
    print("\n== 4. one file: time and peak RSS over the process's warm baseline")
    paragraphs = [p for _, _, ps in articles for p in ps]
    for mb in sizes:
        path = work / f"single-{mb}mb" / "file.txt"
        path.parent.mkdir()
        out, size, n = [], 0, 0
        while size < mb * 1e6:
            out.append(f"{paragraphs[n % len(paragraphs)]} (Part {n}.)")
            size, n = size + len(out[-1].encode()) + 2, n + 1
        path.write_text("\n\n".join(out), encoding="utf-8")
        child = subprocess.run([sys.executable, __file__, "--child-file", str(path)], capture_output=True, text=True,
                               check=True)
        r = json.loads(child.stdout.strip().splitlines()[-1])
        rate = r["sentences"] / r["seconds"]
        print(f"{mb:4g} MB: {r['sentences']:,} sentences in {r['seconds']:.1f} s ({rate:.0f}/s); peak RSS "
              f"{r['peak']:,.0f} MB over {r['base']:,.0f} = {(r['peak'] - r['base']) / mb:.0f} MB per MB  {load()}")


def briefings(articles: list, work: Path, markdown: Path | None = None) -> None:
    """`markdown`: a folder to save the 300-article briefings and 13 three-article selections in (diff two runs
    to check that a speed change left every briefing as it was)."""
    from rag.engine import Crossread
    from rag.export import to_markdown
    from rag.ingest import ingest
    from rag.store import open_store

    print("\n== 5. briefings (extractive, stored vectors; through the engine, as the app and the CLI)")
    store = open_store({"data_dir": work / "store-onnx"})
    docs = [d["doc_id"] for d in store.docs.list_documents("default")]
    if len(docs) < 303:
        folder = work / "brief-extra"
        folder.mkdir()
        for n, (title, outlet, paragraphs) in enumerate(articles[len(docs):len(docs) + 303]):
            write_article(folder / f"{n:05d}.txt", title, outlet, paragraphs)
        ingest([str(folder)], store=store)
        docs = [d["doc_id"] for d in store.docs.list_documents("default")]
    engine = Crossread(store=store, generator="extractive")
    # Warm-up (spaCy, model) on articles outside the timed ones: their sentences' parses are kept.
    engine.brief_stories(doc_ids=docs[-3:])
    briefed: dict[int, list] = {}
    for count in (3, 30, 300):
        seconds, cpu = cpu_timed(lambda c=count: briefed.__setitem__(  # type: ignore[misc]
            c, engine.brief_stories(doc_ids=docs[:c])))
        print(f"{count:3d} articles: {seconds:5.1f} s (this process's CPU {cpu:4.1f} s)  {load()}")
    # The same selection again: its sentences' parses and its claims' vectors are kept from the run above.
    seconds = timed(lambda: engine.brief_stories(doc_ids=docs[:300]))
    print(f"300 again:    {seconds:5.1f} s (parses and claim vectors kept from the first)  {load()}")
    if markdown is not None:
        markdown.mkdir(parents=True, exist_ok=True)
        (markdown / "300.md").write_text("\n\n=====\n\n".join(to_markdown(b) for b in briefed[300]))
        events = [engine.brief_stories(doc_ids=docs[100 + 3 * i:103 + 3 * i]) for i in range(13)]
        (markdown / "three-article.md").write_text("\n\n#####\n\n".join(
            "\n\n=====\n\n".join(to_markdown(b) for b in briefs) for briefs in events))
        print(f"markdown of the 300-article briefings and 13 three-article selections in {markdown}")


def cli_starts(work: Path) -> None:
    print("\n== 6. CLI cold start (fresh process each, best of 3), shipped corpus")
    env = {**os.environ, "CROSSREAD_DATA_DIR": str(work / "cli-store")}
    subprocess.run([str(CLI), "ingest", str(ROOT / "corpus")], env=env, check=True, capture_output=True)
    for args in (["--help"], ["sources"], ["ask", "How many troops took part in the drills?"]):
        best = min(timed(lambda a=args: subprocess.run([str(CLI), *a], env=env, check=True,  # type: ignore[misc]
                                                       capture_output=True)) for _ in range(3))
        print(f"crossread {args[0]:7s} {best:5.2f} s  {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--batch-sentences", type=int, default=5000)
    parser.add_argument("--file-mb", default="1,2")
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: encoders,growth,files,brief,cli")
    parser.add_argument("--langchain", action="store_true", help="also time the LangChain baseline (extra 'bench')")
    parser.add_argument("--markdown", type=Path, help="save the briefings' markdown here (part 5), to diff runs")
    parser.add_argument("--child-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_file:
        single_file_child(args.child_file)
        return
    skip = set(args.skip.split(","))
    articles = dev_articles(args.source)
    titles = list(dict.fromkeys(title for title, _, _ in articles))
    random.Random(7).shuffle(titles)
    print(f"crossread ingest benchmark; {os.cpu_count()} CPUs; {load()}")
    with tempfile.TemporaryDirectory(prefix="crossread-bench-") as tmp:
        work = Path(tmp)
        if "encoders" not in skip:
            encoders_and_ingest(articles, work, args.articles, args.langchain)
        if "growth" not in skip:
            growth(articles, work, args.batches, args.batch_sentences, titles, args.queries)
        if "files" not in skip:
            single_files(articles, work, [float(x) for x in args.file_mb.split(",") if x])
        if "brief" not in skip:
            try:
                briefings(articles, work, args.markdown)
            except Exception as exc:  # another part's failure must not cost the rest of the run's figures
                print(f"briefings failed: {type(exc).__name__}: {exc}")
        if "cli" not in skip:
            cli_starts(work)
    print(f"\ndone; {load()}")


if __name__ == "__main__":
    main()
