"""`crossread app`: seeds an empty collection with the shipped corpus, then serves the app offline."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app as cli
from rag.cli.serve import APP_SCRIPT, SHIPPED_CORPUS, seed_if_empty, streamlit_command
from rag.settings import get_settings
from rag.store import open_store


def test_shipped_app_and_corpus_are_found() -> None:
    assert APP_SCRIPT.is_file()
    assert len(list(SHIPPED_CORPUS.glob("*.txt"))) == 2


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_seed_fills_an_empty_collection_once(capsys: pytest.CaptureFixture[str]) -> None:
    results = seed_if_empty()
    assert [r.status for r in results] == ["added", "added"]
    assert "added: 000_" in capsys.readouterr().err
    assert open_store(get_settings()).docs.version("default")[0] == 2
    assert seed_if_empty() == []


@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_seed_leaves_a_filled_collection_alone(tmp_path: Path) -> None:
    from rag.ingest import ingest

    article = tmp_path / "mine.txt"
    article.write_text("Title: Mine\n\nThe council approved the budget on Tuesday. It takes effect in May.")
    ingest([str(article)], collection="mine")
    assert seed_if_empty("mine") == []
    assert open_store(get_settings()).docs.version("mine")[0] == 1


def test_streamlit_command_is_headless_and_sends_no_statistics() -> None:
    command = streamlit_command(8600, "127.0.0.1", ["--theme.base", "dark"])
    assert command[:3] == ["streamlit", "run", str(APP_SCRIPT)]
    pairs = dict(zip(command[3::2], command[4::2], strict=False))
    assert pairs["--server.headless"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--server.port"] == "8600"
    assert pairs["--server.address"] == "127.0.0.1"
    assert command[-2:] == ["--theme.base", "dark"]


def test_app_command_is_registered() -> None:
    from rag.cli import _register

    _register()
    result = CliRunner().invoke(cli, ["app", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output


@pytest.mark.slow
def test_crossread_app_starts_on_an_empty_data_folder(tmp_path: Path) -> None:
    """README command 1's last step: first start seeds the corpus and serves a healthy app."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CROSSREAD_DATA_DIR": str(tmp_path / "fresh")}
    crossread = Path(sys.executable).with_name("crossread")
    process = subprocess.Popen([str(crossread), "app", "--port", str(port), "--address", "127.0.0.1"],
                               env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("crossread app did not become healthy")
        store = open_store(get_settings({"data_dir": tmp_path / "fresh"}))
        assert store.docs.version("default")[0] == 2
    finally:
        process.terminate()
        process.wait(timeout=20)
    output = process.stdout.read().decode() if process.stdout else ""
    assert "First start" in output and "added: 001_" in output
