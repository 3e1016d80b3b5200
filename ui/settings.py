"""Settings: choose the generator and its connection, saved in the data folder; secrets are never shown back."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import SecretStr

from rag.errors import CrossreadError
from rag.user_settings import forget_llm_choices, load_llm_choices, save_llm_choices, saved_settings_path
from ui.rendering import escape_markdown
from ui.resources import (
    GENERATOR_NAMES,
    LLM_OVERRIDES,
    base_settings,
    current_collection,
    current_settings,
    get_engine,
)

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
URL_HINT = {"openai": "https://api.openai.com/v1", "ollama": "http://localhost:11434"}
WHAT_TO_CHECK = {
    "llamacpp": "Check the model path (empty uses the bundled model) and that llama-cpp-python is installed.",
    "openai": "Check the server URL, the model name and the API key, and that the server is running.",
    "ollama": "Check that Ollama is running at the server URL and that the model is pulled (ollama pull).",
    "extractive": "",
}
TEST_QUESTION = "What happened?"  # any collection has an answer to it
SAVED_NOTE = "settings_saved"


def generator_form() -> None:
    """The generator fields; Save writes them to the data folder, and every page uses them from then on."""
    llm = current_settings().llm
    provider = st.radio("Generator", list(PROVIDERS), index=list(PROVIDERS).index(llm.provider),
                        format_func=GENERATOR_NAMES.__getitem__, captions=list(PROVIDERS.values()))
    if provider != llm.provider:
        st.info(f"Not saved yet: {GENERATOR_NAMES[llm.provider]} stays in use until you press Save.",
                icon=":material/edit:")
    with st.form("generator", clear_on_submit=True):  # the typed key must not stay in the field
        updates: dict[str, Any] = {"provider": provider}
        remember_key: bool | None = None  # asked only where a key is used
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
                help="Never shown, logged or sent anywhere but the server above.",
            )
            remember_key = st.checkbox(
                "Remember the key on this computer (saved in the data folder, readable by your user only)",
                value="api_key" in saved_choices())
            if key:
                updates["api_key"] = SecretStr(key)
        if provider != "extractive":
            left, right = st.columns(2)
            updates["timeout"] = left.number_input("Timeout (seconds)", 1.0, 600.0, float(llm.timeout))
            updates["max_tokens"] = right.number_input("Max tokens", 16, 8192, int(llm.max_tokens))
            updates["fallback_to_extractive"] = st.toggle(
                "Answer with the extractive generator when this one fails (with a notice)",
                value=llm.fallback_to_extractive)
        if st.form_submit_button("Save", type="primary"):
            save(updates, remember_key)


def save(updates: dict[str, Any], remember_key: bool | None) -> None:
    """Write the choice to the data folder; a key the user did not let us save stays in this session only."""
    session: dict[str, Any] = dict(st.session_state.get(LLM_OVERRIDES) or {})
    if "api_key" in updates and not remember_key:
        session["api_key"] = updates["api_key"]
    elif remember_key:
        session.pop("api_key", None)
    try:
        path = save_llm_choices(base_settings(), updates, remember_key=remember_key)
    except CrossreadError as exc:
        st.error(escape_markdown(f"Not saved: {one_line(str(exc))}"), icon=":material/error:")
        return
    st.session_state[LLM_OVERRIDES] = session
    st.session_state[SAVED_NOTE] = (f"Saved: answers and briefings now use {GENERATOR_NAMES[updates['provider']]}. "
                                    f"Kept in {path} for the next start.")
    st.rerun()  # so the sidebar and every widget show the saved choice at once


def connection_check() -> None:
    """Run the saved generator alone (no fallback) on a test question and say plainly whether it worked."""
    settings = current_settings()
    if not st.button("Test the generator", icon=":material/network_check:",
                     help="Asks one question of the saved generator, without falling back."):
        return
    from rag.prompts import REFUSAL

    provider = settings.llm.provider
    name = GENERATOR_NAMES[provider]
    strict = settings.model_copy(update={"llm": settings.llm.model_copy(update={"fallback_to_extractive": False})})
    with st.spinner(f"Asking a test question with {name}…"):
        try:
            engine = get_engine().using(strict)
            hits = engine.search(TEST_QUESTION, collection=current_collection())
            if not hits:
                st.warning("The collection has no articles to test with; add some on the Sources page.")
                return
            drafts = list(engine.resolved_generator().generate("answer", TEST_QUESTION, hits))
        except CrossreadError as exc:
            failed(one_line(str(exc)), provider)
            return
    written = [d for d in drafts if d.text.strip() != REFUSAL]
    if not written:
        failed(f"{name} wrote nothing but the refusal for a question its sources answer.", provider)
        return
    cited = sum(1 for d in written if d.markers)
    st.success(escape_markdown(f"{name} works: it wrote {len(written)} sentence(s), {cited} citing the sources."),
               icon=":material/check_circle:")


def saved_choices() -> dict[str, Any]:
    """What the data folder holds; {} when nothing is saved or the file is damaged (the sidebar says so)."""
    try:
        return load_llm_choices(base_settings())
    except CrossreadError:
        return {}


def failed(reason: str, provider: str) -> None:
    """A red box: the one-line reason, then what to check."""
    hint = WHAT_TO_CHECK.get(provider, "")
    st.error(escape_markdown(f"Test failed: {reason}") + (f"  \n{escape_markdown(hint)}" if hint else ""),
             icon=":material/error:")


def one_line(text: str, limit: int = 300) -> str:
    """The first line of an error message, cut at `limit` characters."""
    line = text.strip().splitlines()[0] if text.strip() else "no reason given"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def main() -> None:
    st.title("Settings")
    st.caption("The generator chosen here is saved in the data folder: every page uses it at once, and the app "
               "starts with it next time. Without a saved choice the app uses its configured defaults "
               "(see the README).")
    if SAVED_NOTE in st.session_state:
        st.success(escape_markdown(st.session_state.pop(SAVED_NOTE)), icon=":material/check_circle:")
    generator_form()
    connection_check()
    saved = saved_settings_path(base_settings()).exists() or bool(st.session_state.get(LLM_OVERRIDES))
    if saved and st.button("Back to the defaults", icon=":material/restart_alt:",
                           help="Deletes the saved choice (and any saved key)."):
        forget_llm_choices(base_settings())
        st.session_state.pop(LLM_OVERRIDES, None)
        st.rerun()
    with st.expander("Data folder and retrieval (read only)"):
        s = base_settings()
        st.text(f"data folder: {s.data_dir}\nembedding model: {s.embedding_model}\n"
                f"top_k: {s.retrieval.top_k}\nunsupported claims: {s.verify.unsupported_policy}")


main()
