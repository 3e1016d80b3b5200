"""Sources: add, inspect and delete articles; collections; loaded-language view per document and outlet."""

from __future__ import annotations

import streamlit as st

st.title("Sources")
