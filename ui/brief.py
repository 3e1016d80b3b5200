"""Brief: a neutral multi-source briefing with the same clickable citations, downloadable as MD/HTML/DOCX."""

from __future__ import annotations

import streamlit as st

st.title("Brief")
st.info("Briefings arrive with the briefing engine.")
