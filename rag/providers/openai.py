"""OpenAI-compatible servers (OpenAI, vLLM, LM Studio, Ollama's /v1, llama.cpp's server) via langchain-openai.

Chat models go through /v1/chat/completions (`ChatOpenAI`); with `CROSSREAD_LLM__PROMPT_STYLE=completion` a
base model is prompted through /v1/completions (`OpenAI`). The API key is a SecretStr: it is passed to the
client and never logged, echoed or put into an error message.
"""

from __future__ import annotations

from typing import Any

from rag.errors import ProviderUnavailable
from rag.providers.llm import LLMGenerator, client_generator, plain_reason
from rag.settings import Settings

# Local servers ignore the key but the client insists on one.
PLACEHOLDER_KEY = "not-needed"
# Local servers mostly ignore the model name; a real OpenAI endpoint needs one.
PLACEHOLDER_MODEL = "default"


def client_options(settings: Settings) -> dict[str, Any]:
    """Constructor arguments shared by ChatOpenAI and OpenAI; raises when a required setting is missing."""
    llm = settings.llm
    key = llm.api_key.get_secret_value()
    if not llm.base_url and not key:
        raise ProviderUnavailable(
            "The OpenAI-compatible generator needs an API key for api.openai.com, or the URL of a local "
            "OpenAI-compatible server, for example http://127.0.0.1:8000/v1"
        )
    if not llm.base_url and not llm.model:
        raise ProviderUnavailable(
            "The OpenAI-compatible generator needs a model name for api.openai.com, for example gpt-4o-mini")
    options: dict[str, Any] = {
        "model": llm.model or PLACEHOLDER_MODEL,
        "api_key": key or PLACEHOLDER_KEY,
        "timeout": llm.timeout,
        "max_retries": 1,
        "temperature": llm.temperature,
        "max_tokens": llm.max_tokens,
    }
    if llm.base_url:
        options["base_url"] = llm.base_url
    return options


def error_describer(settings: Settings) -> Any:
    """Turns openai client errors into user-facing messages that name the server but never the key."""
    import openai

    where = settings.llm.base_url or "api.openai.com"
    secret = settings.llm.api_key.get_secret_value()

    def describe(exc: Exception) -> str | None:
        if isinstance(exc, openai.APITimeoutError):
            return f"The OpenAI-compatible server at {where} did not answer within {settings.llm.timeout:g} s"
        if isinstance(exc, openai.APIConnectionError):
            return f"The OpenAI-compatible server could not be reached at {where} ({plain_reason(exc)})"
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return f"The OpenAI-compatible server at {where} rejected the API key"
        if isinstance(exc, openai.NotFoundError):
            name = settings.llm.model or PLACEHOLDER_MODEL
            return f"The OpenAI-compatible server at {where} has no model {name!r}"
        if isinstance(exc, openai.APIStatusError):
            detail = str(exc)[:200].replace(secret, "***") if secret else str(exc)[:200]
            return f"The OpenAI-compatible server at {where} failed with HTTP {exc.status_code}: {detail}"
        return None

    return describe


def make_generator(settings: Settings) -> LLMGenerator:
    """The `openai` generator; ProviderUnavailable when the package or a required setting is missing."""
    try:
        from langchain_openai import ChatOpenAI, OpenAI
    except ImportError as exc:
        message = "OpenAI-compatible support is not installed: pip install 'crossread[openai]'"
        raise ProviderUnavailable(message) from exc

    return client_generator(
        settings, "openai", chat=ChatOpenAI, completion=OpenAI, options=client_options(settings),
        describe_error=error_describer(settings),
    )
