"""Prompt files under `prompts/`, loaded by name, with their variables checked."""

from __future__ import annotations

# The one refusal phrase: used by prompts, the answer parser, the UI and the tests.
REFUSAL = "The sources don't say."
