"""The generator choice saved on the app's Settings page, kept as JSON in the data folder so it outlives a restart.

Environment settings (CROSSREAD_* and .env) stay the defaults; a saved choice replaces only the generator fields
it names. The API key is written only when the user ticks "remember the key", to a file readable by its owner
alone; otherwise it lives in the browser session's memory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError

from rag.errors import SettingsError
from rag.settings import LLMSettings, Settings

FILE_NAME = "app_settings.json"
SAVED_FIELDS = ("provider", "model", "base_url", "timeout", "max_tokens", "fallback_to_extractive", "api_key")


def saved_settings_path(settings: Settings) -> Path:
    return settings.data_dir / FILE_NAME


def load_llm_choices(settings: Settings) -> dict[str, Any]:
    """The saved generator fields (the key as a SecretStr), or {} when nothing was saved.

    Raises SettingsError when the file cannot be read or holds values the settings reject.
    """
    path = saved_settings_path(settings)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError(f"could not read the saved settings {path}: {exc.strerror or exc}") from exc
    try:
        record = json.loads(raw).get("llm", {})
        choices = {k: v for k, v in record.items() if k in SAVED_FIELDS}
        LLMSettings.model_validate({**settings.llm.model_dump(), **choices})
    except (ValueError, AttributeError, ValidationError) as exc:
        raise SettingsError(f"the saved settings in {path} are damaged; the defaults apply until you save "
                            "the Settings page again or delete the file") from exc
    if "api_key" in choices:
        choices["api_key"] = SecretStr(str(choices["api_key"]))
    return choices


def with_saved_choices(settings: Settings) -> Settings:
    """`settings` with the saved generator choice applied (unchanged when nothing was saved)."""
    choices = load_llm_choices(settings)
    if not choices:
        return settings
    return settings.model_copy(update={"llm": settings.llm.model_copy(update=choices)})


def save_llm_choices(settings: Settings, choices: dict[str, Any], *, remember_key: bool | None) -> Path:
    """Write the generator fields of `choices`; the key only when `remember_key` (False: any stored key goes;
    None: the question was not asked, as for a provider without a key, so a stored key stays)."""
    record: dict[str, Any] = {}
    for name in SAVED_FIELDS:
        if name not in choices:
            continue
        value = choices[name]
        if name == "api_key":
            if not remember_key:
                continue
            value = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        record[name] = value
    if remember_key is not False and "api_key" not in record:
        try:
            kept = load_llm_choices(settings).get("api_key")
        except SettingsError:  # a damaged file is being replaced: nothing in it to keep
            kept = None
        if kept is not None:
            record["api_key"] = kept.get_secret_value()
    LLMSettings.model_validate({**settings.llm.model_dump(), **record})  # refuse to write what cannot load
    path = saved_settings_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    # Owner-only from the first byte: the key may be in it.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"llm": record}, handle, indent=2)
    os.replace(temporary, path)
    return path


def forget_llm_choices(settings: Settings) -> None:
    """Back to the environment's defaults: the saved file (and any key in it) is deleted."""
    saved_settings_path(settings).unlink(missing_ok=True)
