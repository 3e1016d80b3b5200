"""`crossread ask` and `crossread verify`: output shapes of the command-line contract and error messages."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from rag.cli import _register, app
from rag.store import Store

_register()
runner = CliRunner()


@pytest.fixture
def corpus_env(corpus_store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("CROSSREAD_DATA_DIR", str(corpus_store.settings.data_dir))
    return corpus_store


def test_ask_json_matches_the_contract(corpus_env: Store):
    result = runner.invoke(app, ["ask", "What did Kim Jong Un call for?", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"question", "answer", "refused", "generator", "claims"} <= data.keys()
    assert data["refused"] is False and data["generator"] == "extractive"
    assert "[1]" in data["answer"]
    for claim in data["claims"]:
        assert {"text", "verdict", "score", "citations"} <= claim.keys()
        for c in claim["citations"]:
            assert set(c) == {"marker", "doc_id", "sentence_index", "start", "end", "text", "outlet"}
            doc = corpus_env.document("default", c["doc_id"])
            assert doc.text[c["start"]:c["end"]] == c["text"]


def test_ask_human_output_resolves_every_marker(corpus_env: Store):
    result = runner.invoke(app, ["ask", "When are the Ulchi Freedom Guardian drills?"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "[1]" in out.splitlines()[0]
    drills = next(s for d in corpus_env.docs.list_documents("default")
                  for s in corpus_env.document("default", d["doc_id"]).sentences
                  if s.text.startswith("South Korea and the United States have announced"))
    assert f"sentence {drills.index + 1} ({drills.doc_id})" in out  # shown 1-based and f"“{drills.text}”" in out
    assert "✓ supported" in out and "generator: extractive" in out


def test_ask_refusal_shows_closest_sentences(corpus_env: Store):
    result = runner.invoke(app, ["ask", "What is the population of Pyongyang?"])
    assert result.exit_code == 0
    assert result.stdout.startswith("The sources don't say.")
    assert "Closest sentences found" in result.stdout and "Pyongyang" in result.stdout
    data = json.loads(runner.invoke(app, ["ask", "What is the population of Pyongyang?", "--json"]).stdout)
    assert data["refused"] is True and data["claims"] == [] and data["closest"]


@pytest.mark.parametrize("args, message", [
    (["ask", ""], "question is empty"),
    (["ask", "q" * 10_000], "10,000 characters"),
    (["ask", "Who?", "--generator", "gpt-9"], "unknown generator"),
])
def test_ask_errors_are_one_clear_line(corpus_env: Store, args: list[str], message: str):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_ask_on_an_empty_store():
    result = runner.invoke(app, ["ask", "What did Kim Jong Un call for?"])
    assert result.exit_code == 2 and "crossread ingest" in result.stderr


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_verify_json_and_text():
    source = "The deal was worth 480 million dollars."
    args = ["verify", "The deal was worth $4.5 billion.", "--source", source]
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert set(data) == {"verdict", "score", "reasons"}
    assert data["verdict"] == "unsupported" and any("$4.5 billion" in r for r in data["reasons"])
    ok = runner.invoke(app, ["verify", "The deal was worth 480 million dollars.", "-s", "Officials said so.",
                             "-s", "The deal was worth 480 million dollars."])
    assert ok.exit_code == 0 and ok.stdout.startswith("✓ supported")
