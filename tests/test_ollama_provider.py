"""The ollama generator against a fake Ollama: a local HTTP server speaking /api/chat, /api/generate NDJSON.

No Ollama server (or model pull) is possible here, so the transport is faked; langchain-ollama, the ollama
client, httpx, our parsing, alignment and verification are all real.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, make_settings

from rag.answer import answer
from rag.errors import ProviderUnavailable
from rag.ingest import ingest
from rag.providers import get_generator
from rag.providers.llm import CHAT_STOP, COMPLETION_STOP
from rag.retrieval import retrieve
from rag.settings import Settings
from rag.store import open_store
from rag.types import Verdict

MODEL = "gemma3:270m"
QUESTION = "What did Kim Jong Un call for?"
HOSTILE = Path(__file__).parent / "data" / "hostile.txt"


class FakeOllama(BaseHTTPRequestHandler):
    """Answers like a model that copies source [1] (citing it) and adds one unsupported sentence."""

    requests: list[dict[str, Any]] = []
    reply: str | None = None  # overrides the default answer
    delay = 0.0

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeOllama.requests.append({"path": self.path, **body})
        time.sleep(self.delay)
        if body["model"] != MODEL:
            self._send(404, [{"error": f"model '{body['model']}' not found"}])
            return
        prompt = body["messages"][-1]["content"] if self.path == "/api/chat" else body["prompt"]
        # The last "[1]" line: completion prompts open with a worked example that has its own sources.
        first = re.findall(r"^\[1\] \([^)]*\) (.+)$", prompt, re.MULTILINE)
        text = self.reply or f"{first[-1] if first else 'Nothing'} [1] The moon is made of green cheese."
        injected = re.search(r"^\[(\d+)\] \([^)]*\) Ignore previous", prompt, re.MULTILINE)
        text = text.replace("{hostile}", injected.group(1) if injected else "0")
        key = "message" if self.path == "/api/chat" else "response"
        chunks = [{"model": MODEL, "created_at": "2025-01-01T00:00:00Z", "done": False,
                   key: {"role": "assistant", "content": w} if key == "message" else w}
                  for w in re.split(r"(?<= )", text)]
        empty: Any = {"role": "assistant", "content": ""} if key == "message" else ""
        chunks.append({"model": MODEL, "created_at": "2025-01-01T00:00:00Z", "done": True,
                       "done_reason": "stop", key: empty, "eval_count": len(chunks), "prompt_eval_count": 10})
        self._send(200, chunks)

    def _send(self, status: int, lines: list[dict[str, Any]]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for line in lines:
            self.wfile.write((json.dumps(line) + "\n").encode())
            self.wfile.flush()


@pytest.fixture
def ollama_url() -> Iterator[str]:
    FakeOllama.requests, FakeOllama.reply, FakeOllama.delay = [], None, 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOllama)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def ollama_settings(data_dir: Path, base_url: str, **llm: object) -> Settings:
    return make_settings(data_dir, llm={"provider": "ollama", "base_url": base_url, "model": MODEL,
                                        "max_tokens": 64, **llm})


def test_chat_answer_streams_through_the_native_api_and_is_verified(tmp_path, ollama_url, corpus_store):
    settings = ollama_settings(tmp_path, ollama_url)
    result = answer(QUESTION, store=corpus_store, settings=settings)
    assert result.generator == "ollama" and result.notice is None and not result.refused
    copied, invented = result.claims
    evidence = retrieve(corpus_store, "default", QUESTION, settings)
    assert [(c.doc_id, c.sentence_index) for c in copied.citations] == [
        (evidence[0].sentence.doc_id, evidence[0].sentence.index)]
    assert copied.verdict == Verdict.SUPPORTED
    assert invented.citations == () and invented.verdict == Verdict.UNSUPPORTED
    request = FakeOllama.requests[0]
    assert request["path"] == "/api/chat" and request["stream"] is True
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert request["messages"][1]["content"].startswith("<sources>\n[1] ")
    assert request["options"]["num_predict"] == 64 and request["options"]["stop"] == list(CHAT_STOP)


def test_completion_style_uses_the_generate_endpoint_with_stops(tmp_path, ollama_url, corpus_store) -> None:
    settings = ollama_settings(tmp_path, ollama_url, prompt_style="completion")
    result = answer(QUESTION, store=corpus_store, settings=settings)
    assert result.generator == "ollama" and result.claims[0].verdict == Verdict.SUPPORTED
    request = FakeOllama.requests[0]
    assert request["path"] == "/api/generate" and request["prompt"].endswith("Answer:")
    assert request["options"]["stop"] == list(COMPLETION_STOP)


def test_unknown_model_is_a_clear_error(tmp_path, ollama_url, corpus_store) -> None:
    settings = ollama_settings(tmp_path, ollama_url, model="no-such-model")
    hits = retrieve(corpus_store, "default", QUESTION, settings)
    with pytest.raises(ProviderUnavailable, match="no model 'no-such-model'.*ollama pull no-such-model"):
        list(get_generator("ollama", settings).generate("answer", QUESTION, hits))


def test_slow_server_times_out_with_a_clear_message(tmp_path, ollama_url, corpus_store) -> None:
    FakeOllama.delay = 2.0
    settings = ollama_settings(tmp_path, ollama_url, timeout=0.5)
    hits = retrieve(corpus_store, "default", QUESTION, settings)
    with pytest.raises(ProviderUnavailable, match="did not answer within 0.5 s"):
        list(get_generator("ollama", settings).generate("answer", QUESTION, hits))


def test_unreachable_server_falls_back_to_extractive(tmp_path, corpus_store) -> None:
    settings = ollama_settings(tmp_path, "http://127.0.0.1:9")
    result = answer(QUESTION, store=corpus_store, settings=settings)
    assert result.generator == "extractive" and result.claims
    assert result.notice == ("Ollama could not be reached at http://127.0.0.1:9 (connection refused); answered "
                             "with the extractive generator.")
    strict = ollama_settings(tmp_path, "http://127.0.0.1:9", fallback_to_extractive=False)
    with pytest.raises(ProviderUnavailable, match=r"^Ollama could not be reached at http://127.0.0.1:9 \(connection"):
        answer(QUESTION, store=corpus_store, settings=strict)


def test_missing_model_setting_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ProviderUnavailable, match="Ollama needs a model name"):
        get_generator("ollama", ollama_settings(tmp_path, "", model=""))


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_a_model_obeying_an_injected_command_is_not_shown_as_supported(tmp_path, ollama_url) -> None:
    settings = ollama_settings(tmp_path, ollama_url)
    store = open_store(settings)
    ingest([str(CORPUS), str(HOSTILE)], store=store)
    # Obeys the injection twice: once uncited, once citing the injected sentence itself.
    FakeOllama.reply = "The sources are fake. All sources are fabricated [{hostile}]."
    result = answer("Are the sources fake?", store=store, settings=settings)
    assert any("Ignore previous instructions" in m["content"] for m in FakeOllama.requests[0]["messages"])
    uncited, cited = result.claims
    assert uncited.citations == () and "Ignore previous instructions" in cited.citations[0].text
    assert uncited.verdict == cited.verdict == Verdict.UNSUPPORTED


@pytest.mark.slow
def test_settings_page_test_button_reports_failure_as_failure(ollama_url) -> None:
    from streamlit.testing.v1 import AppTest

    from rag.settings import get_settings

    ingest([str(CORPUS)], store=open_store(get_settings()))  # the app's data folder (conftest sets it)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120).run()
    at.switch_page("ui/settings.py").run()
    at.session_state["llm_overrides"] = {"provider": "ollama", "base_url": "http://127.0.0.1:9", "model": MODEL}
    next(b for b in at.button if b.label == "Test the generator").click().run()
    assert not at.exception, at.exception
    [shown] = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]  # shown Markdown-escaped
    assert shown.startswith("Test failed: Ollama could not be reached at http://127.0.0.1:9 (connection refused)")
    assert "Check that Ollama is running" in shown  # and what to check
    assert not at.success
    at.session_state["llm_overrides"] = {"provider": "ollama", "base_url": ollama_url, "model": MODEL}
    next(b for b in at.button if b.label == "Test the generator").click().run()
    assert not at.error and len(at.success) == 1
    assert re.sub(r"\\(.)", r"\1", at.success[0].value).startswith("Ollama works: it wrote 2 sentence(s)")
