"""The Chroma sentence index on a real embedded Chroma, with hand-made unit vectors (no model: unit tier)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.errors import CrossreadError
from rag.types import Sentence
from rag.vectorstore import VectorIndex, check_collection_name, make_client


def sentences(doc_id: str, n: int) -> list[Sentence]:
    return [Sentence(doc_id, i, f"Sentence {i} of {doc_id}.", 0, 1) for i in range(n)]


def unit_rows(*angles: float) -> np.ndarray:
    """2-d unit vectors at these angles (radians), padded to 8 dimensions."""
    rows = np.zeros((len(angles), 8), dtype=np.float32)
    rows[:, 0], rows[:, 1] = np.cos(angles), np.sin(angles)
    return rows


@pytest.fixture
def index(tmp_path: Path) -> VectorIndex:
    return VectorIndex(make_client(tmp_path))


def test_nearest_sentences_come_first_with_their_cosine_and_ids(index: VectorIndex) -> None:
    index.upsert("news", sentences("a", 3), unit_rows(0.0, 0.5, 1.5), ["KCNA"] * 3)
    found = index.query("news", unit_rows(0.1)[0], k=2)
    assert [(d, i) for d, i, _ in found] == [("a", 0), ("a", 1)]
    assert found[0][2] == pytest.approx(np.cos(0.1), abs=1e-4) and found[1][2] == pytest.approx(np.cos(0.4), abs=1e-4)
    assert index.query("news", unit_rows(0.0)[0], k=10)[-1][:2] == ("a", 2)  # k past the count: all of them
    assert index.query("empty", unit_rows(0.0)[0], k=3) == []


def test_batches_ids_deletes_and_drops(index: VectorIndex) -> None:
    index.max_batch = 2  # Chroma's limit is thousands; a small one exercises every batched path
    index.upsert("news", sentences("a", 5) + sentences("b", 2), unit_rows(*range(7)), ["A"] * 5 + ["B"] * 2)
    index.upsert("news", sentences("a", 1), unit_rows(3.0), ["A"])  # same id: replaced, not added
    assert index.count("news") == 7
    assert index.ids("news") == {f"a:{i}" for i in range(5)} | {"b:0", "b:1"}
    index.delete_documents("news", ["a"])
    assert index.ids("news") == {"b:0", "b:1"}
    index.delete_documents("news", [])  # nothing to delete is not "delete everything"
    assert index.count("news") == 2
    index.drop("news")
    index.drop("news")  # already gone: no error
    assert index.count("news") == 0


def test_namespaces_keep_two_stores_apart_on_one_server(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    mine, theirs = VectorIndex(client, "crossread-mine-"), VectorIndex(client, "crossread-theirs-")
    mine.upsert("news", sentences("a", 1), unit_rows(0.0), ["A"])
    assert theirs.count("news") == 0 and mine.chroma_name("news") == "crossread-mine-news"


@pytest.mark.parametrize("name", ["", "-news", "news-", "a..b", "x" * 64, "new s", "nouvelles/été"])
def test_collection_names_chroma_would_reject_are_one_line_errors(name: str) -> None:
    with pytest.raises(CrossreadError, match="collection name .* is not valid") as raised:
        check_collection_name(name)
    assert "\n" not in str(raised.value)
    assert check_collection_name("korea-2023.v2_b") == "korea-2023.v2_b"
