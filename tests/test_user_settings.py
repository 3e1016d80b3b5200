"""The generator choice saved in the data folder: round trip, the key only when allowed, damage reported."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from rag.errors import SettingsError
from rag.settings import Settings
from rag.user_settings import (
    forget_llm_choices,
    load_llm_choices,
    save_llm_choices,
    saved_settings_path,
    with_saved_choices,
)


@pytest.fixture
def base(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_nothing_saved_leaves_the_environment_settings(base: Settings) -> None:
    assert load_llm_choices(base) == {}
    assert with_saved_choices(base) is base


def test_a_saved_choice_outlives_the_process_and_overrides_only_its_fields(base: Settings) -> None:
    save_llm_choices(base, {"provider": "ollama", "model": "llama3.2", "base_url": "http://127.0.0.1:9",
                            "fallback_to_extractive": False}, remember_key=False)
    fresh = Settings(data_dir=base.data_dir)  # as after a restart
    applied = with_saved_choices(fresh)
    assert (applied.llm.provider, applied.llm.model, applied.llm.fallback_to_extractive) == (
        "ollama", "llama3.2", False)
    assert applied.llm.max_tokens == fresh.llm.max_tokens and applied.retrieval == fresh.retrieval


def test_the_key_is_written_only_when_allowed_and_only_for_its_owner(base: Settings) -> None:
    choice = {"provider": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key": SecretStr("sk-secret")}
    path = save_llm_choices(base, choice, remember_key=False)
    assert "sk-secret" not in path.read_text()
    save_llm_choices(base, choice, remember_key=True)
    assert json.loads(path.read_text())["llm"]["api_key"] == "sk-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_llm_choices(base)["api_key"]
    assert isinstance(loaded, SecretStr) and loaded.get_secret_value() == "sk-secret"
    # Saving again without typing the key keeps it while allowed, drops it when no longer allowed.
    save_llm_choices(base, {"provider": "openai", "model": "m"}, remember_key=True)
    assert load_llm_choices(base)["api_key"].get_secret_value() == "sk-secret"
    save_llm_choices(base, {"provider": "ollama", "model": "llama3.2"}, remember_key=None)  # not asked: kept
    assert load_llm_choices(base)["api_key"].get_secret_value() == "sk-secret"
    save_llm_choices(base, {"provider": "openai", "model": "m"}, remember_key=False)
    assert "api_key" not in load_llm_choices(base)


def test_a_damaged_file_is_one_line_error_naming_it(base: Settings) -> None:
    path = saved_settings_path(base)
    path.parent.mkdir(parents=True)
    for damage in ("{not json", '{"llm": {"provider": "gpt-9"}}', "[1, 2]"):
        path.write_text(damage)
        with pytest.raises(SettingsError, match="app_settings.json") as caught:
            load_llm_choices(base)
        assert "\n" not in str(caught.value)
    save_llm_choices(base, {"provider": "ollama"}, remember_key=None)  # saving again repairs it
    assert load_llm_choices(base) == {"provider": "ollama"}


def test_back_to_the_defaults_deletes_the_file(base: Settings) -> None:
    save_llm_choices(base, {"provider": "ollama"}, remember_key=False)
    forget_llm_choices(base)
    assert not saved_settings_path(base).exists() and load_llm_choices(base) == {}
    forget_llm_choices(base)  # twice is fine
