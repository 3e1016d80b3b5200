"""The command-line contract of ingest / sources / show / search / delete: --json shapes and exit codes."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS
from typer.testing import CliRunner

from rag.cli import _register, app

_register()
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def ingested() -> list[dict]:
    result = run("ingest", str(CORPUS), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_ingest_json_and_exit_code(ingested, tmp_path):
    assert [r["status"] for r in ingested] == ["added", "added"]
    assert all(set(r) >= {"input", "status", "doc_id", "reason"} for r in ingested)
    assert all(r["reason"] is None and len(r["doc_id"]) == 16 for r in ingested)
    again = run("ingest", str(CORPUS), "--json")
    assert again.exit_code == 0 and [r["status"] for r in json.loads(again.stdout)] == ["unchanged"] * 2
    (tmp_path / "blank.txt").write_text("   \n")
    mixed = run("ingest", str(tmp_path / "blank.txt"), str(tmp_path / "nope.md"), "--json")
    assert mixed.exit_code == 1
    rows = json.loads(mixed.stdout)
    assert [r["status"] for r in rows] == ["rejected", "rejected"]
    assert "whitespace only" in rows[0]["reason"] and "no such file" in rows[1]["reason"]
    assert rows[0]["doc_id"] is None


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_ingest_text_output_names_the_rejected_input(tmp_path):
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff")
    result = run("ingest", str(bad), str(CORPUS))
    assert result.exit_code == 1
    assert "2 added" in result.stdout and "1 rejected" in result.stdout
    assert f"{bad}: unsupported file type '.jpg'" in result.stderr
    assert "Loading weights" not in result.output


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_sources_json(ingested):
    result = run("sources", "--json")
    assert result.exit_code == 0
    docs = json.loads(result.stdout)
    assert {d["doc_id"] for d in docs} == {r["doc_id"] for r in ingested}
    for d in docs:
        assert set(d) == {"doc_id", "outlet", "title", "byline", "date", "url", "path", "sentence_count",
                          "chroma_collection"}
        assert d["sentence_count"] > 5 and d["path"].startswith(str(CORPUS))
    assert {d["date"] for d in docs} == {None, "2023-11-07"}
    assert {d["byline"] for d in docs} == {None, "Staff, Agencies"}


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_show_json_offsets_slice_the_text(ingested):
    doc_id = ingested[0]["doc_id"]
    result = run("show", doc_id[:6], "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["doc_id"] == doc_id and doc["title"].startswith("N Korean Leader Calls")
    assert [s["index"] for s in doc["sentences"]] == list(range(len(doc["sentences"])))
    assert all(set(s) == {"index", "text", "start", "end"} for s in doc["sentences"])
    text = run("show", doc_id).stdout
    assert f"[  1] {doc['sentences'][0]['text']}" in text  # people count sentences from 1


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_search_json(ingested):
    result = run("search", "missile production", "-k", "3", "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    assert all(set(h) == {"doc_id", "sentence_index", "text", "score", "outlet"} for h in hits)
    assert hits[0]["score"] >= hits[-1]["score"] and "missile" in hits[0]["text"].lower()
    shown = json.loads(run("show", hits[0]["doc_id"], "--json").stdout)
    assert shown["sentences"][hits[0]["sentence_index"]]["text"] == hits[0]["text"]


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_outlet_override_and_collection_option(tmp_path):
    result = run("ingest", str(CORPUS), "--outlet", "Test Wire", "--date", "2023-11-08", "-c", "other",
                 "--json")
    assert result.exit_code == 0
    docs = json.loads(run("sources", "--collection", "other", "--json").stdout)
    assert {(d["outlet"], d["date"]) for d in docs} == {("Test Wire", "2023-11-08")}
    assert json.loads(run("sources", "--json").stdout) == []
    assert "other" in json.loads(run("collections", "--json").stdout)


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_user_errors_are_one_line_with_exit_2(ingested):
    missing = run("show", "ffffffffffff")
    assert missing.exit_code == 2 and missing.stderr.startswith("error: no document")
    assert "Traceback" not in missing.output
    bad_date = run("ingest", str(CORPUS), "--date", "someday")
    assert bad_date.exit_code == 2 and "is not a date" in bad_date.stderr
    bad_name = run("sources", "-c", "bad name!")
    assert bad_name.exit_code == 2 and "collection name" in bad_name.stderr


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_delete(ingested):
    doc_id = ingested[0]["doc_id"]
    assert run("delete", doc_id).exit_code == 0
    assert [d["doc_id"] for d in json.loads(run("sources", "--json").stdout)] == [ingested[1]["doc_id"]]
    hits = json.loads(run("search", "Kim Jong Un missiles", "-k", "20", "--json").stdout)
    assert hits and all(h["doc_id"] != doc_id for h in hits)


# --- issue 12: bad arguments are one-line errors with exit 2; terminal output is inert ---------------

@pytest.mark.parametrize("args", [
    ("sources", "-c", "x-"), ("sources", "-c", "a..b"), ("sources", "--collection", ""),
    ("ingest", str(CORPUS), "-c", "x-"), ("search", "missiles", "-k", "-1"), ("search", "missiles", "-k", "0"),
    ("brief", "--output", "missing-folder/brief.md"), ("brief", "--output", "."), ("brief", "--topic", "x" * 100_000),
])
def test_bad_arguments_are_one_line_errors(args, tmp_path):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert len(result.stderr) < 300


def test_a_rejected_collection_name_leaves_no_phantom_collection():
    assert run("ingest", str(CORPUS), "-c", "x-").exit_code == 2
    assert json.loads(run("collections", "--json").stdout) == []


def test_terminal_output_neutralises_control_characters():
    from rag.cli import TerminalStream, terminal_text

    assert terminal_text("a\x1b[2Jb\rc\x9bd\u202ee\n\tf") == "a\\x1b[2Jb\\x0dc\\x9bd\\u202ee\n\tf"
    import io

    raw = io.StringIO()
    TerminalStream(raw).write("Title\x1b]0;pwned\x07 text\n")
    assert "\x1b" not in raw.getvalue() and "\x07" not in raw.getvalue()


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_sources_json_names_the_chroma_collection(ingested):
    rows = json.loads(run("sources", "--json").stdout)
    assert {r["chroma_collection"] for r in rows} == {"crossread-default"}


def test_progress_text_shows_documents_sentences_rate_and_eta():
    from rag.cli.corpus import tally_text
    from rag.ingest import IngestTally

    counts = IngestTally(documents_total=40, documents_done=12, sentences_found=600, sentences_done=400,
                         documents_split=3, documents_added=9)
    counts.started -= 10  # 400 sentences in 10 s
    # 25 documents not split yet, at the 50 sentences per document seen so far: 1,450 left at 40/s.
    assert tally_text(counts) == "12/40 documents · 400/600 sentences · 40/s · ETA 36s"
    assert tally_text(IngestTally(documents_total=3)) == "0/3 documents · 0/0 sentences"


def test_workers_below_one_is_a_one_line_error():
    result = run("ingest", str(CORPUS), "--workers", "0")
    assert result.exit_code == 2 and "--workers must be at least 1" in result.output
    assert "Traceback" not in result.output
