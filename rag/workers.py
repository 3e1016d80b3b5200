"""Ingest spread over processes (`--workers N`) or a Ray cluster (`--ray ADDRESS`).

Reading, splitting, signing and encoding run in parallel on groups of inputs ("tasks"); the process that holds
the data folder's writer lock receives each task's analysed articles, with their vectors, in input order and
decides and writes them exactly as a one-process run does (rag.ingest), so the store is the same whatever
the number of workers, and a crash leaves only pending rows that the next writer rolls back.

The pool is `concurrent.futures.ProcessPoolExecutor` (spawned processes: torch and onnxruntime threads do not
survive a fork) or Ray Data `map` over the tasks with an actor pool; no job queue of our own. Workers open the
store read-only to skip articles already stored; on a cluster every worker must reach the same inputs (a shared
folder, or URLs) and the same store.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from rag.ingest import Analysed, analyse
from rag.loaders import LoadedInput, is_url, iter_articles
from rag.settings import Settings

Unit = str | LoadedInput  # one file or URL to read, or a path that already failed (its error)
# Bytes of input per task: enough sentences for full encoder batches, small enough to share work out evenly.
TASK_BYTES = 64_000


def expand_inputs(inputs: Sequence[str], urls_only: bool = False) -> list[Unit]:
    """Files of the inputs (folders walked as `iter_articles` walks them), URLs as they are; with `urls_only`
    nothing is walked (every non-URL is rejected unread)."""
    from rag.loaders import _walk  # the one folder walk: hidden entries skipped, unreadable ones reported

    units: list[Unit] = []
    for item in inputs:
        path = Path(item)
        if urls_only or is_url(item) or not path.is_dir():
            units.append(item)
            continue
        for entry in _walk(path):
            units.append(str(entry) if isinstance(entry, Path) else LoadedInput(entry.source, error=str(entry)))
    return units


def tasks_of(units: Sequence[Unit]) -> list[list[tuple[int, Unit]]]:
    """Consecutive units grouped into tasks of about TASK_BYTES (a URL, or a big file, is a task of its own)."""
    tasks: list[list[tuple[int, Unit]]] = []
    size = TASK_BYTES
    for position, unit in enumerate(units):
        try:
            weight = TASK_BYTES if isinstance(unit, str) and is_url(unit) else (
                os.stat(unit).st_size if isinstance(unit, str) else 0)
        except OSError:
            weight = 0
        if size + weight > TASK_BYTES and size > 0:
            tasks.append([])
            size = 0
        tasks[-1].append((position, unit))
        size += weight
    return tasks


class TaskRunner:
    """Reads, splits, signs and encodes one task in a worker; the encoder loads once per worker."""

    def __init__(self, settings: Settings, collection: str, urls_only: bool, threads: int):
        from rag.embeddings import build_encoder
        from rag.store import open_store

        self.settings, self.collection, self.urls_only = settings, collection, urls_only
        self.docs = open_store(settings).docs
        self.encoder = build_encoder(settings.embedding_model, threads=threads)

    def stored(self, doc_id: str) -> bool:
        return (self.docs.state(self.collection, doc_id) == "complete"
                or self.docs.duplicate_of(self.collection, doc_id) is not None)

    def run(self, task: list[tuple[int, Unit]]) -> list[Analysed]:
        found: list[Analysed] = []
        for position, unit in task:
            loaded = [unit] if isinstance(unit, LoadedInput) else iter_articles([unit], self.settings, self.urls_only)
            found.extend(analyse((position, sub), item, self.stored) for sub, item in enumerate(loaded))
        texts = [s.text for a in found if a.sentences for s in a.sentences]
        if texts:
            vectors = self.encoder.encode(texts, self.settings.ingest.embed_batch_size)
            start = 0
            for a in found:
                if a.sentences:
                    a.vectors, start = vectors[start:start + len(a.sentences)], start + len(a.sentences)
        return found

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        """Ray Data's row function: a pickled task in, its pickled analysed articles out."""
        return {"task": row["task"], "found": pickle.dumps(self.run(pickle.loads(row["units"])))}


def analysed_in_parallel(inputs: Sequence[str], settings: Settings, collection: str, workers: int,
                         ray_address: str | None, urls_only: bool) -> Iterator[Analysed]:
    """Every input analysed and encoded by `workers` processes (or Ray actors), yielded in input order."""
    tasks = tasks_of(expand_inputs(inputs, urls_only))
    if not tasks:
        return iter(())
    # Encoder threads per worker: the cores shared out, at least one each.
    threads = max(1, (os.cpu_count() or 1) // workers)
    if ray_address:
        return _on_ray(tasks, settings, collection, workers, ray_address, urls_only, threads)
    return _on_processes(tasks, settings, collection, workers, urls_only, threads)


_runner: TaskRunner | None = None  # the worker process's own runner (set by its pool initialiser)


def _start_worker(settings: Settings, collection: str, urls_only: bool, threads: int) -> None:
    global _runner
    _runner = TaskRunner(settings, collection, urls_only, threads)


def _run_task(task: list[tuple[int, Unit]]) -> list[Analysed]:
    assert _runner is not None
    return _runner.run(task)


def _on_processes(tasks: list[list[tuple[int, Unit]]], settings: Settings, collection: str, workers: int,
                  urls_only: bool, threads: int) -> Iterator[Analysed]:
    pool = ProcessPoolExecutor(min(workers, len(tasks)), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(settings, collection, urls_only, threads))
    try:
        for found in pool.map(_run_task, tasks):
            yield from found
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _on_ray(tasks: list[list[tuple[int, Unit]]], settings: Settings, collection: str, workers: int,
            ray_address: str, urls_only: bool, threads: int) -> Iterator[Analysed]:
    from rag.errors import CrossreadError

    try:
        import ray
        import ray.data
    except ImportError:
        raise CrossreadError("--ray needs Ray: pip install 'crossread[ray]'") from None
    started_here = not ray.is_initialized()
    if started_here:
        # "local" starts Ray in this machine with `workers` CPUs; anything else is a cluster address (ray://…, auto).
        local = ray_address == "local"
        ray.init(address=None if local else ray_address, num_cpus=workers if local else None,
                 include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
        logging.getLogger("ray.data").setLevel(logging.WARNING)
    try:
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # the writer decides in input order, as in one process
        context.enable_progress_bars = False
        rows = [{"task": i, "units": pickle.dumps(task)} for i, task in enumerate(tasks)]
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map(
            TaskRunner, fn_constructor_args=(settings, collection, urls_only, threads),  # type: ignore[arg-type]
            compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=1)
        for row in dataset.iter_rows():
            yield from pickle.loads(row["found"])
    finally:
        if started_here:
            ray.shutdown()
