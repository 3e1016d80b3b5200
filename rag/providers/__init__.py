"""Generators: turn a task and numbered evidence sentences into draft claims citing that evidence.

`extractive` (default, offline, no model) composes from the evidence itself; `llamacpp`, `openai` and
`ollama` wrap LangChain chat/LLM models. All are chosen by name through `get_generator`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal, Protocol

from rag.types import DraftClaim, SentenceHit

Task = Literal["answer", "brief"]


class Generator(Protocol):
    """Anything that writes draft claims from numbered evidence (1-based positions in `evidence`)."""

    name: str

    def generate(self, task: Task, question: str, evidence: Sequence[SentenceHit]) -> Iterator[DraftClaim]:
        """Yield claims as they are produced (streaming)."""
        ...
