"""Ask: a chat of verified claims with clickable sentence citations; several saved conversations."""

from __future__ import annotations

import time

import streamlit as st

from rag.errors import CrossreadError
from rag.types import Answer, Claim
from ui.citations import open_clicked_citation
from ui.rendering import answer_html, claim_html, conversation_titles, escape_markdown
from ui.resources import current_collection, get_chat_history, get_engine, get_store

CONVERSATION = "conversation"
EXAMPLE = "What did Kim Jong Un call for?"


def current_conversation() -> str | None:
    """The conversation shown: the one picked in this browser session, or None for a new one (created on its
    first question, so a new session starts clean and leaves no empty conversations behind)."""
    current = st.session_state.get(CONVERSATION)
    if current is not None and get_chat_history().conversation(current) is None:
        st.session_state[CONVERSATION] = current = None  # deleted elsewhere
    return current


def conversation_sidebar(current: str | None) -> None:
    """Sidebar: choose, start, delete or clear conversations (drawn last so titles include this turn)."""
    history = get_chat_history()
    conversations = history.conversations()
    with st.sidebar:
        st.markdown("**Conversations**")
        if st.button("New conversation", icon=":material/add:", width="stretch", disabled=current is None):
            st.session_state[CONVERSATION] = None
            st.rerun()
        if not conversations:
            st.caption("None yet: your questions are kept here.")
            return
        titles = conversation_titles(conversations, time.time())
        chosen = st.radio(
            "Conversations", list(titles), index=list(titles).index(current) if current in titles else None,
            format_func=titles.__getitem__, label_visibility="collapsed",
        )
        if chosen != current and chosen is not None:
            st.session_state[CONVERSATION] = chosen
            st.rerun()
        left, right = st.columns(2)
        if left.button("Delete", icon=":material/delete:", help="Delete this conversation",
                       width="stretch", disabled=current is None):
            history.delete_conversation(str(current))
            st.session_state[CONVERSATION] = None
            st.rerun()
        if right.button("Clear all", icon=":material/delete_sweep:", help="Delete every conversation",
                        width="stretch"):
            history.clear()
            st.session_state[CONVERSATION] = None
            st.rerun()


def show_answer(answer: Answer, collection: str) -> None:
    """An assistant turn: its notice (a fallback, or what the sources don't say), claims with markers and verdict
    badges (or the refusal)."""
    if answer.notice:
        st.warning(escape_markdown(answer.notice), icon=":material/info:")
    st.html(answer_html(answer, collection))
    st.caption(f"generator: {escape_markdown(answer.generator)}")


def stream_reply(question: str, collection: str) -> Answer | None:
    """Write the answer claim by claim as the engine verifies them; the final Answer, or None on error."""
    placeholder = st.empty()
    claims: list[Claim] = []
    final: Answer | None = None
    with placeholder.container():
        st.caption("Searching the sources…")
    try:
        # The engine resolves this session's generator (and its fallback, with a notice) itself.
        for item in get_engine().stream(question, collection=collection):
            if isinstance(item, Answer):
                final = item
            else:
                claims.append(item)
                body = "".join(f'<p class="cr-claim">{claim_html(c, collection)}</p>' for c in claims)
                placeholder.html(f'<div class="cr-answer">{body}</div>')
    except CrossreadError as exc:  # a failure the user can act on: its message, never a traceback
        placeholder.error(escape_markdown(str(exc)))
        return None
    placeholder.empty()
    if final is not None:
        show_answer(final, collection)
    return final


def main() -> None:
    st.title("Ask")
    collection = current_collection()
    conversation = current_conversation()
    history = get_chat_history()
    messages = history.messages(conversation) if conversation else []
    documents = get_store().docs.version(collection)[0]
    question = st.chat_input("Ask a question about the articles")
    if not messages and not question:
        st.caption(
            f"Ask about the {documents} article{'s' if documents != 1 else ''} in "
            f"“{escape_markdown(collection)}”. Every sentence of an answer cites the source sentences it "
            f"rests on; click a marker to read it in context. Try: *{EXAMPLE}*"
        )
    for message in messages:
        with st.chat_message(message.role):
            if message.answer is not None:
                show_answer(message.answer, message.collection or collection)
            else:
                st.text(message.content)
    if question:
        if documents == 0:
            st.warning(f"The collection “{escape_markdown(collection)}” has no articles yet; add some on the "
                       "Sources page.")
        else:
            if conversation is None:
                conversation = st.session_state[CONVERSATION] = history.new_conversation(collection)
            history.add_question(conversation, question)
            with st.chat_message("user"):
                st.text(question)
            with st.chat_message("assistant"):
                reply = stream_reply(question, collection)
            if reply is not None:
                history.add_answer(conversation, reply, collection)
    conversation_sidebar(conversation)
    open_clicked_citation("ask-citations")


main()
