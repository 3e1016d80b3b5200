"""Crossread's Streamlit app: cited questions, neutral briefings, source management, generator choice.

UI only. Run with `crossread app` (which ingests the shipped corpus on first start) or
`streamlit run app.py`. The pages live in `ui/`; everything they compute comes from `rag/`.
"""

from __future__ import annotations

import streamlit as st

from rag.errors import CrossreadError
from rag.user_settings import load_llm_choices
from ui.rendering import STYLESHEET, escape_markdown
from ui.resources import COLLECTION, GENERATOR_NAMES, base_settings, current_settings, get_store

st.set_page_config(page_title="Crossread", page_icon="📰", layout="wide")
st.html(STYLESHEET)

pages = [
    st.Page("ui/ask.py", title="Ask", icon=":material/forum:", default=True),
    st.Page("ui/brief.py", title="Brief", icon=":material/article:"),
    st.Page("ui/sources.py", title="Sources", icon=":material/library_books:"),
    st.Page("ui/settings.py", title="Settings", icon=":material/settings:"),
]
navigation = st.navigation(pages)

with st.sidebar:
    st.markdown("### :material/newspaper: Crossread")
    try:
        known = get_store().docs.collections()
    except CrossreadError as exc:
        st.error(escape_markdown(str(exc)))
        st.stop()
    default = base_settings().collection
    choices = sorted(set(known) | {default, st.session_state.get(COLLECTION) or default})
    if st.session_state.get(COLLECTION) not in choices:
        st.session_state[COLLECTION] = default
    st.selectbox("Collection", choices, key=COLLECTION, help="Create collections on the Sources page.")
    try:
        load_llm_choices(base_settings())
    except CrossreadError as exc:  # a damaged settings file: say so; the defaults apply meanwhile
        st.error(escape_markdown(str(exc)))
    st.caption(f"Generator: {GENERATOR_NAMES[current_settings().llm.provider]} (change it on the Settings page)")

navigation.run()
