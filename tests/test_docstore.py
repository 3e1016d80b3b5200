"""The embedded document store's own behaviour: a data folder from before the lexical index keeps working."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

from rag.docstore_sqlite import SCHEMA, SQLiteDocStore


def test_a_data_folder_without_the_lexical_index_is_indexed_when_opened(tmp_path: Path):
    path = tmp_path / "crossread.sqlite"
    with sqlite3.connect(path) as db:  # the schema as it was before the FTS5 index
        db.executescript(SCHEMA)
        db.execute("INSERT INTO documents VALUES ('c', 'd1', 'complete', 'Wire', 'T', NULL, NULL, NULL, NULL, "
                   "'The okapi escaped. Keepers searched.', NULL, 1.0)")
        db.executemany("INSERT INTO sentences VALUES ('c', 'd1', ?, ?, ?, ?)",
                       [(0, 0, 18, "The okapi escaped."), (1, 19, 36, "Keepers searched.")])
    docs = SQLiteDocStore(path)
    assert [f[:2] for f in docs.lexical_search("c", "escaping okapis", 5)] == [("d1", 0)]
    assert docs.term_frequencies("c", ["keeper", "okapi"]) == (2, {"keeper": 1, "okapi": 1})
    again = SQLiteDocStore(path)  # opening again does not index twice
    assert len(again.lexical_search("c", "okapi", 5)) == 1


def _open_store(path: str) -> str:
    try:
        SQLiteDocStore(Path(path))
        return "opened"
    except sqlite3.OperationalError as error:
        return str(error)


def test_processes_opening_a_new_store_at_once_all_open_it(tmp_path: Path):
    # Switching a new file to WAL takes an exclusive lock that SQLite's busy timeout does not wait for; without a
    # retry, about one opener in twenty-five failed with "database is locked" (two ingest workers starting together).
    with multiprocessing.get_context("fork").Pool(6) as pool:
        outcomes = [outcome for round_ in range(15)
                    for outcome in pool.map(_open_store, [str(tmp_path / f"{round_}.sqlite")] * 6)]
    assert set(outcomes) == {"opened"}
