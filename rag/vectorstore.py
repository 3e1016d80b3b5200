"""Chroma, embedded (PersistentClient in the data folder) or a server (HttpClient), one collection per name.

We always pass our own embeddings: a Chroma collection without them falls back to downloading an ONNX model.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from rag.errors import CrossreadError, StoreError
from rag.types import Sentence

# Chroma's own rule for the part we control: [a-zA-Z0-9._-], starting and ending with a letter or digit, no
# "..". Our prefix ("crossread-…-") keeps the whole name long enough and never an IP address; 63 is our limit.
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")


def check_collection_name(name: str) -> str:
    if not _NAME.match(name) or ".." in name:
        shown = name if len(name) <= 80 else name[:80] + "…"
        raise CrossreadError(
            f"collection name {shown!r} is not valid: use 1-63 letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit, without '..'"
        )
    return name


def make_client(data_dir: Path, chroma_url: str = "") -> Any:
    import chromadb  # here, not at the top: commands that never touch vectors (`sources`) start without it

    settings = chromadb.Settings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "localhost", port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https", settings=settings,
            )
        except Exception as exc:  # chromadb raises several types for an unreachable server
            raise StoreError(f"Chroma server at {chroma_url} is unreachable: {exc}") from exc
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class VectorIndex:
    """Sentence vectors, id `doc_id:index`, metadata {doc_id, sentence_index, outlet}.

    The sentence text is not sent: Crossread reads it from the document store, and Chroma would index it for
    full-text search at every write (a 4 MB file, model time left out: 46 s -> 28 s; same peak memory).

    Collection `name` lives in the Chroma collection `<namespace><name>`.
    """

    def __init__(self, client: Any, namespace: str = "crossread-"):
        self.client = client
        self.namespace = namespace
        self._collections: dict[str, Any] = {}
        self.max_batch = int(client.get_max_batch_size())

    def collection(self, name: str) -> Any:
        if name not in self._collections:
            self._collections[name] = self.client.get_or_create_collection(
                self.chroma_name(name),
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        return self._collections[name]

    def chroma_name(self, name: str) -> str:
        return f"{self.namespace}{check_collection_name(name)}"

    def upsert(
        self, name: str, sentences: Sequence[Sentence], vectors: np.ndarray, outlets: Sequence[str]
    ) -> None:
        col = self.collection(name)
        for i in range(0, len(sentences), self.max_batch):
            part = sentences[i : i + self.max_batch]
            col.upsert(
                ids=[s.sentence_id for s in part],
                embeddings=vectors[i : i + self.max_batch],
                metadatas=[
                    {"doc_id": s.doc_id, "sentence_index": s.index, "outlet": outlets[i + j]}
                    for j, s in enumerate(part)
                ],
            )

    def delete_documents(self, name: str, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            self.collection(name).delete(where={"doc_id": {"$in": list(doc_ids)}})

    def count(self, name: str) -> int:
        return int(self.collection(name).count())

    def ids(self, name: str) -> set[str]:
        col = self.collection(name)
        out: set[str] = set()
        total = col.count()
        for offset in range(0, total, self.max_batch):
            out.update(col.get(include=[], limit=self.max_batch, offset=offset)["ids"])
        return out

    def query(self, name: str, vector: np.ndarray, k: int) -> list[tuple[str, int, float]]:
        """(doc_id, sentence_index, cosine similarity) of the k nearest sentences."""
        col = self.collection(name)
        n = min(k, col.count())
        if n == 0:
            return []
        res = col.query(query_embeddings=[vector], n_results=n, include=["metadatas", "distances"])
        return [
            (str(m["doc_id"]), int(m["sentence_index"]), 1.0 - float(d))  # type: ignore[arg-type]
            for m, d in zip(res["metadatas"][0], res["distances"][0], strict=True)
        ]

    def drop(self, name: str) -> None:
        with contextlib.suppress(Exception):  # already absent
            self.client.delete_collection(self.chroma_name(name))
        self._collections.pop(name, None)
