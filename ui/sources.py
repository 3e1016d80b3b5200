"""Sources: add, inspect and delete articles; collections; loaded-language view per document and outlet."""

from __future__ import annotations

import uuid
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from rag.errors import CrossreadError
from rag.types import Document, IngestResult, IngestStatus
from ui.rendering import (
    Span,
    article_html,
    category_words,
    document_choice_label,
    escape,
    escape_markdown,
    meta_line,
    outcome_reason,
    wrap_label,
)
from ui.resources import COLLECTION, base_settings, current_collection, get_engine, get_store

if TYPE_CHECKING:
    from rag.framing import FramingProfile

LAST_INGEST = "last_ingest"
UPLOAD_ROUND = "upload_round"
COLLECTION_ERROR = "collection_error"
UPLOAD_TYPES = ["txt", "md", "markdown", "html", "htm", "pdf"]
STATUS_WORDS = {
    IngestStatus.ADDED: "added",
    IngestStatus.UNCHANGED: "already in the collection",
    IngestStatus.DUPLICATE: "skipped: near-duplicate",
    IngestStatus.REJECTED: "could not be added",
}


def create_collection(name: str) -> None:
    """Button callback (runs before the sidebar's collection picker exists, so it may switch it)."""
    store = get_store()
    try:
        store.docs.ensure_collection(store.collection_name(name.strip()))
    except CrossreadError as exc:
        st.session_state[COLLECTION_ERROR] = str(exc)
    else:
        st.session_state[COLLECTION] = name.strip()


def drop_collection(name: str) -> None:
    get_store().drop_collection(name)
    st.session_state.pop(COLLECTION, None)


def collections_panel() -> None:
    """Create a named collection (it becomes the current one) or delete the current one."""
    with st.expander("Collections", icon=":material/folder:"):
        name = st.text_input("New collection name", placeholder="e.g. korea-2023")
        st.button("Create collection", disabled=not name, on_click=create_collection, args=(name,))
        if COLLECTION_ERROR in st.session_state:
            st.error(escape_markdown(st.session_state.pop(COLLECTION_ERROR)))
        current = current_collection()
        confirm = st.checkbox(f"Yes, delete “{current}” and all its articles", key="confirm-drop")
        st.button("Delete this collection", disabled=not confirm, icon=":material/delete_forever:",
                  on_click=drop_collection, args=(current,))


def run_ingest(
    inputs: list[str], labels: dict[str, str], collection: str, outlet: str | None, urls_only: bool = False
) -> None:
    """Ingest with a progress bar; remember the per-input outcome to show it in words."""
    bar = st.progress(0.0, text="Loading the embedding model…")
    done: list[IngestResult] = []

    def on_result(result: IngestResult) -> None:
        done.append(result)
        name = labels.get(result.input, result.input)
        share = min(len(done) / max(len(inputs), 1), 1.0)
        bar.progress(share, text=f"{len(done)} processed · {STATUS_WORDS[result.status]}: {name[:60]}")

    def on_wait(message: str) -> None:
        bar.progress(0.0, text=f"Another ingest is running on this data folder; waiting for it ({message})")

    try:
        results = get_engine().ingest(inputs, collection=collection, outlet=outlet or None, progress=on_result,
                                      waiting=on_wait, urls_only=urls_only)
    except CrossreadError as exc:
        bar.empty()
        st.error(escape_markdown(str(exc)))
        return
    bar.progress(1.0, text=f"Done: {len(results)} processed")
    st.session_state[LAST_INGEST] = (collection, [
        {"input": labels.get(r.input, r.input), "outcome": STATUS_WORDS[r.status],
         "details": outcome_reason(r.input, r.reason)}
        for r in results
    ])


def add_panel(collection: str) -> None:
    uploads, links = st.tabs(["Upload files", "URLs and feeds"])
    with uploads:
        # A new key after each add empties the picker (Streamlit has no other way to clear it).
        picker = f"uploads-{st.session_state.get(UPLOAD_ROUND, 0)}"
        files = st.file_uploader("Articles (text, Markdown, HTML or PDF)", type=UPLOAD_TYPES,
                                 accept_multiple_files=True, key=picker,
                                 max_upload_size=max(1, base_settings().ingest.max_bytes // 1_000_000))
        outlet = st.text_input("Outlet for these files (optional)", key="upload-outlet")
        if st.button("Add to the collection", type="primary", disabled=not files, icon=":material/upload:"):
            folder = base_settings().data_dir / "uploads" / uuid.uuid4().hex[:8]
            folder.mkdir(parents=True, exist_ok=True)
            labels: dict[str, str] = {}
            for upload in files or []:
                path = folder / Path(upload.name).name
                path.write_bytes(upload.getvalue())
                labels[str(path)] = upload.name
            run_ingest(list(labels), labels, collection, outlet)
            st.session_state[UPLOAD_ROUND] = st.session_state.get(UPLOAD_ROUND, 0) + 1
            st.rerun()
    with links:
        text = st.text_area("One URL or RSS/Atom feed per line", placeholder="https://example.com/article")
        outlet = st.text_input("Outlet for these links (optional)", key="link-outlet")
        urls = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if st.button("Fetch and add", type="primary", disabled=not urls, icon=":material/link:"):
            # Only http(s) URLs: a path typed here would make the server read its own files.
            run_ingest(urls, {}, collection, outlet, urls_only=True)
    last = st.session_state.get(LAST_INGEST)
    if last and last[0] == collection:  # another collection's outcome would mislead
        st.dataframe(last[1], hide_index=True, width="stretch",
                     column_config={"details": st.column_config.TextColumn(width="large")})


def loaded_term_spans(doc: Document) -> list[Span]:
    """Each loaded term of the document as a span of the document text (sentence offsets shifted)."""
    from rag.framing import detect_loaded_terms

    return [
        Span(s.start + t.start, s.start + t.end, "cr-term",
             f"{category_words(t.category)}: {t.lemma}" + (" (quoted)" if t.quoted else ""))
        for s in doc.sentences
        for t in detect_loaded_terms(s.text)
    ]


@st.fragment
def document_panel(collection: str, rows: list[dict]) -> None:
    """One document: metadata, text with loaded terms marked, its terms, and delete. A fragment: choosing
    another document reruns only this panel, not the tables and chart above it."""
    labels = {r["doc_id"]: document_choice_label(r) for r in rows}
    doc_id = st.selectbox("View a document", list(labels), format_func=lambda d: labels[d])
    if doc_id is None:
        return
    store = get_store()
    doc = store.document(collection, doc_id)
    st.html(f"<h4 style='margin:0'>{escape(doc.meta.title or doc.label)}</h4>{meta_line(doc)}")
    spans = loaded_term_spans(doc)
    st.caption(f"{len(spans)} loaded terms underlined (hover for the category); "
               f"{len(doc.sentences)} sentences.")
    with st.container(height=360 if len(doc.text) > 1200 else "content", border=True):
        st.html(article_html(doc, terms=spans))
    confirm = st.checkbox("Yes, delete this document (its sentences and vectors go too)",
                          key=f"confirm-{doc_id}")
    if st.button("Delete document", disabled=not confirm, icon=":material/delete:"):
        store.delete_document(collection, doc_id)
        st.toast("Document deleted")
        st.rerun(scope="app")  # the tables and chart above change too


@st.cache_data(show_spinner="Profiling each outlet's wording…", max_entries=64)
def framing_profiles(data_dir: str, collection: str, version: tuple[int, float]) -> list[FramingProfile]:
    """Each outlet's loaded-language profile, computed once per collection version (the arguments are the
    cache key; every session shares it)."""
    from rag.framing import framing_profile

    store = get_store()
    by_outlet: dict[str, list[Document]] = defaultdict(list)
    for r in store.docs.list_documents(collection):
        doc = store.document(collection, r["doc_id"])
        by_outlet[doc.label].append(doc)
    return [framing_profile(docs) for docs in by_outlet.values()]


def framing_summary(collection: str) -> None:
    """Per outlet: loaded terms by category (chart) and the most used terms (table)."""
    version = get_store().docs.version(collection)
    profiles = framing_profiles(str(base_settings().data_dir), collection, version)
    st.altair_chart(framing_chart(profiles), width="stretch")
    st.dataframe(
        [{"outlet": p.outlet, "loaded terms": p.loaded, "per 100 words": round(p.per_100_words, 2),
          "outside quotes": p.unquoted, "most used": ", ".join(f"{t.lemma} ×{t.count}" for t in p.terms[:5])}
         for p in profiles],
        hide_index=True, width="stretch",
    )


def framing_chart(profiles: list[FramingProfile]) -> Any:
    """Loaded terms per outlet, stacked by category in plain words; outlet names wrap instead of being cut."""
    import altair as alt

    rows: list[dict[str, Any]] = [{"outlet": wrap_label(p.outlet), "kind": category_words(c), "terms": n}
            for p in profiles for c, n in sorted(p.by_category.items())]
    lines = max((r["outlet"].count("\n") + 1 for r in rows), default=1)
    axis = alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=0, labelOverlap=False)
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("outlet:N", title=None, axis=axis),
        x=alt.X("terms:Q", title="loaded terms"),
        color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom", columns=1)),
        tooltip=["kind:N", "terms:Q"],
    ).properties(height=alt.Step(16 * lines + 16))  # room for every line of the longest name


def main() -> None:
    st.title("Sources")
    collection = current_collection()
    st.caption(f"Collection “{escape_markdown(collection)}”. Choose another in the sidebar.")
    collections_panel()
    add_panel(collection)
    rows = get_store().docs.list_documents(collection)
    st.subheader(f"{len(rows)} article{'s' if len(rows) != 1 else ''}")
    if not rows:
        st.info("No articles yet: upload files or add URLs above.")
        return
    st.dataframe(
        [{"outlet": r["outlet"] or "—", "title": r["title"] or "—", "byline": r.get("byline") or "—",
          "date": r["date"] or "—", "sentences": r["sentence_count"]} for r in rows],
        hide_index=True, width="stretch",
    )
    st.subheader("How each outlet frames it")
    framing_summary(collection)
    st.subheader("Read a document")
    document_panel(collection, rows)


main()
