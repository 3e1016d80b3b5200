"""Settings: choose the generator and its connection; secrets are never shown back."""

from __future__ import annotations

import streamlit as st

st.title("Settings")
