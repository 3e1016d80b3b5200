"""Generators: turn a task and numbered evidence sentences into draft claims citing that evidence.

`extractive` (default, offline, no model) composes from the evidence itself; `llamacpp`, `openai` and
`ollama` wrap LangChain chat/LLM models. All are chosen by name through `get_generator`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Literal, Protocol

from rag.errors import ProviderUnavailable
from rag.types import DraftClaim, SentenceHit

if TYPE_CHECKING:
    from rag.settings import Settings

Task = Literal["answer", "brief"]


class Generator(Protocol):
    """Anything that writes draft claims from numbered evidence (1-based positions in `evidence`)."""

    name: str

    def generate(self, task: Task, question: str, evidence: Sequence[SentenceHit]) -> Iterator[DraftClaim]:
        """Yield claims as they are produced (streaming)."""
        ...


# Generators are imported lazily by name so that a missing optional extra only matters when it is chosen.
GENERATOR_MODULES = {
    "extractive": "rag.providers.extractive",
    "llamacpp": "rag.providers.llamacpp",
    "openai": "rag.providers.openai",
    "ollama": "rag.providers.ollama",
}


def get_generator(name: str | None = None, settings: Settings | None = None) -> Generator:
    """The generator called `name` (default: settings.llm.provider), built from settings.

    Each provider module exposes `make_generator(settings) -> Generator`. Raises ProviderUnavailable when the
    provider's package, model or server is missing; callers decide whether to fall back to extractive.
    """
    import importlib

    from rag.settings import get_settings

    s = get_settings(settings)
    name = name or s.llm.provider
    module_name = GENERATOR_MODULES.get(name)
    if module_name is None:
        known = ", ".join(GENERATOR_MODULES)
        raise ProviderUnavailable(f"unknown generator {name!r}; choose one of: {known}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ProviderUnavailable(
            f"generator {name!r} is not installed ({exc}); install the extra: pip install 'crossread[{name}]'"
        ) from exc
    generator: Generator = module.make_generator(s)
    return generator
