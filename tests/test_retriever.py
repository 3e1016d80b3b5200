"""CrossreadRetriever: sentence Documents with exact citation metadata, and the README's LCEL example run
with a fake chat model (control flow only) against a real store."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.runnables import RunnableLambda

from rag.ingest import ingest
from rag.retrieval import retrieve
from rag.retriever import CrossreadRetriever
from rag.settings import get_settings
from rag.store import Store, open_store

README = Path(__file__).resolve().parent.parent / "README.md"
QUESTION = "What did Kim Jong Un call for?"

pytestmark = pytest.mark.slow  # the real embedding model


def test_documents_are_the_retrieved_sentences_with_exact_offsets(corpus_store: Store) -> None:
    docs = CrossreadRetriever(store=corpus_store, k=5).invoke(QUESTION)
    hits = list(retrieve(corpus_store, "default", QUESTION, corpus_store.settings.model_copy(
        update={"retrieval": corpus_store.settings.retrieval.model_copy(update={"top_k": 5})})))
    assert len(docs) == len(hits) == 5
    assert [(d.metadata["doc_id"], d.metadata["sentence_index"]) for d in docs] == [
        (h.sentence.doc_id, h.sentence.index) for h in hits]
    for doc in docs:
        assert isinstance(doc, Document)
        assert set(doc.metadata) == {"doc_id", "sentence_index", "start", "end", "outlet", "title", "date", "score"}
        article = corpus_store.document("default", doc.metadata["doc_id"])
        assert article.text[doc.metadata["start"]:doc.metadata["end"]] == doc.page_content
        assert doc.metadata["outlet"] and doc.metadata["title"] == article.meta.title
    assert any("Kim" in d.page_content and "missiles" in d.page_content for d in docs)


def readme_example() -> str:
    section = README.read_text(encoding="utf-8").split("### Crossread's retriever in your own LangChain chain")[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's retriever section has no python example"
    return match.group(1)


def test_readme_example_runs_in_a_users_chain(capsys: pytest.CaptureFixture[str]) -> None:
    ingest([str(CORPUS)], store=open_store(get_settings()))  # the data folder conftest points the env at
    seen: list[Any] = []
    reply = "KCNA reports that Kim called for more missiles and munitions."
    llm = RunnableLambda(lambda prompt: seen.append(prompt) or prompt) | FakeListChatModel(responses=[reply])
    exec(compile(readme_example(), "README.md", "exec"), {"llm": llm, "__name__": "readme"})
    assert capsys.readouterr().out.strip() == reply
    system, human = seen[0].to_messages()
    assert human.content == QUESTION
    lines = system.content.splitlines()[1:]
    assert len(lines) == 6 and all(re.match(r"^\[[^,\]]+, sentence \d+\] \S", line) for line in lines)
    assert any("missiles" in line for line in lines)
