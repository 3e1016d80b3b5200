"""The app's long-lived objects, created once per process (st.cache_resource), and the settings in effect.

This is the one place the app builds heavy things: the store (SQLite + Chroma + the embedding model) and the
chat history. Everything else asks for them here.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from rag.chat_history import ChatHistory, open_chat_history
from rag.errors import SettingsError
from rag.settings import Settings, get_settings
from rag.store import Store, open_store
from rag.user_settings import with_saved_choices

GENERATOR_NAMES = {"extractive": "Extractive", "llamacpp": "Local GGUF (llama.cpp)",
                   "openai": "OpenAI-compatible", "ollama": "Ollama"}

# Session-state keys shared by the pages.
COLLECTION = "collection"
LLM_OVERRIDES = "llm_overrides"  # generator fields held by this session only (an unsaved key)


@st.cache_resource(show_spinner="Loading the embedding model (first start only)…")
def _store(data_dir: str, chroma_url: str, embedding_model: str) -> Store:
    from rag.linguistics import parse

    store = open_store(get_settings())
    # Load the embedding model and the spaCy parser now, not on the first question (about 5 s of it).
    store.embeddings.encode(["warm up"])
    parse(["The parser is loaded before the first question."])
    return store


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


def get_store() -> Store:
    s = base_settings()
    return _store(str(s.data_dir), s.chroma_url, s.embedding_model)


def get_chat_history() -> ChatHistory:
    return _chat_history(str(base_settings().data_dir))


def current_collection() -> str:
    """The collection chosen in the sidebar (default: the configured one)."""
    return st.session_state.get(COLLECTION) or base_settings().collection
