"""Settings: choose the generator and its connection for this session; secrets are never shown back."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import SecretStr

from rag.errors import CrossreadError
from rag.rendering import escape_markdown
from ui.resources import LLM_OVERRIDES, base_settings, current_collection, current_settings, get_store

PROVIDERS = {
    "extractive": "Extractive (offline, no model): composes answers from the retrieved sentences.",
    "llamacpp": "Local GGUF model through llama-cpp-python (empty model path: the bundled Gemma 3 270M).",
    "openai": "Any OpenAI-compatible server: OpenAI, vLLM, LM Studio, llama.cpp server, Ollama's /v1.",
    "ollama": "A native Ollama server.",
}
MODEL_HELP = {
    "llamacpp": "Path to a .gguf file; leave empty for the bundled model.",
    "openai": "Model name the server knows, e.g. gpt-4o-mini.",
    "ollama": "Model name, e.g. llama3.2.",
}
NAMES = {"extractive": "Extractive", "llamacpp": "Local GGUF (llama.cpp)", "openai": "OpenAI-compatible",
         "ollama": "Ollama"}
URL_HINT = {"openai": "https://api.openai.com/v1", "ollama": "http://localhost:11434"}
TEST_QUESTION = "What happened?"  # any collection has an answer to it


def generator_form() -> None:
    """The generator fields; on save they apply to this session (environment settings stay the default)."""
    llm = current_settings().llm
    provider = st.radio("Generator", list(PROVIDERS), index=list(PROVIDERS).index(llm.provider),
                        format_func=NAMES.__getitem__, captions=list(PROVIDERS.values()))
    with st.form("generator", clear_on_submit=True):  # the typed key must not stay in the field
        updates: dict[str, Any] = {"provider": provider}
        if provider != "extractive":
            updates["model"] = st.text_input("Model", value=llm.model, help=MODEL_HELP[provider])
        if provider in URL_HINT:
            updates["base_url"] = st.text_input("Server URL", value=llm.base_url,
                                                placeholder=URL_HINT[provider])
        if provider == "openai":
            has_key = bool(llm.api_key.get_secret_value())
            key = st.text_input(
                "API key", value="", type="password",
                placeholder="A key is set (hidden); type to replace it" if has_key else "sk-…",
                help="Kept in this session's memory only; never shown, logged or written to disk.",
            )
            if key:
                updates["api_key"] = SecretStr(key)
        if provider != "extractive":
            left, right = st.columns(2)
            updates["timeout"] = left.number_input("Timeout (seconds)", 1.0, 600.0, float(llm.timeout))
            updates["max_tokens"] = right.number_input("Max tokens", 16, 8192, int(llm.max_tokens))
            updates["fallback_to_extractive"] = st.toggle(
                "Fall back to extractive when the provider is unreachable", value=llm.fallback_to_extractive)
        if st.form_submit_button("Save", type="primary"):
            overrides = dict(st.session_state.get(LLM_OVERRIDES) or {})
            overrides.update(updates)
            st.session_state[LLM_OVERRIDES] = overrides
            st.success(f"Using the {provider} generator for this session.")


def connection_check() -> None:
    """Run the chosen generator alone (no fallback) on a test question and say plainly whether it worked."""
    settings = current_settings()
    if not st.button("Test the generator", icon=":material/network_check:"):
        return
    from rag.prompts import REFUSAL
    from rag.providers import resolve_generator
    from rag.retrieval import retrieve

    name = NAMES[settings.llm.provider]
    strict = settings.model_copy(update={"llm": settings.llm.model_copy(update={"fallback_to_extractive": False})})
    with st.spinner(f"Asking a test question with {name}…"):
        try:
            hits = list(retrieve(get_store(), current_collection(), TEST_QUESTION, strict))
            if not hits:
                st.warning("The collection has no articles to test with; add some on the Sources page.")
                return
            drafts = list(resolve_generator(None, strict).generate("answer", TEST_QUESTION, hits))
        except CrossreadError as exc:
            st.error(escape_markdown(f"Test failed: {one_line(str(exc))}"), icon=":material/error:")
            return
    written = [d for d in drafts if d.text.strip() != REFUSAL]
    if not written:
        st.error(escape_markdown(f"Test failed: {name} wrote nothing but the refusal for a question its sources "
                                 "answer."), icon=":material/error:")
        return
    cited = sum(1 for d in written if d.markers)
    st.success(escape_markdown(f"{name} works: it wrote {len(written)} sentence(s), {cited} citing the sources."))


def one_line(text: str, limit: int = 300) -> str:
    """The first line of an error message, cut at `limit` characters."""
    line = text.strip().splitlines()[0] if text.strip() else "no reason given"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def main() -> None:
    st.title("Settings")
    st.caption("Choices here apply to this browser session. Defaults come from CROSSREAD_* environment "
               "variables or a .env file (see the README).")
    generator_form()
    connection_check()
    overridden = bool(st.session_state.get(LLM_OVERRIDES))
    if overridden and st.button("Back to the defaults", icon=":material/restart_alt:"):
        st.session_state.pop(LLM_OVERRIDES, None)
        st.rerun()
    with st.expander("Data folder and retrieval (read only)"):
        s = base_settings()
        st.text(f"data folder: {s.data_dir}\nembedding model: {s.embedding_model}\n"
                f"top_k: {s.retrieval.top_k}\nunsupported claims: {s.verify.unsupported_policy}")


main()
