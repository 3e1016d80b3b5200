"""The app's long-lived objects, created once per process (st.cache_resource), and the settings in effect.

This is the one place the app builds heavy things: the engine (`rag.engine.Crossread`: SQLite or PostgreSQL,
Chroma, the embedding model, the generator) and the chat history. The pages ask for them here; nothing else
in the app holds state beyond a browser session's `st.session_state`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from rag.chat_history import ChatHistory, open_chat_history
from rag.engine import Crossread
from rag.errors import SettingsError
from rag.settings import Settings, get_settings
from rag.store import Store
from rag.user_settings import with_saved_choices

GENERATOR_NAMES = {"extractive": "Extractive", "llamacpp": "Local GGUF (llama.cpp)",
                   "openai": "OpenAI-compatible", "ollama": "Ollama"}

# Session-state keys shared by the pages.
COLLECTION = "collection"
LLM_OVERRIDES = "llm_overrides"  # generator fields held by this session only (an unsaved key)


@st.cache_resource(show_spinner="Loading the embedding model (first start only)…")
def _engine(data_dir: str, database_url: str, chroma_url: str, embedding_model: str) -> Crossread:
    """One engine per process and store (the arguments key the cache: another data folder is another store)."""
    from rag.linguistics import parse

    engine = Crossread(get_settings())
    # Load the embedding model and the spaCy parser now, not on the first question (about 5 s of it).
    engine.store.embeddings.encode(["warm up"])
    parse(["The parser is loaded before the first question."])
    return engine


@st.cache_resource
def _chat_history(data_dir: str) -> ChatHistory:
    return open_chat_history(get_settings())


def base_settings() -> Settings:
    """Settings from the environment and .env, as the CLI sees them."""
    return get_settings()


def current_settings() -> Settings:
    """Environment settings, then the generator choice saved on the Settings page (data folder), then what
    this session alone holds (a key the user chose not to save)."""
    base = base_settings()
    try:
        saved = with_saved_choices(base)
    except SettingsError:  # the sidebar names the damaged file; meanwhile the defaults apply
        saved = base
    overrides: dict[str, Any] = st.session_state.get(LLM_OVERRIDES) or {}
    if not overrides:
        return saved
    return saved.model_copy(update={"llm": saved.llm.model_copy(update=overrides)})


def _process_engine() -> Crossread:
    s = base_settings()
    return _engine(str(s.data_dir), s.database_url, s.chroma_url, s.embedding_model)


def get_engine() -> Crossread:
    """The process's engine with this session's settings (its generator choice, an unsaved key)."""
    engine, current = _process_engine(), current_settings()
    return engine if current == engine.settings else engine.using(current)


def get_store() -> Store:
    """The engine's store (documents, sentences, vectors), for the pages that list, show or delete."""
    return _process_engine().store


def get_chat_history() -> ChatHistory:
    return _chat_history(str(base_settings().data_dir))


def current_collection() -> str:
    """The collection chosen in the sidebar (default: the configured one)."""
    return st.session_state.get(COLLECTION) or base_settings().collection
