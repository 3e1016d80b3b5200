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

from collections.abc import Callable, Sequence
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
from rag.types import Document, DocumentMeta, IngestResult, IngestStatus, content_id, display_label
from rag.writelock import Waiting

Progress = Callable[[IngestResult], None]

# Sentences buffered before one encode call: large enough to keep the model busy, small enough to
# mark documents complete often.
_FLUSH_SENTENCES = 512
# Overlap encoding with loading/splitting in one background thread (see `ingest`).
OVERLAP = True


@dataclass
class _Batch:
    docs: list[Document] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)

    @property
    def sentence_count(self) -> int:
        return sum(len(d.sentences) for d in self.docs)


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
) -> list[IngestResult]:
    """Ingest files, folders, URLs and feeds; one result per article found or input rejected.

    `waiting` is told, once, when another writer holds the data folder and this run waits for it.
    `urls_only` rejects every input that is not an http(s) URL (the app: never read the server's files).
    """
    store = store or open_store(settings)
    name = store.collection_name(collection)
    iso_date = normalise_date(date) if date else None
    if date and iso_date is None:
        raise CrossreadError(f"--date {date!r} is not a date (use e.g. 2023-11-07 or 'Nov 7, 2023')")
    override = DocumentMeta(outlet=outlet, date=iso_date)
    with store.writing("ingest", waiting):
        store.docs.ensure_collection(name)
        store.repair(name)
        return _ingest_locked(store, name, inputs, override, progress, urls_only)


def _ingest_locked(
    store: Store, name: str, inputs: Sequence[str], override: DocumentMeta, progress: Progress | None,
    urls_only: bool,
) -> list[IngestResult]:
    # (input position, result): results come back in input order although adds are reported at flush time.
    results: list[tuple[int, IngestResult]] = []
    batch = _Batch()
    run_ids: set[str] = set()  # documents added by this run (pending or complete)
    # Loaded once per run: re-reading every signature from SQLite per article made ingest quadratic.
    known = dedup.SignatureIndex(store.docs.signatures(name))
    # Encoding and the Chroma write of one batch overlap with loading and splitting the next (torch releases
    # the GIL); at most one batch is in flight, so memory stays bounded and errors surface at the next flush.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crossread-embed") if OVERLAP else None
    in_flight: list[tuple[Future[None], _Batch]] = []

    def report(position: int, result: IngestResult) -> None:
        results.append((position, result))
        if progress:
            progress(result)

    def collect() -> None:
        while in_flight:
            future, written = in_flight.pop()
            future.result()
            for doc, source, position in zip(written.docs, written.sources, written.positions, strict=True):
                report(position, IngestResult(source, IngestStatus.ADDED, doc.doc_id))

    def flush() -> None:
        nonlocal batch
        if not batch.docs:
            return
        collect()
        if writer is None:
            _write(store, name, batch)
            in_flight.append((_done(), batch))
        else:
            in_flight.append((writer.submit(_write, store, name, batch), batch))
        batch = _Batch()

    try:
        for position, loaded in enumerate(iter_articles(inputs, store.settings, urls_only)):
            outcome = _prepare(store, name, loaded, override, run_ids, known)
            if isinstance(outcome, IngestResult):
                report(position, outcome)
                continue
            doc, sig = outcome
            store.docs.add_pending(name, doc, sig)
            batch.docs.append(doc)
            batch.sources.append(loaded.source)
            batch.positions.append(position)
            run_ids.add(doc.doc_id)
            known.add(doc.doc_id, sig)
            if batch.sentence_count >= _FLUSH_SENTENCES:
                flush()
        flush()
        collect()
    finally:
        if writer is not None:
            writer.shutdown(wait=True)
    return [result for _, result in sorted(results, key=lambda item: item[0])]


def _done() -> Future[None]:
    future: Future[None] = Future()
    future.set_result(None)
    return future


def _prepare(
    store: Store, name: str, loaded: LoadedInput, override: DocumentMeta, run_ids: set[str],
    known: dedup.SignatureIndex,
) -> IngestResult | tuple[Document, bytes]:
    """A document ready to write, or the result that says why it will not be written."""
    if loaded.article is None:
        return IngestResult(loaded.source, IngestStatus.REJECTED, reason=loaded.error)
    article = loaded.article
    doc_id = content_id(article.text)
    if doc_id in run_ids or store.docs.state(name, doc_id) == "complete":
        return IngestResult(loaded.source, IngestStatus.UNCHANGED, doc_id)
    earlier = store.docs.duplicate_of(name, doc_id)
    if earlier:
        return IngestResult(loaded.source, IngestStatus.DUPLICATE, doc_id, duplicate_of=earlier,
                            reason=f"near-duplicate of {earlier}")
    sentences = split_sentences(doc_id, article.text)
    if not sentences:
        reason = f"{loaded.source}: no sentences found"
        return IngestResult(loaded.source, IngestStatus.REJECTED, reason=reason)
    sig = dedup.signature(article.text)
    match = known.most_similar(sig)
    if match and match[1] >= store.settings.ingest.near_duplicate_threshold:
        store.docs.record_duplicate(name, loaded.source, doc_id, match[0], match[1])
        return IngestResult(
            loaded.source, IngestStatus.DUPLICATE, doc_id, duplicate_of=match[0],
            reason=f"near-duplicate ({match[1]:.0%} similar) of {match[0]}",
        )
    meta = merge_meta(article.meta, override)
    if not meta.title:
        # Untitled plain text: readers recognise an article by its opening words far better than by a hash id.
        meta = replace(meta, title=_opening_words(sentences[0].text))
    return Document(doc_id=doc_id, text=article.text, meta=meta, sentences=tuple(sentences)), sig


def _opening_words(text: str, words: int = 8) -> str:
    parts = text.split()
    if len(parts) <= words:
        return text
    head = parts[:words]
    while len(head) > 3 and head[-1].lower().strip(",;:") in {"the", "a", "an", "of", "to", "and", "in", "for", "on"}:
        head.pop()
    return " ".join(head).rstrip(",;:") + "…"


def _write(store: Store, name: str, batch: _Batch) -> None:
    sentences = [s for d in batch.docs for s in d.sentences]
    outlets = [display_label(d.meta, d.doc_id) for d in batch.docs for _ in d.sentences]
    vectors = store.embeddings.encode([s.text for s in sentences])
    store.vectors.upsert(name, sentences, np.asarray(vectors), outlets)
    store.docs.mark_complete(name, [d.doc_id for d in batch.docs])
