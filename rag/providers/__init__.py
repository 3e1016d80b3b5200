"""Generators: turn a task and numbered evidence sentences into draft claims citing that evidence.

`extractive` (default, offline, no model) composes from the evidence itself; `llamacpp`, `openai` and
`ollama` wrap LangChain chat/LLM models. Callers get one through `resolve_generator`, which also decides
whether a failing provider is replaced by the extractive generator (`FallbackGenerator`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Literal, Protocol

from rag.errors import ProviderUnavailable
from rag.types import DraftClaim, SentenceHit

if TYPE_CHECKING:
    from rag.settings import Settings

Task = Literal["answer", "brief"]
EXTRACTIVE = "extractive"


class Generator(Protocol):
    """Anything that writes draft claims from numbered evidence (1-based positions in `evidence`).

    `name` is the generator that wrote (or will write) the claims; `notice` is a plain sentence for the user
    when it is not the one asked for (None normally). Both describe the latest `generate` call.
    """

    name: str
    notice: str | None

    def generate(self, task: Task, question: str, evidence: Sequence[SentenceHit]) -> Iterator[DraftClaim]:
        """Yield claims as they are produced (streaming)."""
        ...


# Generators are imported lazily by name so that a missing optional extra only matters when it is chosen.
GENERATOR_MODULES = {
    EXTRACTIVE: "rag.providers.extractive",
    "llamacpp": "rag.providers.llamacpp",
    "openai": "rag.providers.openai",
    "ollama": "rag.providers.ollama",
}
DISPLAY_NAMES = {EXTRACTIVE: "The extractive generator", "llamacpp": "The local GGUF model",
                 "openai": "The OpenAI-compatible server", "ollama": "Ollama"}


def get_generator(name: str | None = None, settings: Settings | None = None) -> Generator:
    """The generator called `name` (default: settings.llm.provider), built from settings, without fallback.

    Each provider module exposes `make_generator(settings) -> Generator`. Raises ProviderUnavailable when the
    name is unknown or the provider's package, model or server is missing.
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
            f"{DISPLAY_NAMES.get(name, name)} is not installed: pip install 'crossread[{name}]'"
        ) from exc
    generator: Generator = module.make_generator(s)
    return generator


def resolve_generator(name: str | None, settings: Settings | None = None) -> Generator:
    """The one place a generator is chosen: the named (or configured) one, wrapped so that it is replaced by
    the extractive generator, with a notice, when it fails before its first claim and
    `settings.llm.fallback_to_extractive` allows it.

    An unknown name is the user's to fix: ProviderUnavailable, never a fallback. So is any failure when
    fallback is off.
    """
    from rag.settings import get_settings

    s = get_settings(settings)
    wanted = name or s.llm.provider
    if wanted not in GENERATOR_MODULES:
        known = ", ".join(GENERATOR_MODULES)
        raise ProviderUnavailable(f"unknown generator {wanted!r}; choose one of: {known}")
    if wanted == EXTRACTIVE:
        return get_generator(EXTRACTIVE, s)
    try:
        primary = get_generator(wanted, s)
    except ProviderUnavailable as exc:
        if not s.llm.fallback_to_extractive:
            raise
        return FallbackGenerator(UnavailableGenerator(wanted, exc), get_generator(EXTRACTIVE, s))
    if not s.llm.fallback_to_extractive:
        return primary
    return FallbackGenerator(primary, get_generator(EXTRACTIVE, s))


def fallback_notice(failed: str, error: Exception) -> str:
    """What the user reads when `failed` was replaced: its failure, then who answered."""
    reason = str(error).strip().rstrip(".") or type(error).__name__
    if not reason.lower().startswith(failed.lower()) and not any(
            reason.startswith(d) for d in DISPLAY_NAMES.values()):
        reason = f"{DISPLAY_NAMES.get(failed, failed)} failed: {reason}"
    return f"{reason}; answered with the extractive generator."


class UnavailableGenerator:
    """Stands for a provider that could not be built; generating raises the error it failed with."""

    notice: str | None = None

    def __init__(self, name: str, error: ProviderUnavailable):
        self.name = name
        self.error = error

    def generate(self, task: Task, question: str, evidence: Sequence[SentenceHit]) -> Iterator[DraftClaim]:
        raise self.error
        yield  # pragma: no cover (makes this a generator function)


class FallbackGenerator:
    """`primary`, replaced by `fallback` when it fails before its first claim (ProviderUnavailable or a
    timeout). A failure after a claim ends the answer with ProviderUnavailable: mixing two generators'
    claims in one answer would be worse than stopping."""

    def __init__(self, primary: Generator, fallback: Generator):
        self.primary = primary
        self.fallback = fallback
        self.name = primary.name
        self.notice: str | None = None
        if isinstance(primary, UnavailableGenerator):
            self._switch(primary.error)

    def _switch(self, error: Exception) -> None:
        self.notice = fallback_notice(self.primary.name, error)
        self.name = self.fallback.name

    def generate(self, task: Task, question: str, evidence: Sequence[SentenceHit]) -> Iterator[DraftClaim]:
        if self.name == self.fallback.name and self.notice is not None:
            yield from self.fallback.generate(task, question, evidence)
            return
        claimed = False
        try:
            for draft in self.primary.generate(task, question, evidence):
                claimed = True
                yield draft
        except (ProviderUnavailable, TimeoutError) as exc:
            if claimed:
                raise ProviderUnavailable(str(exc)) from exc
            self._switch(exc)
            yield from self.fallback.generate(task, question, evidence)
