"""Crossread's retrieval as a LangChain retriever, for use in anyone's own chain.

`CrossreadRetriever` runs the same hybrid (dense + BM25), outlet-balanced retrieval as `crossread ask` and
returns one `Document` per source sentence, with the metadata needed to cite it exactly: `doc_id`,
`sentence_index`, `start`/`end` (character offsets into the stored article), `outlet`, `title`, `date` and
`score` (the dense cosine similarity).

    retriever = CrossreadRetriever(store=open_store(), k=8)
    docs = retriever.invoke("What did Kim Jong Un call for?")
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.settings import Settings, get_settings
from rag.types import SentenceHit


def sentence_document(hit: SentenceHit) -> Document:
    """One retrieved sentence as a LangChain Document (its text is exactly the stored sentence)."""
    sentence = hit.sentence
    metadata = {
        "doc_id": sentence.doc_id,
        "sentence_index": sentence.index,
        "start": sentence.start,
        "end": sentence.end,
        "outlet": hit.outlet,
        "title": hit.meta.title,
        "date": hit.meta.date,
        "score": float(hit.score),
    }
    return Document(page_content=sentence.text, metadata=metadata, id=sentence.sentence_id)


class CrossreadRetriever(BaseRetriever):
    """Sentences of a Crossread collection that bear on the query (hybrid, outlet-balanced).

    `collection` defaults to the configured one, `settings` to the store's, `k` to `settings.retrieval.top_k`.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    collection: str | None = None
    settings: Settings | None = None
    k: int | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        from rag.retrieval import retrieve

        settings = get_settings(self.settings or getattr(self.store, "settings", None))
        if self.k:
            settings = settings.model_copy(
                update={"retrieval": settings.retrieval.model_copy(update={"top_k": self.k})})
        collection = self.store.collection_name(self.collection)
        return [sentence_document(hit) for hit in retrieve(self.store, collection, query, settings)]
