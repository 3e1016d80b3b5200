"""Reliability benchmark: bad-input matrix, staggered concurrent writers, kill -9 mid-ingest, single-file sizes.

Prints, from one run:
  * every bad-input class (benchmarks/reliability_inputs.py): outcome, the one-line message, whether the good
    article ingested in the same batch was added, and whether anything escaped as a traceback;
  * after R rounds of N writer processes started at random offsets on one fresh data folder with overlapping
    articles: documents lost, duplicated (added by two runs), orphan vectors, missing vectors;
  * after K SIGKILLs at random moments of `crossread ingest` on one data folder, then one clean run:
    documents lost, orphan vectors, missing vectors;
  * ingest time of single plain-text articles of the given sizes, and seconds per MB (linear means flat).

    python benchmarks/reliability.py [--writers 4 --rounds 20 --kills 20 --sizes 1,2,4,8]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reliability_inputs import ARTICLE, CLI_CASES, file_cases, serve, url_cases  # noqa: E402

CROSSREAD = Path(sys.executable).with_name("crossread")


def articles(folder: Path, names: range, seed: int) -> None:
    extra = ["river", "bridge", "budget", "mayor", "vote", "court", "storm", "port", "strike", "harbour", "train"]
    words = ARTICLE.replace(".", "").split() + extra
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        rng = random.Random(seed * 1_000_003 + n)
        body = " ".join(" ".join(rng.choice(words) for _ in range(rng.randint(8, 14))).capitalize() + "."
                        for _ in range(5))
        (folder / f"{n:04d}.txt").write_text(f"Title: Article {n}\nSource: Outlet {n % 3}\n\n{body}\n")


def audit(data_dir: Path) -> dict[str, int]:
    """Complete/pending documents, vectors outside complete documents (orphans; stray: not even of a pending
    one), complete sentences without a vector (missing)."""
    from rag.store import open_store

    store = open_store({"data_dir": data_dir})
    complete = {s.sentence_id for s in store.docs.all_sentences("default")}
    pending = set(store.docs.pending("default"))
    vectors = store.vectors.ids("default")
    return {"complete": len(store.docs.list_documents("default")), "pending": len(pending),
            "orphans": len(vectors - complete), "missing": len(complete - vectors),
            "stray": sum(1 for v in vectors - complete if v.rsplit(":", 1)[0] not in pending)}


# --- bad inputs -----------------------------------------------------------------------------------
def matrix(work: Path) -> list[tuple[str, str, str, bool, bool]]:
    from typer.testing import CliRunner

    from rag.cli import _register, app
    from rag.ingest import ingest
    from rag.store import open_store

    store = open_store({"data_dir": work / "matrix-store", "ingest": {"http_timeout": 3, "max_bytes": 1_000_000}})
    root = work / "inputs"
    root.mkdir()
    base, httpd = serve()
    cases = [(name, make, False) for name, make in file_cases(root)]
    cases += [(name, (lambda v=value: v), box) for name, value, box in url_cases(base, root)]
    rows = []
    for number, (name, make, box) in enumerate(cases):
        good = root / f"good-{number}.txt"
        good.write_text(f"Title: Good {number}\n\nGood article number {number} reports a calm day in town "
                        f"{number}. Nothing else happened there on day {number}.")
        good_input = f"{base}/good/{number}" if box else str(good)  # the app's URL box takes URLs only
        try:
            bad = make()
            results = ingest([bad, good_input], store=store, urls_only=box)
            first = [r for r in results if r.input != good_input]
            outcome = ",".join(sorted({str(r.status) for r in first})) or "nothing found"
            message = "; ".join(sorted({r.reason or "" for r in first if r.reason}))[:160]
            good_added = any(r.input == good_input and r.status == "added" for r in results)
            rows.append((name, outcome, message, good_added, False))
        except Exception as exc:  # a traceback: exactly what must not happen
            rows.append((name, "TRACEBACK", f"{type(exc).__name__}: {exc}"[:160], False, True))
            traceback.print_exc()
    httpd.shutdown()
    _register()
    runner = CliRunner()
    for name, args in CLI_CASES:
        result = runner.invoke(app, args, env={"CROSSREAD_DATA_DIR": str(work / "cli-store")})
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        one_line = result.stderr.strip().count("\n") == 0
        rows.append((f"CLI {name}", f"exit {result.exit_code}" + ("" if one_line else " (multi-line)"),
                     result.stderr.strip()[:160], True, crashed))
    return rows


# --- concurrent writers ---------------------------------------------------------------------------
def _writer(task: tuple[str, str, float]) -> int:
    from rag.ingest import ingest
    from rag.store import open_store

    data_dir, folder, start_at = task
    time.sleep(max(0.0, start_at - time.time()))
    results = ingest([folder], store=open_store({"data_dir": Path(data_dir)}))
    return sum(r.status == "added" for r in results)


def _warm(_: int) -> None:
    from rag.embeddings import SentenceEmbeddings
    from rag.settings import DEFAULT_EMBEDDING_MODEL

    SentenceEmbeddings(DEFAULT_EMBEDDING_MODEL, 64).encode(["warm up"])


def concurrency(work: Path, writers: int, rounds: int) -> dict[str, int]:
    totals = {"rounds": rounds, "lost": 0, "duplicated": 0, "orphans": 0, "missing": 0, "pending": 0}
    with mp.get_context("spawn").Pool(writers) as pool:
        pool.map(_warm, range(writers), chunksize=1)
        for r in range(rounds):
            data_dir = work / f"round-{r}"
            sets = [range(i * 10, i * 10 + 15) for i in range(writers)]  # neighbours share 5 articles
            folders = [work / f"round-{r}-in{i}" for i in range(writers)]
            for folder, names in zip(folders, sets, strict=True):
                articles(folder, names, seed=r)
            now = time.time() + 0.5
            tasks = [(str(data_dir), str(f), now + random.uniform(0, 1.5)) for f in folders]
            added = sum(pool.map(_writer, tasks, chunksize=1))
            unique = len(set().union(*sets))
            found = audit(data_dir)
            totals["lost"] += unique - found["complete"]
            totals["duplicated"] += added - unique
            for key in ("orphans", "missing", "pending"):
                totals[key] += found[key]
    return totals


# --- kill -9 --------------------------------------------------------------------------------------
def kills(work: Path, count: int) -> dict[str, int]:
    """Each kill on a fresh data folder (a random moment of a 150-article run), audited, then repaired in-process."""
    from rag.ingest import ingest
    from rag.store import open_store

    folder = work / "kill-in"
    articles(folder, range(150), seed=99)
    totals = {"kills mid-ingest": 0, "finished before the kill": 0, "inconsistent right after a kill": 0,
              "lost": 0, "orphans": 0, "missing": 0, "pending": 0}
    dirs = []
    for k in range(count):
        data_dir = work / f"kill-{k}"
        env = {**os.environ, "CROSSREAD_DATA_DIR": str(data_dir)}
        proc = subprocess.Popen([str(CROSSREAD), "ingest", str(folder), "--json"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(4, 14))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            totals["kills mid-ingest"] += 1
        else:
            totals["finished before the kill"] += 1
        proc.wait()
        if (data_dir / "crossread.sqlite").exists():
            found = audit(data_dir)
            # Right after a crash: complete documents fully searchable; stray vectors only of pending ones.
            totals["inconsistent right after a kill"] += found["missing"] > 0 or found["stray"] > 0
        dirs.append(data_dir)
    for data_dir in dirs:  # the next writer repairs and completes
        ingest([str(folder)], store=open_store({"data_dir": data_dir}))
        found = audit(data_dir)
        totals["lost"] += 150 - found["complete"]
        for key in ("orphans", "missing", "pending"):
            totals[key] += found[key]
    return totals


# --- size -----------------------------------------------------------------------------------------
def sizes(work: Path, megabytes: list[float]) -> Iterator[tuple[float, int, float]]:
    from rag.ingest import ingest
    from rag.store import open_store

    words = (ARTICLE + " river bridge budget mayor vote court storm port strike").replace(".", "").split()
    rng = random.Random(5)
    for mb in megabytes:
        parts, size = [], 0
        while size < mb * 1e6:
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(10, 20))).capitalize() + ". "
            parts.append(sentence + ("\n" if rng.random() < 0.15 else ""))
            size += len(parts[-1])
        path = work / f"big-{mb}.txt"
        path.write_text("".join(parts))
        store = open_store({"data_dir": work / f"size-{mb}"})
        store.embeddings.encode(["warm up"])
        started = time.perf_counter()
        [result] = ingest([str(path)], store=store)
        elapsed = time.perf_counter() - started
        sentences = len(store.docs.sentences_of("default", result.doc_id or ""))
        yield mb, sentences, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--sizes", default="1,2,4,8", help="MB, comma-separated")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: matrix,writers,kills,sizes")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    work = Path(tempfile.mkdtemp(prefix="crossread-reliability-"))
    if "matrix" not in skip:
        rows = matrix(work)
        print(f"## Bad-input matrix ({len(rows)} classes)\n\n| class | outcome | message | batch ok | traceback |")
        print("|---|---|---|---|---|")
        for name, outcome, message, good, crashed in rows:
            clean = message.replace(str(work), "…").replace("|", "/").replace("\x1b", "\\x1b")
            print(f"| {name} | {outcome} | {clean} | {'yes' if good else 'NO'} | {'YES' if crashed else 'no'} |")
        print(f"\ntracebacks: {sum(r[4] for r in rows)}; batches that lost their good article: "
              f"{sum(not r[3] for r in rows)}\n", flush=True)
    if "writers" not in skip:
        started = time.perf_counter()
        totals = concurrency(work, args.writers, args.rounds)
        print(f"## {args.writers} staggered writers × {args.rounds} rounds ({time.perf_counter() - started:.0f} s)\n")
        print(json.dumps(totals), flush=True)
    if "kills" not in skip:
        print(f"\n## kill -9 mid-ingest\n\n{json.dumps(kills(work, args.kills))}", flush=True)
    if "sizes" not in skip:
        print("\n## Single-file ingest time\n\n| MB | sentences | seconds | s per MB |\n|---|---|---|---|")
        for mb, count, seconds in sizes(work, [float(x) for x in args.sizes.split(",")]):
            print(f"| {mb:g} | {count} | {seconds:.1f} | {seconds / mb:.1f} |", flush=True)
    print(f"\n(work folder {work})")


if __name__ == "__main__":
    main()
