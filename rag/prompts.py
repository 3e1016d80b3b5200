"""Prompt files under `prompts/`, loaded by name, with their variables checked.

A prompt file is Markdown: free text for humans first, then parts that each start with a heading line
`## system`, `## user` or `## prompt` (completion models get one `prompt` part). Variables are written
`{name}` (Python format syntax; a literal brace is `{{`). Rendering raises on a missing or unknown variable.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# The one refusal phrase: used by prompts, the answer parser, the UI and the tests.
REFUSAL = "The sources don't say."

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
_PART_HEADING = re.compile(r"^## (system|user|prompt)[ \t]*$", re.MULTILINE)


# Text addressed to a model rather than a reader (prompt injection): commands to drop instructions, role labels,
# persona switches, our own delimiters.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instructions?|prompts?|rules|directions|above)\b"
    r"|^\W*(?:system|assistant)\s*:|\b(?:system prompt|you are now|as an ai|developer mode|new instructions?)\b"
    r"|</?\s*sources\s*>",
    re.IGNORECASE,
)


def is_instruction(text: str) -> bool:
    """True for text that tries to instruct a model (prompt injection) rather than report anything."""
    return bool(_INSTRUCTION.search(text))


def is_refusal(text: str) -> bool:
    """Whether a generated sentence is (or opens with) the refusal phrase, tolerating quotes, case and
    'do not'."""
    def norm(value: str) -> str:
        value = value.replace("’", "'").casefold().replace("do not", "don't")
        return re.sub(r"[^a-z' ]", "", value).strip()

    return norm(text).startswith(norm(REFUSAL))


class PromptError(ValueError):
    """A prompt file is missing or malformed, or was rendered with the wrong variables."""


@dataclass(frozen=True)
class PromptTemplate:
    """One prompt file: its parts in order (role, template) and the variables they use."""

    name: str
    parts: tuple[tuple[str, str], ...]

    @property
    def variables(self) -> frozenset[str]:
        """Every `{name}` the parts use."""
        return frozenset(
            field for _, text in self.parts for _, field, _, _ in string.Formatter().parse(text) if field
        )

    @property
    def is_chat(self) -> bool:
        return any(role != "prompt" for role, _ in self.parts)

    def render(self, **values: str) -> dict[str, str]:
        """Role → text with the variables filled in; raises PromptError on missing or unknown names."""
        missing = sorted(self.variables - values.keys())
        unknown = sorted(values.keys() - self.variables)
        if missing or unknown:
            raise PromptError(f"prompt {self.name!r}: missing variables {missing}, unknown {unknown}")
        return {role: text.format(**values) for role, text in self.parts}


def parse_prompt(name: str, source: str) -> PromptTemplate:
    """Split a prompt file's text into its parts (text before the first part heading is documentation)."""
    headings = list(_PART_HEADING.finditer(source))
    if not headings:
        raise PromptError(f"prompt {name!r} has no '## system', '## user' or '## prompt' part")
    parts: list[tuple[str, str]] = []
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        end = following.start() if following else len(source)
        # Blank lines around a part are layout, not prompt; a completion prompt must end exactly at "Answer:".
        body = source[heading.end():end].strip("\n").rstrip()
        parts.append((heading.group(1), body))
    roles = [role for role, _ in parts]
    if len(set(roles)) != len(roles) or ("prompt" in roles and len(roles) > 1):
        raise PromptError(f"prompt {name!r}: parts {roles} (use system+user, or a single prompt)")
    template = PromptTemplate(name, tuple(parts))
    try:
        template.render(**dict.fromkeys(template.variables, ""))
    except (ValueError, IndexError, KeyError) as exc:
        raise PromptError(f"prompt {name!r} is not a valid template: {exc}") from exc
    return template


@lru_cache(maxsize=32)
def load_prompt(name: str) -> PromptTemplate:
    """The prompt `prompts/<name>.md`."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise PromptError(f"invalid prompt name {name!r}")
    path = PROMPTS_DIR / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"no prompt file {path}")
    return parse_prompt(name, path.read_text(encoding="utf-8"))


def render(name: str, **values: str) -> dict[str, str]:
    """Load prompt `name` and fill in its variables (all required, none extra)."""
    return load_prompt(name).render(**values)


def available_prompts() -> list[str]:
    """Names of all prompt files."""
    return sorted(p.stem for p in PROMPTS_DIR.glob("*.md"))


def langchain_prompt(name: str) -> Any:
    """Prompt `name` as a LangChain prompt template (chat parts → ChatPromptTemplate, one completion part →
    PromptTemplate), for use in a Runnable chain; same `{name}` variables as the file."""
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.prompts import PromptTemplate as TextPromptTemplate

    template = load_prompt(name)
    if not template.is_chat:
        return TextPromptTemplate.from_template(template.parts[0][1])
    roles = {"system": "system", "user": "human"}
    return ChatPromptTemplate.from_messages([(roles[role], text) for role, text in template.parts])
