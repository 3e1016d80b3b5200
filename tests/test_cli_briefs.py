"""`crossread brief` and `crossread framing`: JSON shapes of the command-line contract, export, errors."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from rag.cli import _register, app

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
runner = CliRunner()
_register()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_brief_json_framing_json_and_export(tmp_path: Path) -> None:
    assert _run("ingest", str(CORPUS), "-c", "news")[0] == 0

    code, out = _run("brief", "--json", "--length", "short", "-c", "news")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"title", "generator", "sections", "coverage"}
    assert [s["kind"] for s in data["sections"]] == ["key_facts", "single_source", "differences", "framing"]
    claim = data["sections"][0]["claims"][0]
    assert set(claim) >= {"text", "verdict", "score", "reasons", "citations"}
    citation_keys = {"marker", "doc_id", "sentence_index", "start", "end", "text", "outlet"}
    assert citation_keys <= set(claim["citations"][0])
    assert abs(sum(data["coverage"].values()) - 1) < 1e-3

    code, out = _run("framing", "--json", "-c", "news")
    docs = json.loads(out)
    assert code == 0 and len(docs) == 2
    first = max(docs, key=lambda d: d["profile"]["loaded_terms"])
    term = next(t for s in first["sentences"] for t in s["loaded_terms"] if t["term"] == "war games")
    assert set(term) >= {"term", "start", "end", "category"} and term["category"] == "label"
    code, out = _run("framing", first["doc_id"][:8], "--json", "-c", "news")
    assert code == 0 and json.loads(out)["doc_id"] == first["doc_id"]

    target = tmp_path / "brief.docx"
    code, _ = _run("brief", "--format", "docx", "--output", str(target), "--style", "bullets", "-c", "news")
    assert code == 0 and docx.Document(str(target)).paragraphs[0].text == data["title"]


def test_brief_errors_are_one_line() -> None:
    code, _ = _run("brief", "--length", "huge")
    assert code == 2
    code, _ = _run("brief", "-c", "empty-collection")
    assert code == 2
    code, _ = _run("framing", "nosuchdoc", "-c", "empty-collection")
    assert code == 2
