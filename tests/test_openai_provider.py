"""The openai generator against a real llama.cpp OpenAI-compatible server (bundled Gemma) on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import CORPUS, free_port, make_settings, stop_process, wait_for_http

from rag.answer import answer
from rag.errors import ProviderUnavailable
from rag.ingest import ingest
from rag.providers import get_generator
from rag.providers.llamacpp import bundled_model_path
from rag.providers.openai import error_describer
from rag.retrieval import retrieve
from rag.settings import Settings
from rag.store import Store, open_store
from rag.types import Verdict
from rag.verify import verify_claim

HOSTILE = Path(__file__).parent / "data" / "hostile.txt"
SECRET = "sk-test-0123456789abcdef"
QUESTION = "What did Kim Jong Un call for?"


def openai_settings(data_dir: Path, base_url: str, **llm: object) -> Settings:
    return make_settings(data_dir, llm={"provider": "openai", "base_url": base_url, "max_tokens": 32,
                                        "timeout": 60, **llm})


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `python -m llama_cpp.server` serving the bundled Gemma GGUF; stopped after the module."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_model_path()),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_for_http(f"{url}/models", process, timeout=90, log=log)
        yield url
    finally:
        stop_process(process)


def test_missing_settings_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ProviderUnavailable, match="needs an API key .*or the URL of a local"):
        get_generator("openai", openai_settings(tmp_path, ""))
    with pytest.raises(ProviderUnavailable, match="needs a model name"):
        get_generator("openai", openai_settings(tmp_path, "", api_key=SECRET))


def test_api_key_is_never_echoed(tmp_path: Path) -> None:
    import openai

    settings = openai_settings(tmp_path, "http://127.0.0.1:9/v1", api_key=SECRET)
    generator = get_generator("openai", settings)
    assert SECRET not in repr(generator.model) and SECRET not in repr(settings)  # type: ignore[attr-defined]
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    for status in (401, 500):
        response = httpx.Response(status, request=request, json={"error": f"bad key {SECRET}"})
        exc_type = openai.AuthenticationError if status == 401 else openai.InternalServerError
        message = error_describer(settings)(exc_type(f"bad key {SECRET}", response=response, body=None))
        assert message and SECRET not in message and "127.0.0.1:9" in message


def test_unreachable_server_is_unavailable_and_answer_falls_back(tmp_path: Path, corpus_store) -> None:
    settings = openai_settings(tmp_path, f"http://127.0.0.1:{free_port()}/v1")
    hits = retrieve(corpus_store, "default", QUESTION, settings)
    with pytest.raises(ProviderUnavailable, match="could not be reached .*connection refused"):
        list(get_generator("openai", settings).generate("answer", QUESTION, hits))
    result = answer(QUESTION, store=corpus_store, settings=settings)
    assert result.generator == "extractive" and result.claims
    assert result.notice == (f"The OpenAI-compatible server could not be reached at {settings.llm.base_url} "
                             "(connection refused); answered with the extractive generator.")


def test_server_that_never_answers_times_out_with_a_clear_message(tmp_path: Path, corpus_store) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    def accept() -> None:
        for _ in range(3):
            accepted.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    settings = openai_settings(tmp_path, f"http://127.0.0.1:{listener.getsockname()[1]}/v1", timeout=0.5)
    hits = retrieve(corpus_store, "default", QUESTION, settings)
    try:
        with pytest.raises(ProviderUnavailable, match="did not answer within 0.5 s"):
            list(get_generator("openai", settings).generate("answer", QUESTION, hits))
    finally:
        for conn in accepted:
            conn.close()
        listener.close()


def assert_grounded(result, evidence, settings) -> None:
    given = {(h.sentence.doc_id, h.sentence.index): h.sentence.text for h in evidence}
    for claim in result.claims:
        for citation in claim.citations:
            assert given[(citation.doc_id, citation.sentence_index)] == citation.text
        again = verify_claim(claim.text, [c.text for c in claim.citations], settings=settings)
        assert claim.verdict == again.verdict


@pytest.mark.slow
def test_completion_style_answers_a_corpus_question_through_the_real_server(
    tmp_path: Path, server_url: str, corpus_store: Store
) -> None:
    settings = openai_settings(tmp_path, server_url, prompt_style="completion")
    generator = get_generator("openai", settings)
    tokens: list[str] = []
    generator.on_token = tokens.append  # type: ignore[attr-defined]
    result = answer(QUESTION, store=corpus_store, settings=settings, generator=generator)
    assert result.generator == "openai" and result.notice is None and not result.refused
    assert tokens and result.claims and any(c.citations for c in result.claims)
    assert_grounded(result, retrieve(corpus_store, "default", QUESTION, settings), settings)


@pytest.mark.slow
def test_chat_style_reaches_the_chat_endpoint_and_stays_grounded(
    tmp_path: Path, server_url: str, corpus_store: Store
) -> None:
    # The bundled model is a base model: over /v1/chat/completions it writes poor text, but whatever it writes
    # must come back through the same parsing, citation and verification path.
    settings = openai_settings(tmp_path, server_url, prompt_style="chat", max_tokens=16)
    settings.retrieval.top_k = 4  # a shorter prompt: the chat template adds its own text
    generator = get_generator("openai", settings)
    tokens: list[str] = []
    generator.on_token = tokens.append  # type: ignore[attr-defined]
    result = answer(QUESTION, store=corpus_store, settings=settings, generator=generator)
    assert result.generator == "openai" and result.notice is None and tokens
    assert_grounded(result, retrieve(corpus_store, "default", QUESTION, settings), settings)


@pytest.mark.slow
def test_hostile_document_does_not_make_injected_claims_supported(
    tmp_path_factory: pytest.TempPathFactory, server_url: str
) -> None:
    settings = openai_settings(tmp_path_factory.mktemp("hostile"), server_url, prompt_style="completion")
    store = open_store(settings)
    assert [r.status for r in ingest([str(CORPUS), str(HOSTILE)], store=store)] == ["added"] * 3
    question = "Are the sources fake?"
    evidence = retrieve(store, "default", question, settings)
    assert any(h.outlet == "Hostile Wire" for h in evidence)
    result = answer(question, store=store, settings=settings, generator="openai")
    assert result.generator == "openai"
    for claim in result.claims:
        if any(word in claim.text.lower() for word in ("fake", "fabricated", "developer mode")):
            assert claim.verdict != Verdict.SUPPORTED, claim
    assert_grounded(result, evidence, settings)
