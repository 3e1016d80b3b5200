"""Evaluation metrics: the NeuS framing-bias metric (Lee et al., NAACL 2022) and ROUGE-1/2/L.

NeuS: lower-case, strip punctuation, lemmatise; take the lemmas of the generated text that are absent from
the human neutral summary; for each found in NRC-VAD, add its arousal to Arousal+ when its valence > 0.65
and to Arousal- when its valence < 0.35. Lower is more neutral. The NRC-VAD file is research data and is
only read from a path the caller passes (never shipped).

Lemmatisation is deliberately simple and deterministic (no model): a small table of irregular forms, then
suffix rules for plurals (-ies → -y, -es/-s dropped), past tense (-ied → -y, -ed dropped) and gerunds (-ing
dropped), undoubling a final double consonant ("stopped" → "stop"); when a vocabulary is given and the
stripped form is not in it but the form plus "e" is, that form is used ("annihilated" → "annihilate").

ROUGE follows Lin (2004) as rouge-score does without stemming: lower-cased alphanumeric tokens; ROUGE-N
from clipped n-gram counts, ROUGE-L from the longest common subsequence; we report F1.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_IRREGULAR = {
    "is": "be", "are": "be", "was": "be", "were": "be", "been": "be", "am": "be",
    "has": "have", "had": "have",
    "did": "do", "does": "do", "done": "do", "said": "say", "says": "say", "went": "go", "gone": "go",
    "made": "make", "took": "take", "taken": "take", "gave": "give", "given": "give", "came": "come",
    "men": "man", "women": "woman", "children": "child", "people": "people", "told": "tell", "held": "hold",
    "won": "win", "lost": "lose", "left": "leave", "led": "lead", "met": "meet", "brought": "bring",
    "thought": "think", "sought": "seek", "fought": "fight", "began": "begin", "begun": "begin",
}
POSITIVE_VALENCE = 0.65
NEGATIVE_VALENCE = 0.35


def tokens(text: str) -> list[str]:
    """Lower-case word tokens with punctuation stripped (apostrophes and possessive 's removed)."""
    text = text.lower().replace("’", "'")
    return [re.sub(r"'s$", "", t).replace("'", "") for t in _TOKEN.findall(text)]


def _undouble(stem: str) -> str:
    if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
        return stem[:-1]
    return stem


def lemmatise(word: str, vocabulary: Container[str] | None = None) -> str:
    """A simple rule-based lemma (see the module docstring for the rules)."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if vocabulary is not None and word in vocabulary and not word.endswith(("s", "ed", "ing")):
        return word
    candidates: list[str] = []
    if word.endswith(("ies", "ied")) and len(word) > 4:
        candidates.append(word[:-3] + "y")
    elif word.endswith(("sses", "shes", "ches", "xes", "zes")) and len(word) > 4:
        candidates.append(word[:-2])
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        candidates.append(word[:-1])
    elif word.endswith("ed") and len(word) > 4:
        candidates += [_undouble(word[:-2]), word[:-1]]
    elif word.endswith("ing") and len(word) > 5:
        candidates += [_undouble(word[:-3]), word[:-3] + "e"]
    if not candidates:
        return word
    if vocabulary is None:
        return candidates[0]
    for candidate in [*candidates, word]:
        if candidate in vocabulary:
            return candidate
    stem = candidates[0]
    return stem + "e" if stem + "e" in vocabulary else stem


def lemmas(text: str, vocabulary: Container[str] | None = None) -> set[str]:
    return {lemmatise(t, vocabulary) for t in tokens(text)}


@lru_cache(maxsize=2)
def load_nrc_vad(path: Path) -> dict[str, tuple[float, float, float]]:
    """NRC-VAD: word → (valence, arousal, dominance), each in [0, 1]."""
    out: dict[str, tuple[float, float, float]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        try:
            out[parts[0].strip().lower()] = (float(parts[1]), float(parts[2]), float(parts[3]))
        except ValueError:  # a header line
            continue
    return out


@dataclass(frozen=True)
class FramingBias:
    """NeuS arousal sums of the charged words a generated text adds beyond the neutral reference."""

    arousal_positive: float
    arousal_negative: float
    words: tuple[str, ...]

    @property
    def total(self) -> float:
        return self.arousal_positive + self.arousal_negative


def framing_bias(generated: str, reference: str, vad: dict[str, tuple[float, float, float]]) -> FramingBias:
    """The NeuS framing-bias metric of one generated text against one neutral reference."""
    added = lemmas(generated, vad) - lemmas(reference, vad)
    positive = negative = 0.0
    charged = []
    for word in sorted(added):
        if word not in vad:
            continue
        valence, arousal, _ = vad[word]
        if valence > POSITIVE_VALENCE:
            positive += arousal
            charged.append(word)
        elif valence < NEGATIVE_VALENCE:
            negative += arousal
            charged.append(word)
    return FramingBias(positive, negative, tuple(charged))


def _ngrams(words: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def _f1(overlap: float, candidate_total: int, reference_total: int) -> float:
    if not candidate_total or not reference_total or not overlap:
        return 0.0
    precision, recall = overlap / candidate_total, overlap / reference_total
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: str, reference: str, n: int) -> float:
    """ROUGE-N F1 with clipped n-gram counts."""
    c, r = _ngrams(tokens(candidate), n), _ngrams(tokens(reference), n)
    return _f1(sum((c & r).values()), sum(c.values()), sum(r.values()))


def _lcs(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (longest common subsequence over the whole text)."""
    c, r = tokens(candidate), tokens(reference)
    return _f1(_lcs(c, r), len(c), len(r))


def rouge(candidate: str, reference: str) -> dict[str, float]:
    return {"rouge1": rouge_n(candidate, reference, 1), "rouge2": rouge_n(candidate, reference, 2),
            "rougeL": rouge_l(candidate, reference)}
