"""The embedded document store's own behaviour: a data folder from before the lexical index keeps working."""

from __future__ import annotations

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
