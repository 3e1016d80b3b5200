"""Metrics on hand-computed examples: NeuS framing bias, ROUGE-1/2/L, the simple lemmatiser."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.metrics import framing_bias, lemmatise, load_nrc_vad, rouge, rouge_l, rouge_n, tokens

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
VAD = {  # word: (valence, arousal, dominance)
    "terrible": (0.1, 0.8, 0.3), "joy": (0.9, 0.6, 0.6), "table": (0.5, 0.2, 0.4),
    "attack": (0.2, 0.9, 0.7), "annihilate": (0.05, 0.95, 0.8), "bring": (0.55, 0.4, 0.5),
}


def test_rouge_by_hand() -> None:
    cand, ref = "The cat sat on the mat.", "the cat lay on the mat"
    # unigrams: the×2, cat, on, mat shared = 5 of 6 each side → P = R = F1 = 5/6
    assert rouge_n(cand, ref, 1) == pytest.approx(5 / 6)
    # bigrams: "the cat", "on the", "the mat" shared = 3 of 5 each side
    assert rouge_n(cand, ref, 2) == pytest.approx(3 / 5)
    # LCS "the cat on the mat" = 5 of 6 each side
    assert rouge_l(cand, ref) == pytest.approx(5 / 6)
    # unequal lengths: cand 2 tokens, ref 4, overlap 2 → P 1, R 0.5, F1 2/3
    assert rouge_n("cat mat", "the cat the mat", 1) == pytest.approx(2 / 3)
    assert rouge("", ref) == {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}


def test_framing_bias_by_hand() -> None:
    generated = "A terrible attack brought joy to the table; troops annihilated it."
    reference = "An attack on the tables."
    result = framing_bias(generated, reference, VAD)
    # added lemmas in VAD: terrible (neg, 0.8), joy (pos, 0.6), annihilate (neg, 0.95), bring (neutral)
    # attack and table are in the reference (tables → table), so they add nothing
    assert result.arousal_positive == pytest.approx(0.6)
    assert result.arousal_negative == pytest.approx(0.8 + 0.95)
    assert result.total == pytest.approx(2.35)
    assert result.words == ("annihilate", "joy", "terrible")
    assert framing_bias(reference, reference, VAD).total == 0


def test_lemmatiser_rules() -> None:
    assert tokens("Kim’s “war games”, 2023!") == ["kim", "war", "games", "2023"]
    assert [lemmatise(w) for w in ("games", "stopped", "parties", "was", "running")] == \
        ["game", "stop", "party", "be", "run"]
    assert lemmatise("annihilated", VAD) == "annihilate"
    assert lemmatise("attacks", VAD) == "attack"


def test_real_nrc_vad_when_available() -> None:
    path = SHARED / "lexicons" / "NRC-VAD-Lexicon.txt"
    if not path.exists():
        pytest.skip("shared lexicons not present")
    vad = load_nrc_vad(Path(path))
    assert len(vad) > 19_000
    assert vad["annihilate"][0] < 0.35 and vad["annihilate"][1] > 0.7
    assert framing_bias("The enemy would be annihilated.", "Troops were there.", vad).arousal_negative > 1
