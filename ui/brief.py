"""Brief: a neutral multi-source briefing with the same clickable citations, downloadable as MD/HTML/DOCX."""

from __future__ import annotations

from typing import Any, cast

import streamlit as st

from rag.composer import Length, Style
from rag.errors import CrossreadError
from rag.types import Briefing, SectionKind
from ui.citations import open_clicked_citation
from ui.rendering import claims_html, document_choice_label, escape, escape_markdown
from ui.resources import base_settings, current_collection, get_engine, get_store

BRIEFING = "briefing"
SCOPES = ("Whole collection", "One story", "Chosen documents")
SHARE_COLUMN = st.column_config.ProgressColumn(format="%d%%", min_value=0, max_value=100)  # whole percent
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def document_choices(collection: str) -> dict[str, str]:
    """doc_id → a readable label (outlet · title · date) for the collection's documents."""
    return document_labels(get_store().docs.list_documents(collection))


def document_labels(rows: list[dict[str, Any]]) -> dict[str, str]:
    return {r["doc_id"]: document_choice_label(r) for r in rows}


def story_choices(collection: str) -> list[tuple[str, tuple[str, ...]]]:
    """(title, doc_ids) of each story in the collection."""
    return stories_of(str(base_settings().data_dir), collection, get_store().docs.version(collection))


@st.cache_data(show_spinner="Grouping the articles into stories…", max_entries=64)
def stories_of(data_dir: str, collection: str, version: tuple[int, float]) -> list[tuple[str, tuple[str, ...]]]:
    """Stories grouped once per collection version (the arguments are the cache key; every session shares it)."""
    if not version[0]:
        return []
    return [(s.title, s.doc_ids) for s in get_engine().stories(collection=collection)]


def write_briefing(collection: str, topic: str, doc_ids: list[str], length: Length, key: tuple) -> None:
    """Every story of the selection (largest first), or the one story a topic is about."""
    label = "Writing the briefing: grouping stories, aligning facts, verifying…"
    with st.status(label, expanded=False) as status:
        try:
            # The engine resolves this session's generator (falling back, or not, as the settings say).
            engine = get_engine()
            if topic:
                results = [engine.brief(collection=collection, topic=topic, doc_ids=doc_ids or None, length=length)]
            else:
                results = engine.brief_stories(collection=collection, doc_ids=doc_ids or None, length=length)
        except CrossreadError as exc:
            status.update(label="The briefing could not be written", state="error")
            st.error(escape_markdown(str(exc)))
            return
        status.update(label="Briefing ready", state="complete")
    st.session_state[BRIEFING] = (results, collection, key)


def show_briefing(briefing: Briefing, collection: str, style: str) -> None:
    st.subheader(escape_markdown(briefing.title))
    if briefing.notice:
        st.info(escape_markdown(briefing.notice))
    if not any(s.claims for s in briefing.sections):
        if not briefing.notice:
            st.warning("Nothing in the selection could be briefed with verified citations.")
        return
    for section in briefing.sections:
        if not section.claims:
            continue
        st.markdown(f"#### {escape_markdown(section.title)}")
        # Labelled items (differences) and per-outlet framing read as a list even in prose mode.
        bullets = (style == "bullets" or section.kind == SectionKind.FRAMING
                   or any(c.label for c in section.claims))
        st.html(claims_html(section.claims, collection, bullets=bullets))
    if briefing.coverage:
        st.markdown("#### Coverage")
        st.caption("Share of cited sentences per outlet.")
        st.dataframe(
            [{"outlet": outlet, "share of citations": round(share * 100)}
             for outlet, share in briefing.coverage.items()],
            column_config={"share of citations": SHARE_COLUMN},
            hide_index=True, width="stretch",
        )
    st.caption(f"generator: {escape(briefing.generator)}")
    downloads(briefing, collection, style)


def downloads(briefing: Briefing, collection: str, style: str) -> None:
    """Download buttons for Markdown, HTML and DOCX, with footnotes naming outlet, title and date."""
    try:
        files = export_files(briefing, collection, style)
    except (ImportError, CrossreadError, OSError) as exc:
        st.error(escape_markdown(f"The briefing could not be exported: {exc}"))
        return
    columns = st.columns(len(files))
    for column, (label, (data, suffix, mime)) in zip(columns, files.items(), strict=True):
        column.download_button(f"Download {label}", data, file_name=f"briefing.{suffix}", mime=mime,
                               key=f"download-{label}-{hash((briefing.title, data[:200]))}",
                               icon=":material/download:", width="stretch")


def export_files(briefing: Briefing, collection: str, style: str) -> dict[str, tuple[bytes, str, str]]:
    """label → (file bytes, suffix, MIME type) for each export format."""
    import tempfile
    from pathlib import Path

    from rag import export

    cited = {c.doc_id for s in briefing.sections for claim in s.claims for c in claim.citations}
    metas = get_store().docs.metas(collection, cited)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "briefing.docx"
        export.to_docx(briefing, path, metas, style=style)
        docx = path.read_bytes()
    return {
        "Markdown": (export.to_markdown(briefing, metas, style=style).encode("utf-8"), "md", "text/markdown"),
        "HTML": (export.to_html(briefing, metas, style=style).encode("utf-8"), "html", "text/html"),
        "DOCX": (docx, "docx", DOCX_MIME),
    }


def main() -> None:
    st.title("Brief")
    collection = current_collection()
    documents = document_choices(collection)
    if not documents:
        st.info("This collection has no articles yet; add some on the Sources page.")
        return
    st.caption("A neutral briefing: what several outlets report, what only one says, where they differ and "
               "how each framed it. Every sentence cites its sources; click a marker to read it in context.")
    scope = st.radio("Brief", SCOPES, horizontal=True, label_visibility="collapsed")
    doc_ids: list[str] = []
    if scope == "One story":
        stories = story_choices(collection)
        picked = st.selectbox("Story", range(len(stories)),
                              format_func=lambda i: f"{stories[i][0]} ({len(stories[i][1])} articles)")
        doc_ids = list(stories[picked][1]) if picked is not None else []
    elif scope == "Chosen documents":
        doc_ids = st.multiselect("Documents", list(documents), format_func=lambda d: documents[d])
    topic = st.text_input("Topic (optional)", placeholder="e.g. missile production")
    left, right = st.columns(2)
    length = left.segmented_control("Length", ["short", "standard", "long"], default="standard") or "standard"
    style = right.segmented_control("Format", ["paragraphs", "bullets"], default="paragraphs") or "paragraphs"
    key = (collection, scope, tuple(doc_ids), topic, length, get_store().docs.version(collection))
    if st.button("Write the briefing", type="primary", icon=":material/edit_note:",
                 disabled=scope == "Chosen documents" and not doc_ids):
        write_briefing(collection, topic, doc_ids, cast(Length, length), key)
    shown = st.session_state.get(BRIEFING)
    if shown:
        briefings, brief_collection, written_for = shown
        if written_for != key:
            st.warning("Stale: the scope, topic, length or articles changed since this briefing was written. "
                       "Write it again to update it.", icon=":material/history:")
        for number, briefing in enumerate(briefings, 1):
            if len(briefings) > 1:
                st.markdown(f"### Story {number} of {len(briefings)}")
            show_briefing(briefing, brief_collection, cast(Style, style))
    open_clicked_citation("brief-citations")


main()
