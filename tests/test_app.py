"""The Streamlit app through AppTest: each page against the real engine, store and embedding model."""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from rag.chat_history import open_chat_history
from rag.ingest import ingest
from rag.settings import get_settings
from rag.store import Store, open_store

pytestmark = pytest.mark.slow  # every page runs against the real engine, encoder and spaCy pipeline
ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
QUESTION = "What did Kim Jong Un call for?"
TIMEOUT = 120
HOSTILE = (
    "Title: <script>window.pwned=1</script> Evil headline\n"
    "Source: <img src=x onerror=alert(1)>Evil Times\n\n"
    "Officials met in Geneva on Monday to discuss the missile programme. "
    'The envoy said <script>alert("x")</script> talks would continue. '
    "Critics posted [a link](javascript:alert(2)) and <img src=x onerror=alert(3)> images. "
    "The regime's war games were called provocations by the spokesman."
)
_CITE = re.compile(r'data-cite="([^"]+)"')


@pytest.fixture(autouse=True)
def keep_main_module() -> Iterator[None]:
    """Streamlit installs the script as `__main__` and leaves it there; a process spawned later in this run (an
    ingest worker) would import app.py again. Put the test run's own `__main__` back."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture
def seeded() -> Iterator[Store]:
    """The shipped corpus in this test's data folder (CROSSREAD_DATA_DIR, set by conftest)."""
    store = open_store(get_settings())
    ingest([str(ROOT / "corpus")], store=store)
    yield store


def start(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def html_of(at: AppTest) -> str:
    return "\n".join(h.value for h in at.html)


def click_citation(at: AppTest, ref: str) -> AppTest:
    """Send exactly what the browser's click listener sends for a marker: a 'cite' trigger with its ref."""
    listener = next(e for e in at.get("bidi_component") if "citations" in e.proto.id)
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(
        id=_make_trigger_id(listener.proto.id, "events"),
        json_trigger_value=json.dumps([{"event": "cite", "value": ref}]),
    ))
    at._run(states)
    assert not at.exception, at.exception
    return at


def marked_sentence(at: AppTest) -> str:
    """The text inside the one <mark class="cr-hl"> on the page, unescaped."""
    hits = [h.value for h in at.html if 'class="cr-hl"' in h.value]
    assert len(hits) == 1
    inner = re.search(r'<mark class="cr-hl"[^>]*>(.*?)</mark>', hits[0], re.S)
    assert inner is not None
    parser = HTMLParser(convert_charrefs=True)
    texts: list[str] = []
    parser.handle_data = texts.append  # type: ignore[method-assign]
    parser.feed(inner.group(1))
    parser.close()
    return "".join(texts)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)


def assert_inert(markup: str) -> None:
    """Only the app's own tags and attributes: nothing from document text became markup."""
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    assert parser.tags <= {"div", "p", "a", "span", "mark", "ul", "li", "h3", "h4", "blockquote", "style"}
    assert not {a for a in parser.attrs if a.startswith("on") or a in ("href", "src")}


def test_ask_streams_cited_verified_claims_and_keeps_them(seeded: Store) -> None:
    at = start()
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception, at.exception
    page = html_of(at)
    refs = _CITE.findall(page)
    assert refs, "the answer has no citation markers"
    assert "cr-badge" in page
    for ref in refs:
        collection, doc_id, index = ref.split("/")
        assert seeded.document(collection, doc_id).sentences[int(index)]
    # A new browser session (or a restart) starts clean; the conversation waits in the sidebar, dated, and
    # opens with the same answer from the history.
    again = start()
    assert not again.chat_message and not _CITE.findall(html_of(again))
    picker = again.sidebar.radio[0]
    assert picker.value is None and len(picker.options) == 1
    assert re.fullmatch(re.escape(QUESTION) + r" · today \d\d:\d\d", picker.options[0])
    [conversation] = open_chat_history(get_settings()).conversations()
    picker.set_value(conversation.id).run()
    assert _CITE.findall(html_of(again)) == refs
    assert [m.name for m in again.chat_message] == ["user", "assistant"]


def test_open_a_citation_highlights_exactly_the_cited_sentence(seeded: Store) -> None:
    at = start()
    at.chat_input[0].set_value(QUESTION).run()
    ref = _CITE.findall(html_of(at))[-1]
    click_citation(at, ref)
    collection, doc_id, index = ref.split("/")
    doc = seeded.document(collection, doc_id)
    assert marked_sentence(at) == doc.sentences[int(index)].text
    assert f"sentence {int(index) + 1} of {len(doc.sentences)}" in html_of(at)


def test_refusal_is_shown_with_closest_sentences(seeded: Store) -> None:
    at = start()
    at.chat_input[0].set_value("What is the population of Pyongyang?").run()
    page = html_of(at)
    assert "The sources don" in page
    assert "Closest sentences found" in page and _CITE.search(page)


def test_conversations_new_and_clear(seeded: Store) -> None:
    at = start()
    at.chat_input[0].set_value(QUESTION).run()
    at.sidebar.button[0].click().run()  # New conversation: stored only once it has a question
    assert len(at.sidebar.radio[0].options) == 1 and at.sidebar.radio[0].value is None
    assert not at.chat_message
    at.chat_input[0].set_value(QUESTION).run()
    titles = at.sidebar.radio[0].options
    assert len(titles) == 2 and len(set(titles)) == 2  # the same question twice: still two distinct titles
    next(b for b in at.sidebar.button if b.label == "Clear all").click().run()
    assert not at.sidebar.radio and not at.chat_message


def test_provider_down_falls_back_to_extractive_with_a_message(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSREAD_LLM__PROVIDER", "openai")
    monkeypatch.setenv("CROSSREAD_LLM__BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("CROSSREAD_LLM__API_KEY", "sk-test-secret-value")
    monkeypatch.setenv("CROSSREAD_LLM__TIMEOUT", "5")
    at = start()
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "openai" in warnings.lower() and "extractive" in warnings
    assert _CITE.findall(html_of(at))
    assert "generator: extractive" in " ".join(c.value for c in at.caption)
    everything = str([e.value for e in at.warning] + [html_of(at)] + [c.value for c in at.caption])
    assert "sk-test-secret-value" not in everything


def test_settings_page_never_echoes_the_key(seeded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSREAD_LLM__API_KEY", "sk-test-secret-value")
    at = start("ui/settings.py")
    next(r for r in at.radio if r.label == "Generator").set_value("openai").run()
    key_box = next(t for t in at.text_input if t.label == "API key")
    assert key_box.value == ""
    assert "A key is set" in key_box.placeholder
    key_box.set_value("sk-new-secret")
    next(t for t in at.text_input if t.label == "Server URL").set_value("http://127.0.0.1:9/v1")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, at.exception
    # The choice is saved in the data folder; the key (not allowed to be saved) stays in this session.
    saved = (get_settings().data_dir / "app_settings.json").read_text()
    assert '"provider": "openai"' in saved and "sk-new-secret" not in saved
    overrides = at.session_state["llm_overrides"]
    assert overrides["api_key"].get_secret_value() == "sk-new-secret"
    assert "sk-new-secret" not in str(overrides)
    assert "Generator: OpenAI-compatible" in " ".join(c.value for c in at.sidebar.caption)
    # What the server sends to the browser: no element, and no field default, carries either key.
    sent = [str(t.proto.default) for t in at.text_input] + [str(e.value) for e in (*at.success, *at.markdown)]
    assert not [s for s in sent if "sk-new-secret" in s or "sk-test-secret-value" in s]


def test_brief_page_writes_a_cited_briefing_with_downloads(seeded: Store) -> None:
    at = start("ui/brief.py")
    next(b for b in at.button if b.label == "Write the briefing").click().run()
    assert not at.exception, at.exception
    headings = [m.value for m in at.markdown]
    assert "#### Key facts" in headings
    refs = _CITE.findall(html_of(at))
    assert refs
    click_citation(at, refs[0])
    collection, doc_id, index = refs[0].split("/")
    assert marked_sentence(at) == seeded.document(collection, doc_id).sentences[int(index)].text


def test_stories_and_framing_profiles_follow_the_collection(seeded: Store, tmp_path: Path) -> None:
    """Both are cached per collection version, for every session: an article added elsewhere (the CLI, another
    session) is in the story list and the framing table on the next run."""
    at = start("ui/brief.py")
    next(r for r in at.radio if r.label == "Brief").set_value("One story").run()
    stories = len(next(s for s in at.selectbox if s.label == "Story").options)
    article = tmp_path / "budget.txt"
    article.write_text("Title: Council approves budget\nSource: Harbour Times\n\nThe city council approved a new "
                       "budget on Tuesday that raises spending on parks and public transport. Several members "
                       "objected to the cost, but the measure passed by a wide margin.", encoding="utf-8")
    ingest([str(article)], store=seeded)
    at.run()
    assert len(next(s for s in at.selectbox if s.label == "Story").options) == stories + 1
    at.switch_page("ui/sources.py").run()
    assert not at.exception, at.exception
    framing = next(d.value for d in at.dataframe if "loaded terms" in d.value.columns)
    assert any("Harbour Times" in outlet for outlet in framing["outlet"])


def test_sources_page_ingests_an_upload_with_progress_and_status(seeded: Store) -> None:
    at = start("ui/sources.py")
    upload = at.file_uploader[0]
    article = b"Title: Talks resume\nSource: Wire\n\nDiplomats met in Geneva on Monday. They will meet again."
    upload.set_value([("talks.txt", article, "text/plain"), ("empty.txt", b"   ", "text/plain")])
    at.run()
    next(b for b in at.button if b.label == "Add to the collection").click().run()
    assert not at.exception, at.exception
    assert not at.file_uploader[0].value  # the picker is emptied for the next files
    outcome = at.dataframe[0].value
    assert set(outcome["input"]) == {"talks.txt", "empty.txt"}
    assert dict(zip(outcome["input"], outcome["outcome"], strict=True)) == {
        "talks.txt": "added", "empty.txt": "could not be added"}
    assert outcome[outcome["input"] == "empty.txt"]["details"].iloc[0]
    titles = {d["title"] for d in seeded.docs.list_documents("default")}
    assert "Talks resume" in titles


def test_hostile_document_renders_inert_everywhere(seeded: Store, tmp_path: Path) -> None:
    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE)
    [result] = ingest([str(path)], store=seeded)
    assert result.doc_id
    # Sources page: the document view with loaded terms highlighted.
    at = start("ui/sources.py")
    viewer = next(s for s in at.selectbox if s.label == "View a document")
    viewer.set_value(result.doc_id).run()
    page = html_of(at)
    assert "cr-term" in page and "&lt;script&gt;" in page
    assert_inert(page)
    # Source dialog with the hostile sentence highlighted.
    doc = seeded.document("default", result.doc_id)
    index = next(s.index for s in doc.sentences if "<script>" in s.text)
    at = start()
    click_citation(at, f"default/{result.doc_id}/{index}")
    assert marked_sentence(at) == doc.sentences[index].text
    assert_inert(html_of(at))
    # Chat: an answer quoting the hostile sentence.
    at.chat_input[0].set_value("What did the envoy say about the talks?").run()
    assert_inert(html_of(at))


def test_sources_page_deletes_a_document_and_creates_a_collection(seeded: Store) -> None:
    at = start("ui/sources.py")
    viewer = next(s for s in at.selectbox if s.label == "View a document")
    doomed = viewer.value
    next(c for c in at.checkbox if c.label.startswith("Yes, delete this document")).check().run()
    next(b for b in at.button if b.label == "Delete document").click().run()
    assert not at.exception, at.exception
    left = {d["doc_id"] for d in seeded.docs.list_documents("default")}
    assert doomed not in left and len(left) == 1
    assert not seeded.docs.get_sentences("default", [(doomed, 0)])
    assert doomed not in {i.split(":")[0] for i in seeded.vectors.ids("default")}

    next(t for t in at.text_input if t.label == "New collection name").set_value("korea-2023").run()
    next(b for b in at.button if b.label == "Create collection").click().run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox[0].value == "korea-2023"
    assert "korea-2023" in at.sidebar.selectbox[0].options
    assert "No articles yet" in " ".join(i.value for i in at.info)


PAGE = (
    "<html><head><title>Talks resume in Geneva</title></head><body><article><h1>Talks resume in Geneva</h1>"
    "<p>Diplomats from both sides met in Geneva on Monday to restart the stalled talks. They agreed to meet "
    "again in March and to exchange written proposals before then.</p>"
    "<p>Neither side gave details of the proposals.</p></article></body></html>"
)


class _Site(BaseHTTPRequestHandler):
    """One article page; anything else is a 404."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path != "/talks.html":
            self.send_error(404)
            return
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_sources_page_fetches_urls_and_reports_failures_in_words(seeded: Store) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        at = start("ui/sources.py")
        at.text_area[0].set_value(f"{site}/talks.html\n{site}/missing.html").run()
        next(b for b in at.button if b.label == "Fetch and add").click().run()
    finally:
        httpd.shutdown()
    assert not at.exception, at.exception
    outcome = at.dataframe[0].value
    rows = dict(zip(outcome["input"], zip(outcome["outcome"], outcome["details"], strict=True), strict=True))
    assert rows[f"{site}/talks.html"][0] == "added"
    assert rows[f"{site}/missing.html"][0] == "could not be added"
    assert "404" in rows[f"{site}/missing.html"][1]
    assert "Talks resume in Geneva" in {d["title"] for d in seeded.docs.list_documents("default")}


def save_unreachable(provider: str, *, fallback: bool) -> None:
    """A saved choice of a generator at a port nothing listens on, as the Settings page would write it."""
    from rag.user_settings import save_llm_choices

    url = "http://127.0.0.1:9/v1" if provider == "openai" else "http://127.0.0.1:9"
    save_llm_choices(get_settings(), {"provider": provider, "model": "llama3.2", "base_url": url, "timeout": 5.0,
                                      "fallback_to_extractive": fallback}, remember_key=False)


def test_settings_radio_hints_until_saved_and_the_choice_outlives_the_session(seeded: Store) -> None:
    at = start("ui/settings.py")
    next(r for r in at.radio if r.label == "Generator").set_value("ollama").run()
    assert "Not saved yet" in " ".join(i.value for i in at.info)
    assert "Generator: Extractive" in " ".join(c.value for c in at.sidebar.caption)
    next(t for t in at.text_input if t.label == "Model").set_value("llama3.2")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, at.exception
    assert not [i for i in at.info if "Not saved yet" in i.value]
    assert "Generator: Ollama" in " ".join(c.value for c in at.sidebar.caption)  # at once, same run
    assert next(t for t in at.text_input if t.label == "Model").value == "llama3.2"  # not blanked
    again = start()  # another browser session, or a restart
    assert "Generator: Ollama" in " ".join(c.value for c in again.sidebar.caption)


def test_a_failed_generator_test_is_red_with_a_reason_and_what_to_check(seeded: Store) -> None:
    save_unreachable("ollama", fallback=True)
    at = start("ui/settings.py")
    next(b for b in at.button if b.label == "Test the generator").click().run()
    assert not at.exception, at.exception
    assert not at.success
    [error] = at.error
    first, hint = error.value.replace("\\", "").split("  \n")  # as read: Markdown escapes removed
    assert first == "Test failed: Ollama could not be reached at http://127.0.0.1:9 (connection refused)"
    assert "Check that Ollama is running" in hint


def test_fallback_off_makes_an_unreachable_generator_an_error_not_an_answer(seeded: Store) -> None:
    save_unreachable("openai", fallback=False)
    at = start()
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception, at.exception
    assert at.error and not _CITE.findall(html_of(at))
    message = at.error[0].value
    assert "CROSSREAD_" not in message and "Traceback" not in message and "\n" not in message
    save_unreachable("openai", fallback=True)
    at.chat_input[0].set_value(QUESTION).run()
    notice = " ".join(w.value for w in at.warning)
    assert "answered with the extractive generator" in notice and _CITE.findall(html_of(at))
    assert "CROSSREAD_" not in notice and "((" not in notice and "[" not in notice


def test_brief_paragraphs_carry_one_verification_mark_and_whole_percent_coverage(seeded: Store) -> None:
    at = start("ui/brief.py")
    next(b for b in at.button if b.label == "Write the briefing").click().run()
    sections = [h.value for h in at.html if 'class="cr-section"' in h.value]
    prose = [s for s in sections if s.startswith("<div")]
    assert prose and all(s.count("<details") == 1 for s in prose)
    assert all("cr-badge" not in s.split("<details")[0] for s in prose)  # no badge inside the sentences
    coverage = next(d.value for d in at.dataframe if "share of citations" in d.value.columns)
    assert all(float(v).is_integer() for v in coverage["share of citations"])
    assert abs(coverage["share of citations"].sum() - 100) <= len(coverage)


def test_sources_tables_show_bylines_not_ids_and_outcomes_stay_with_their_collection(seeded: Store) -> None:
    at = start("ui/sources.py")
    at.file_uploader[0].set_value([("talks.txt", b"Title: Talks\nBy Ann Lee\n\nDiplomats met on Monday.",
                                    "text/plain")])
    at.run()
    next(b for b in at.button if b.label == "Add to the collection").click().run()
    outcome, documents = at.dataframe[0].value, at.dataframe[1].value
    assert list(outcome["outcome"]) == ["added"]
    assert "id" not in documents.columns and "byline" in documents.columns
    assert "Ann Lee" in set(documents["byline"])
    next(t for t in at.text_input if t.label == "New collection name").set_value("other").run()
    next(b for b in at.button if b.label == "Create collection").click().run()
    assert not at.dataframe  # neither the other collection's outcome nor its documents


def test_a_damaged_settings_file_is_named_and_the_defaults_apply(seeded: Store) -> None:
    path = get_settings().data_dir / "app_settings.json"
    path.write_text("{not json")
    at = start("ui/settings.py")
    assert not at.exception, at.exception
    shown = at.sidebar.error[0].value.replace("\\", "")  # as read: Markdown escapes removed
    assert f"the saved settings in {path} are damaged" in shown and "Error" not in shown
    assert "Generator: Extractive" in " ".join(c.value for c in at.sidebar.caption)
    next(b for b in at.button if b.label == "Back to the defaults").click().run()
    assert not path.exists() and not at.sidebar.error
