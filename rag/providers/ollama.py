"""Native Ollama through langchain-ollama: `ChatOllama` (/api/chat), or `OllamaLLM` (/api/generate) for base
models when `CROSSREAD_LLM__PROMPT_STYLE=completion`. Error messages are plain sentences for the user (the
fallback notice repeats them), naming the server but no environment variable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rag.errors import ProviderUnavailable
from rag.providers.llm import LLMGenerator, client_generator, plain_reason
from rag.settings import Settings

DEFAULT_BASE_URL = "http://127.0.0.1:11434"


def client_options(settings: Settings) -> dict[str, Any]:
    """Constructor arguments shared by ChatOllama and OllamaLLM."""
    llm = settings.llm
    if not llm.model:
        raise ProviderUnavailable("Ollama needs a model name, for example llama3.2")
    return {
        "model": llm.model,
        "base_url": llm.base_url or DEFAULT_BASE_URL,
        "temperature": llm.temperature,
        "num_predict": llm.max_tokens,
        "client_kwargs": {"timeout": llm.timeout},
    }


def error_describer(settings: Settings) -> Callable[[Exception], str | None]:
    """Turns Ollama client and transport errors into user-facing messages."""
    import httpx
    import ollama

    where = settings.llm.base_url or DEFAULT_BASE_URL

    def describe(exc: Exception) -> str | None:
        if isinstance(exc, httpx.TimeoutException):
            return f"Ollama at {where} did not answer within {settings.llm.timeout:g} s"
        if isinstance(exc, ConnectionError | httpx.TransportError):
            return f"Ollama could not be reached at {where} ({plain_reason(exc)})"
        if isinstance(exc, ollama.ResponseError):
            if exc.status_code == 404:
                model = settings.llm.model
                return f"Ollama at {where} has no model {model!r}; fetch it with: ollama pull {model}"
            return f"Ollama at {where} failed with HTTP {exc.status_code}: {exc.error[:200]}"
        return None

    return describe


def make_generator(settings: Settings) -> LLMGenerator:
    """The `ollama` generator; ProviderUnavailable when the package or the model name is missing."""
    try:
        from langchain_ollama import ChatOllama, OllamaLLM
    except ImportError as exc:
        message = "Ollama support is not installed: pip install 'crossread[ollama]'"
        raise ProviderUnavailable(message) from exc

    return client_generator(
        settings, "ollama", chat=ChatOllama, completion=OllamaLLM, options=client_options(settings),
        describe_error=error_describer(settings),
    )
