"""Settings: calibration presets per embedding model, and no threshold defined outside settings."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import rag.settings as settings_module
from rag.settings import CALIBRATED_GROUPS, DEFAULT_EMBEDDING_MODEL, Settings, calibration_preset

RAG = Path(settings_module.__file__).parent
# Numbers that are not similarity calibration, each with why it may live beside its code.
NOT_CALIBRATION = {
    ("composer.py", "EMOTIVE_WEIGHT"),  # weight of VADER valence against loaded terms: lexicon scale, not cosine
    ("loaders/text.py", "_MAX_CHAOS"),  # charset-normalizer's mess ratio for rejecting binary input
    ("metrics.py", "POSITIVE_VALENCE"),  # the NeuS metric's definition (Lee et al. 2022)
    ("metrics.py", "NEGATIVE_VALENCE"),
    ("onnx_encoder.py", "VERIFY_MIN_COSINE"),  # ONNX export must reproduce torch (0.999): model-independent
    ("linguistics.py", 0.5),  # share of ALL-CAPS words that makes a line a label
    # the parse helper process's scheduling (seconds, spare cores), measured on the machine, not a model's scale
    ("parse_process.py", "MAX_WAIT_SECONDS"),
    ("parse_process.py", "MAX_WAIT_SECONDS_PER_TEXT"),
    ("parse_process.py", "MIN_SPARE_CORES"),
    ("parse_process.py", "WATCH_SECONDS"),
}


def test_the_defaults_are_the_bundled_models_calibration() -> None:
    preset = calibration_preset(DEFAULT_EMBEDDING_MODEL)
    assert preset and set(preset) <= set(CALIBRATED_GROUPS)
    plain = Settings()
    assert plain.calibrated
    for group, values in preset.items():
        defaults = type(getattr(plain, group))()
        assert {name: getattr(defaults, name) for name in values} == values, group


def test_another_models_preset_applies_unless_a_value_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             ) -> None:
    (tmp_path / "other-model.json").write_text(json.dumps(
        {"retrieval": {"min_relevance": 0.55, "close_match": 0.85}, "briefing": {"align_threshold": 0.8}}))
    monkeypatch.setattr(settings_module, "CALIBRATION_DIR", tmp_path)
    tuned = Settings(embedding_model="/models/other-model", retrieval={"close_match": 0.9})
    assert tuned.calibrated
    assert tuned.retrieval.min_relevance == 0.55 and tuned.briefing.align_threshold == 0.8
    assert tuned.retrieval.close_match == 0.9  # the user's value wins


def test_a_model_without_a_preset_is_reported_uncalibrated() -> None:
    assert not Settings(embedding_model="/models/unknown-encoder").calibrated


def _numbers_outside_settings() -> list[tuple[str, object]]:
    """Module-level float constants, and float literals in comparisons, in rag/ outside settings.py."""
    found: list[tuple[str, object]] = []
    for path in sorted(RAG.rglob("*.py")):
        if path.name == "settings.py":
            continue
        where = path.relative_to(RAG).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                    and isinstance(node.value.value, float):
                found += [(where, t.id) for t in node.targets if isinstance(t, ast.Name)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                found += [(where, side.value) for side in (node.left, *node.comparators)
                          if isinstance(side, ast.Constant) and isinstance(side.value, float) and 0 < side.value < 1]
    return found


def test_no_threshold_is_defined_outside_settings() -> None:
    stray = [item for item in _numbers_outside_settings() if item not in NOT_CALIBRATION]
    assert not stray, f"thresholds belong in rag/settings.py (with the calibration preset): {stray}"
