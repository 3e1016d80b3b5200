"""Clickable citation markers and the source dialog that shows the cited sentence highlighted in its article.

Answers and briefings are rendered with st.html (escaped by ui.rendering, sanitised again by Streamlit). The
markers in them are plain elements carrying a `data-cite` reference; one small listener component per page
catches clicks on any of them and tells Python which sentence to open. The dialog renders the article with
that sentence marked and a second tiny component scrolls the mark into view.
"""

from __future__ import annotations

import streamlit as st

from rag.errors import CrossreadError
from ui.rendering import article_html, escape, escape_markdown, meta_line, parse_citation_ref, target_id
from ui.resources import get_store

_CLICK_JS = """
export default function(component) {
  const { setTriggerValue } = component;
  const open = (event) => {
    const path = event.composedPath ? event.composedPath() : [event.target];
    const marker = path.find((el) => el && el.getAttribute && el.getAttribute('data-cite'));
    if (!marker) return;
    if (event.type === 'keydown' && event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    event.stopPropagation();
    setTriggerValue('cite', marker.getAttribute('data-cite'));
  };
  if (window.__crossreadCiteHandler) {
    document.removeEventListener('click', window.__crossreadCiteHandler, true);
    document.removeEventListener('keydown', window.__crossreadCiteHandler, true);
  }
  window.__crossreadCiteHandler = open;
  document.addEventListener('click', open, true);
  document.addEventListener('keydown', open, true);
  return () => {
    document.removeEventListener('click', open, true);
    document.removeEventListener('keydown', open, true);
    if (window.__crossreadCiteHandler === open) window.__crossreadCiteHandler = null;
  };
}
"""

_SCROLL_JS = """
export default function(component) {
  const { data } = component;
  let tries = 0;
  const find = (root) => {
    const hit = root.getElementById ? root.getElementById(data.target) : null;
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) { const inner = find(el.shadowRoot); if (inner) return inner; }
    }
    return null;
  };
  // Scroll only the article's own scroll box: scrollIntoView would also scroll the dialog, and on a phone
  // push its title and close button off the screen.
  const scroller = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      if (node.querySelector('.cr-dialog-title')) return null;  // reached the dialog itself: leave it be
      const style = getComputedStyle(node);
      if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) return node;
    }
    return null;
  };
  const go = () => {
    const el = find(document);
    if (el) {
      const box = scroller(el);
      if (box) {
        const offset = el.getBoundingClientRect().top - box.getBoundingClientRect().top;
        box.scrollTop += offset - box.clientHeight / 2 + el.getBoundingClientRect().height / 2;
      }
      return;
    }
    if (tries++ < 60) setTimeout(go, 50);
  };
  go();
}
"""

_click_listener = st.components.v2.component("crossread_citation_clicks", js=_CLICK_JS)
_scroll_to = st.components.v2.component("crossread_scroll_to", js=_SCROLL_JS)


def _ignore() -> None:
    """Clicks are read from the component's result; the callback only declares the 'cite' event."""


def listen_for_citation_clicks(key: str) -> str | None:
    """Mount the page's click listener; the reference of a marker clicked since the last run, if any."""
    result = _click_listener(key=key, on_cite_change=_ignore, height=0)
    clicked = getattr(result, "cite", None)
    return str(clicked) if clicked else None


@st.dialog("Source", width="large")
def show_citation(ref: str) -> None:
    """The cited article with exactly the cited sentence highlighted and scrolled into view."""
    parsed = parse_citation_ref(ref)
    if parsed is None:
        st.error("This citation reference is malformed.")
        return
    collection, doc_id, index = parsed
    try:
        doc = get_store().document(collection, doc_id)
    except CrossreadError as exc:
        st.error(escape_markdown(f"The cited article is no longer in the store: {exc}"))
        return
    if not 0 <= index < len(doc.sentences):
        st.error(f"The article has no sentence {index + 1}; it may have been re-ingested.")
        return
    st.html(f'<h3 class="cr-dialog-title">{escape(doc.meta.title or doc.label)}</h3>{meta_line(doc, index)}')
    st.html(f'<blockquote class="cr-quote">{escape(doc.sentences[index].text)}</blockquote>')
    with st.container(height=420 if len(doc.text) > 1500 else "content", border=True):
        st.html(article_html(doc, index))
    _scroll_to(data={"target": target_id(doc.doc_id, index)}, key=f"scroll-{doc.doc_id}-{index}", height=0)


def open_clicked_citation(key: str) -> None:
    """Listen for marker clicks on this page and open the source dialog for the one clicked."""
    ref = listen_for_citation_clicks(key)
    if ref:
        show_citation(ref)
