"""Ingest: inputs → articles → content-derived ids → sentences and chunks → vectors, consistently.

Order of writes, so that a crash at any point leaves the store consistent:
  1. SQLite: document + sentences, state `pending` (one transaction);
  2. Chroma: upsert sentence vectors (ids `doc_id:index`, so a retry overwrites, never doubles);
  3. SQLite: state `complete` (one transaction).
A run holds the data folder's writer lock from start to end (`rag.writelock` says why a lock), so
`Store.repair` at its start rolls back only what crashed writers left pending, never a live run's work;
readers see only complete documents and never wait.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from rag import dedup
from rag.errors import CrossreadError
from rag.loaders import LoadedInput, iter_articles
from rag.metadata import merge_meta, normalise_date
from rag.sentences import split_sentences
from rag.settings import Settings
from rag.store import Store, open_store
from rag.types import Document, DocumentMeta, IngestResult, IngestStatus, Sentence, content_id, display_label
from rag.writelock import Waiting

Progress = Callable[[IngestResult], None]

# Slices encoded or written but not yet collected: bounds memory while the stages overlap.
_IN_FLIGHT = 2
# Sentences per vector-store write: Chroma's transient memory grows with a write's size (2,048 at once peaked
# ~4 MB above four writes of 512).
_VECTOR_WRITE = 512


@dataclass
class IngestTally:
    """Progress of one run: documents done of those found, sentences stored of those split, rate and ETA."""

    documents_total: int = 0
    documents_done: int = 0
    sentences_found: int = 0
    sentences_done: int = 0
    documents_split: int = 0  # split and queued, not yet written
    documents_added: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        """Sentences stored per second so far."""
        return self.sentences_done / max(time.monotonic() - self.started, 1e-6)

    @property
    def sentences_expected(self) -> float:
        """Sentences split so far plus, for documents not yet split, as many each as the average so far."""
        split = self.documents_split + self.documents_added
        unsplit = max(self.documents_total - self.documents_done - self.documents_split, 0)
        return self.sentences_found + unsplit * self.sentences_found / max(split, 1)

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far; None before any sentence is stored."""
        if not self.sentences_done:
            return None
        return (self.sentences_expected - self.sentences_done) / self.rate


Tally = Callable[[IngestTally], None]


@dataclass
class Analysed:
    """One input read and split: what the writer needs to decide and write it (vectors when a worker encoded)."""

    key: tuple[int, int]  # (input unit, article within it): results come back in this order
    source: str
    reason: str | None = None  # set when the input was rejected
    doc_id: str = ""
    text: str = ""
    meta: DocumentMeta | None = None
    sentences: tuple[Sentence, ...] | None = None  # None: not split (already stored or a known duplicate)
    signature: bytes = b""
    vectors: np.ndarray | None = None


def analyse(key: tuple[int, int], loaded: LoadedInput, stored: Callable[[str], bool] | None = None) -> Analysed:
    """Split and sign one loaded input; `stored(doc_id)` true skips the work (the writer reports why)."""
    if loaded.article is None:
        return Analysed(key, loaded.source, reason=loaded.error or f"{loaded.source}: could not read")
    article = loaded.article
    doc_id = content_id(article.text)
    found = Analysed(key, loaded.source, doc_id=doc_id, text=article.text, meta=article.meta)
    if stored is not None and stored(doc_id):
        return found
    found.sentences = tuple(split_sentences(doc_id, article.text))
    if found.sentences:
        found.signature = dedup.signature(article.text)
    return found


def ingest(
    inputs: Sequence[str],
    *,
    collection: str | None = None,
    outlet: str | None = None,
    date: str | None = None,
    settings: Settings | dict | None = None,
    store: Store | None = None,
    progress: Progress | None = None,
    waiting: Waiting | None = None,
    urls_only: bool = False,
    tally: Tally | None = None,
    workers: int = 1,
    ray_address: str | None = None,
) -> list[IngestResult]:
    """Ingest files, folders, URLs and feeds; one result per article found or input rejected.

    `waiting` is told, once, when another writer holds the data folder and this run waits for it.
    `urls_only` rejects every input that is not an http(s) URL (the app: never read the server's files).
    `tally` is told the run's counts after every document and every written slice.
    `workers` > 1 reads, splits and encodes in that many processes; `ray_address` ("local" or a cluster address)
    does it as Ray Data batches (rag.workers). This process decides and writes either way.
    """
    store = store or open_store(settings)
    name = store.collection_name(collection)
    iso_date = normalise_date(date) if date else None
    if date and iso_date is None:
        raise CrossreadError(f"--date {date!r} is not a date (use e.g. 2023-11-07 or 'Nov 7, 2023')")
    if workers < 1:
        raise CrossreadError(f"--workers must be at least 1, not {workers}")
    override = DocumentMeta(outlet=outlet, date=iso_date)
    with store.writing("ingest", waiting):
        store.docs.ensure_collection(name)
        store.repair(name)
        parallel = workers > 1 or bool(ray_address)
        writer = _Writer(store, name, override, progress, tally, parallel)
        writer.counts.documents_total = _count_inputs(inputs, urls_only)
        if not parallel:
            analysed: Iterable[Analysed] = (
                analyse((position, 0), loaded, writer.is_known)
                for position, loaded in enumerate(iter_articles(inputs, store.settings, urls_only))
            )
        else:
            from rag import workers as pool

            analysed = pool.analysed_in_parallel(inputs, store.settings, name, workers, ray_address, urls_only)
        return writer.run(analysed)


def _count_inputs(inputs: Sequence[str], urls_only: bool) -> int:
    from rag.workers import expand_inputs

    return len(expand_inputs(inputs, urls_only))


class _Writer:
    """Decides what each analysed input is (added, unchanged, duplicate, rejected) and writes the new ones.

    Three stages overlap: this thread decides and writes pending rows, one thread encodes slice n+1 (the model
    releases the GIL) while another upserts slice n's vectors and marks documents whose last slice it holds
    complete. At most `_IN_FLIGHT` slices are in flight, so memory stays bounded; errors surface at collection.
    """

    def __init__(self, store: Store, name: str, override: DocumentMeta, progress: Progress | None,
                 tally: Tally | None, parallel: bool):
        self.store, self.name, self.override, self.parallel = store, name, override, parallel
        self.progress, self.tally = progress, tally
        self.counts = IngestTally()
        self.slice_sentences = store.settings.ingest.slice_sentences
        self.results: list[tuple[tuple[int, int], IngestResult]] = []
        self.run_ids: set[str] = set()  # documents added by this run (pending or complete)
        # Loaded once per run: re-reading every signature per article made ingest quadratic.
        self.known = dedup.SignatureIndex(store.docs.signatures(name))
        self.slice: list[tuple[Sentence, str]] = []  # sentences waiting for a slice, with their outlet label
        self.slice_vectors: list[np.ndarray] = []  # vectors a worker already computed for them
        self.finishing: list[tuple[tuple[int, int], Analysed]] = []  # documents whose last sentence is in it
        self.unwritten: list[tuple[Document, bytes | None]] = []  # pending rows written at the next flush
        self.in_flight: deque[tuple[Future[None], list[tuple[tuple[int, int], Analysed]], int]] = deque()

    def is_known(self, doc_id: str) -> bool:
        """Whether splitting can be skipped: stored complete, added by this run, or a recorded duplicate."""
        docs = self.store.docs
        return (doc_id in self.run_ids or docs.state(self.name, doc_id) == "complete"
                or docs.duplicate_of(self.name, doc_id) is not None)

    def run(self, analysed: Iterable[Analysed]) -> list[IngestResult]:
        with (ThreadPoolExecutor(1, thread_name_prefix="crossread-encode") as self.encoder,
              ThreadPoolExecutor(1, thread_name_prefix="crossread-write") as self.vector_writer):
            for item in analysed:
                outcome = self.decide(item)
                if outcome is not None:
                    self.report(item.key, outcome)
                    continue
                doc = self.document(item)
                self.unwritten.append((doc, item.signature))
                self.run_ids.add(doc.doc_id)
                self.known.add(doc.doc_id, item.signature)
                self.counts.sentences_found += len(doc.sentences)
                self.counts.documents_split += 1
                label, pending = display_label(doc.meta, doc.doc_id), list(reversed(doc.sentences))
                item.sentences = None
                del doc  # `pending` and `unwritten` (until the next flush) now hold the sentences
                self.queue(item, label, pending)
                self.collect(block=False)
            self.flush()
            self.collect(block=True, until=0)
        return [result for _, result in sorted(self.results, key=lambda pair: pair[0])]

    def decide(self, item: Analysed) -> IngestResult | None:
        """The result that says why `item` will not be written, or None when it is new."""
        if item.reason is not None:
            return IngestResult(item.source, IngestStatus.REJECTED, reason=item.reason)
        docs, doc_id = self.store.docs, item.doc_id
        if doc_id in self.run_ids or docs.state(self.name, doc_id) == "complete":
            return IngestResult(item.source, IngestStatus.UNCHANGED, doc_id)
        earlier = docs.duplicate_of(self.name, doc_id)
        if earlier:
            return IngestResult(item.source, IngestStatus.DUPLICATE, doc_id, duplicate_of=earlier,
                                reason=f"near-duplicate of {earlier}")
        if item.sentences is None:  # skipped as known when analysed; no longer known, so split it now
            item.sentences = tuple(split_sentences(doc_id, item.text))
            item.signature = dedup.signature(item.text) if item.sentences else b""
            item.vectors = None
        if not item.sentences:
            return IngestResult(item.source, IngestStatus.REJECTED, reason=f"{item.source}: no sentences found")
        match = self.known.most_similar(item.signature)
        if match and match[1] >= self.store.settings.ingest.near_duplicate_threshold:
            docs.record_duplicate(self.name, item.source, doc_id, match[0], match[1])
            return IngestResult(item.source, IngestStatus.DUPLICATE, doc_id, duplicate_of=match[0],
                                reason=f"near-duplicate ({match[1]:.0%} similar) of {match[0]}")
        return None

    def document(self, item: Analysed) -> Document:
        assert item.meta is not None and item.sentences
        meta = merge_meta(item.meta, self.override)
        if not meta.title:
            # Untitled plain text: readers recognise an article by its opening words far better than by a hash id.
            meta = replace(meta, title=_opening_words(item.sentences[0].text))
        return Document(doc_id=item.doc_id, text=item.text, meta=meta, sentences=item.sentences)

    def queue(self, item: Analysed, label: str, pending: list[Sentence]) -> None:
        """Add the document's sentences (`pending`, last first) to slices; a long document spans many, written as
        they fill. `pending` is consumed as slices fill, so a big document's written sentences are freed while
        the rest are encoded, not all held to its end."""
        vectors = item.vectors
        if vectors is None and self.parallel:  # re-split by the writer (see `decide`): slices carry vectors
            vectors = self.store.embeddings.encode([s.text for s in reversed(pending)], remember=False)
        item.text, item.vectors = "", None  # the pending row holds the text; keep no second copy in flight
        done = 0
        while pending:
            take = min(self.slice_sentences - len(self.slice), len(pending))
            part = pending[-take:]
            del pending[-take:]
            self.slice.extend((s, label) for s in reversed(part))
            if vectors is not None:
                self.slice_vectors.append(vectors[done:done + take])
            done += take
            if not pending:
                self.finishing.append((item.key, item))
            if len(self.slice) >= self.slice_sentences:
                self.flush()

    def flush(self) -> None:
        if not self.slice and not self.finishing:
            return
        # The slice's documents get their pending rows, in one transaction, before any of their vectors.
        self.store.docs.add_pending_many(self.name, self.unwritten)
        self.unwritten = []
        sentences = [s for s, _ in self.slice]
        outlets = [label for _, label in self.slice]
        if self.slice_vectors:
            encoded: Future[np.ndarray] = Future()
            encoded.set_result(np.concatenate(self.slice_vectors))
        else:
            encoded = self.encoder.submit(self.store.embeddings.encode, [s.text for s in sentences], False)
        written = self.vector_writer.submit(self._write, sentences, outlets, encoded,
                                            [item.doc_id for _, item in self.finishing])
        self.in_flight.append((written, self.finishing, len(sentences)))
        self.slice, self.slice_vectors, self.finishing = [], [], []
        self.collect(block=True, until=_IN_FLIGHT)

    def _write(self, sentences: list[Sentence], outlets: list[str], encoded: Future[np.ndarray],
               complete: list[str]) -> None:
        vectors = np.asarray(encoded.result())
        for start in range(0, len(sentences), _VECTOR_WRITE):
            end = start + _VECTOR_WRITE
            self.store.vectors.upsert(self.name, sentences[start:end], vectors[start:end], outlets[start:end])
        if complete:
            self.store.docs.mark_complete(self.name, complete)

    def collect(self, block: bool, until: int = 0) -> None:
        """Report slices written, oldest first: all done ones, and more while over `until` when blocking."""
        while self.in_flight and (self.in_flight[0][0].done() or (block and len(self.in_flight) > until)):
            written, finished, count = self.in_flight.popleft()
            written.result()
            self.counts.sentences_done += count
            for key, item in finished:
                self.counts.documents_split -= 1
                self.counts.documents_added += 1
                self.report(key, IngestResult(item.source, IngestStatus.ADDED, item.doc_id))
            if not finished and self.tally:
                self.tally(self.counts)

    def report(self, key: tuple[int, int], result: IngestResult) -> None:
        self.results.append((key, result))
        self.counts.documents_done += 1
        self.counts.documents_total = max(self.counts.documents_total, self.counts.documents_done)
        if self.progress:
            self.progress(result)
        if self.tally:
            self.tally(self.counts)


def _opening_words(text: str, words: int = 8) -> str:
    parts = text.split()
    if len(parts) <= words:
        return text
    head = parts[:words]
    while len(head) > 3 and head[-1].lower().strip(",;:") in {"the", "a", "an", "of", "to", "and", "in", "for", "on"}:
        head.pop()
    return " ".join(head).rstrip(",;:") + "…"
