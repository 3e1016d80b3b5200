"""Composer helpers: which single-source sentences stand alone, and turn-taking between outlets."""

from __future__ import annotations

from rag.alignment import FactGroup, OutletSentence
from rag.composer import _round_robin, stands_alone
from rag.types import Sentence


def _group(outlet: str, i: int) -> FactGroup:
    return FactGroup((OutletSentence(Sentence(outlet, i, f"Sentence {i}.", 0, 12), outlet),), {})


def test_stands_alone() -> None:
    assert stands_alone("Kim visited three munitions factories on Friday and Saturday.")
    assert not stands_alone("He urged growth in the production of rocket launcher rounds.")
    assert not stands_alone("Talks ended.")


def test_round_robin_takes_outlets_in_turn() -> None:
    members = [_group("A", 0), _group("A", 1), _group("A", 2), _group("B", 0)]
    picked = _round_robin([g.members[0] for g in members], 3)
    assert [(m.outlet, m.sentence.index) for m in picked] == [("A", 0), ("B", 0), ("A", 1)]

