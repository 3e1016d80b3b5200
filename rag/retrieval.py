"""Sentence retrieval. (Dense only for now; hybrid lexical + dense with outlet diversity replaces it.)"""

from __future__ import annotations

from rag.store import Store
from rag.types import SentenceHit, display_label


def search_sentences(store: Store, collection: str, query: str, k: int = 10) -> list[SentenceHit]:
    """The k sentences closest to the query, best first."""
    vector = store.embeddings.encode([query])[0]
    found = store.vectors.query(collection, vector, k)
    sentences = store.docs.get_sentences(collection, [(d, i) for d, i, _ in found])
    metas = store.docs.metas(collection, [d for d, _, _ in found])
    hits = []
    for doc_id, index, score in found:
        sentence = sentences.get((doc_id, index))
        if sentence is None:  # vector of a document not (yet) complete
            continue
        hits.append(SentenceHit(sentence, score, display_label(metas[doc_id], doc_id), metas[doc_id]))
    return hits
