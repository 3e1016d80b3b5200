"""End to end in a real browser, as an editor uses the app: ask and open citations, brief, sources, settings, a
phone-sized screen; with timings printed for the shipped corpus and a 30-article collection.

One `streamlit run app.py` on a free 127.0.0.1 port over a pre-filled data folder serves every test of this module,
driven by Playwright and Debian's Chromium. Screenshots go to the tests' tmp folder (and CROSSREAD_SCREENSHOTS if
set); CROSSREAD_DOCS_SCREENSHOTS=docs regenerates the two the README shows. Run with `-s` to see the timings.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import free_port, stop_process, wait_for_http

from rag.settings import Settings
from rag.store import open_store

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import devdata  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
QUESTION = "What did Kim Jong Un call for?"
LARGE = "allsides-30"  # ten AllSides events, three outlets each
LARGE_QUESTION = "What did the CDC panel recommend about the J&J vaccine?"
HOSTILE = (
    "Title: Harbour <script>window.pwned = 1</script> report\n\n"
    "The harbour reopened on Tuesday after repairs. "
    'Workers said <img src=x onerror="window.pwned = 2"> the cranes were fixed. '
    "A notice linked [here](javascript:window.pwned=3) for details. The port expects ships next week."
)
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
WAIT = int(os.environ.get("CROSSREAD_BROWSER_WAIT_MS", "120000"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (/usr/bin/chromium)"),
]


@dataclass
class App:
    url: str
    data_dir: Path
    screens: Path
    large: bool  # the 30-article collection is there (AllSides dev data present)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """A running app over a data folder holding the shipped corpus (and, when present, 30 AllSides articles)."""
    from rag.ingest import ingest

    tmp = tmp_path_factory.mktemp("browser")
    data_dir = tmp / "app-data"
    hostile = tmp / "hostile.txt"
    hostile.write_text(HOSTILE)
    store = open_store(Settings(data_dir=data_dir))
    ingest([str(hostile)], store=store)  # first, so the Sources page shows it by default
    ingest([str(ROOT / "corpus")], store=store)
    large = devdata.DEV.exists()
    if large:
        files = [p for event in devdata.load_events(10) for p in devdata.write_event(event, tmp / "allsides")]
        ingest([str(p) for p in files], collection=LARGE, store=store)
    port = free_port()
    env = {**os.environ, "CROSSREAD_DATA_DIR": str(data_dir), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = (tmp / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"],
        cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/_stcore/health", process, timeout=120, log=tmp / "streamlit.log")
        yield App(url, data_dir, tmp / "screens", large)
    finally:
        stop_process(process)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


def save(page: Any, app: App, name: str, docs_name: str | None = None) -> Path:
    """A screenshot in the tmp folder; copied to CROSSREAD_SCREENSHOTS, and to CROSSREAD_DOCS_SCREENSHOTS under
    `docs_name` for the README."""
    page.wait_for_timeout(400)  # let layout settle
    path = app.screens / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(path))
    for variable, target in (("CROSSREAD_SCREENSHOTS", path.name), ("CROSSREAD_DOCS_SCREENSHOTS", docs_name)):
        folder = os.environ.get(variable)
        if folder and target:
            Path(folder).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(folder) / target)
    print(f"screenshot: {path}")
    return path


def stack(top: Path, bottom: Path, app: App, name: str, docs_name: str, top_height: int) -> Path:
    """One image: the first `top_height` pixels of `top` above the whole of `bottom` (Pillow comes with
    Streamlit)."""
    from PIL import Image

    with Image.open(top) as upper, Image.open(bottom) as lower:
        upper = upper.crop((0, 0, upper.width, min(top_height, upper.height)))
        combined = Image.new("RGB", (max(upper.width, lower.width), upper.height + lower.height), "white")
        combined.paste(upper, (0, 0))
        combined.paste(lower, (0, upper.height))
        path = app.screens / f"{name}.png"
        combined.save(path, optimize=True)
    folder = os.environ.get("CROSSREAD_DOCS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / docs_name)
    print(f"screenshot: {path}")
    return path


def open_page(browser: Any, app: App, path: str = "", viewport: dict | None = None, collection: str = "") -> Any:
    """A new browser session on a page, with the sidebar's collection chosen."""
    page = browser.new_page(viewport=viewport or DESKTOP)
    page.goto(app.url + path)
    title = {"": "Ask", "/brief": "Brief", "/sources": "Sources", "/settings": "Settings"}[path]
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=WAIT)
    if collection:
        choose_collection(page, collection)
    return page


def choose_collection(page: Any, name: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').click()
    page.get_by_role("option", name=name, exact=True).click()
    page.get_by_role("option").first.wait_for(state="detached", timeout=WAIT)
    page.wait_for_timeout(500)  # the rerun for the new collection


def ask(page: Any, question: str) -> tuple[float, float]:
    """Submit a question; seconds to the first claim on screen and to the full answer (its generator line)."""
    answers = page.get_by_text(re.compile(r"^generator: ")).count()
    chat = page.get_by_placeholder("Ask a question about the articles")
    chat.fill(question)
    start = time.perf_counter()
    chat.press("Enter")
    try:
        page.locator(".cr-claim").first.wait_for(timeout=WAIT)
    except Exception:
        page.screenshot(path="/tmp/ask-failed.png")
        raise
    first = time.perf_counter() - start
    page.get_by_text(re.compile(r"^generator: ")).nth(answers).wait_for(timeout=WAIT)
    return first, time.perf_counter() - start


def write_briefing(page: Any) -> tuple[float, int]:
    """Press "Write the briefing"; seconds until every story's briefing is on screen, and how many there are."""
    start = time.perf_counter()
    page.get_by_role("button", name="Write the briefing").click()
    page.get_by_text("Briefing ready").wait_for(timeout=WAIT)
    page.locator(".cr-section").first.wait_for(timeout=WAIT)
    heading = page.get_by_text(re.compile(r"^Story 1 of \d+$"))
    stories = int(heading.inner_text().rsplit(" ", 1)[1]) if heading.count() else 1
    # Each story's briefing ends with its generator line; the last one closes the page.
    page.get_by_text(re.compile(r"^generator: ")).nth(stories - 1).wait_for(timeout=WAIT)
    return time.perf_counter() - start, stories


def within(box: dict | None, viewport: dict) -> bool:
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= viewport[
        "width"] + 1 and box["y"] + box["height"] <= viewport["height"] + 1


def open_citation(page: Any, app: App) -> tuple[Any, str]:
    """Click the marker pointing furthest into its article; the highlight and the cited sentence's text."""
    markers = page.locator("[data-cite]")
    refs = [markers.nth(i).get_attribute("data-cite") or "" for i in range(markers.count())]
    target = max(range(len(refs)), key=lambda i: int(refs[i].rsplit("/", 1)[1]))
    collection, doc_id, index = refs[target].split("/")
    markers.nth(target).click()
    highlighted = page.locator("mark.cr-hl")
    highlighted.wait_for(timeout=30_000)
    page.wait_for_timeout(600)  # let the scroll settle
    doc = open_store(Settings(data_dir=app.data_dir)).document(collection, doc_id)
    assert highlighted.count() == 1
    assert highlighted.inner_text().strip() == doc.sentences[int(index)].text.strip()
    assert page.get_by_text(f"sentence {int(index) + 1} of {len(doc.sentences)}").count() == 1
    return highlighted, doc.meta.title or ""


def test_ask_and_open_a_citation_with_timings(app: App, browser: Any) -> None:
    page = open_page(browser, app)
    assert page.locator("[data-cite]").count() == 0  # a new session starts clean
    first, full = ask(page, QUESTION)
    print(f"timing: shipped corpus (2 articles), first question since start: first claim {first:.2f} s, "
          f"full answer {full:.2f} s")
    assert page.locator(".cr-badge").count() >= 1
    answer = save(page, app, "ask-answer")
    highlighted, title = open_citation(page, app)
    box = highlighted.bounding_box()
    assert within(box, DESKTOP), "highlight not scrolled into view"
    dialog = page.get_by_role("dialog")
    meta = dialog.locator(".cr-meta").first.inner_text()
    assert title not in meta and "unknown" not in meta and "no date" not in meta
    cited = save(page, app, "ask-citation")
    # For the README: the answer, then the citation opened from it (the dialog covers the answer).
    answer_box = page.locator(".cr-answer").last.bounding_box()
    stack(answer, cited, app, "ask-answer-and-citation", "ask-citation.png",
          top_height=int(answer_box["y"] + answer_box["height"] + 24) if answer_box else 520)
    page.keyboard.press("Escape")
    # The conversation is listed with its date; a second session does not open it.
    assert page.get_by_text(re.compile(re.escape(QUESTION) + r" · today \d\d:\d\d")).count() == 1
    other = open_page(browser, app)
    assert other.locator("[data-cite]").count() == 0
    first, full = ask(other, QUESTION)
    print(f"timing: shipped corpus (2 articles): first claim {first:.2f} s, full answer {full:.2f} s")
    other.close()
    page.close()
    if app.large:
        page = open_page(browser, app, collection=LARGE)
        page.get_by_text("Ask about the 30 articles").wait_for(timeout=WAIT)
        first, full = ask(page, LARGE_QUESTION)
        print(f"timing: {LARGE} (30 articles): first claim {first:.2f} s, full answer {full:.2f} s")
        page.close()


def test_brief_every_story_with_paragraph_verification(app: App, browser: Any) -> None:
    page = open_page(browser, app, "/brief", viewport={"width": 1400, "height": 1700})
    seconds, stories = write_briefing(page)
    print(f"timing: shipped corpus briefing of {stories} stories {seconds:.2f} s")
    marks = page.locator("details.cr-verify > summary")
    assert marks.count() >= 1
    shown = [marks.nth(i).inner_text().strip() for i in range(marks.count())]
    assert all(s == "✓" or "of" in s for s in shown), shown  # a quiet ✓, or a flag saying how many fall short
    marks.first.click()  # the detail, one click away
    page.locator("details.cr-verify[open] li .cr-badge").first.wait_for(timeout=10_000)
    # Coverage is a canvas table (no text in the page); its whole percents are checked in test_app.py.
    marks.first.click()
    page.evaluate("window.scrollTo(0, 0)")
    save(page, app, "brief", "brief.png")
    # Changing an input marks the briefing stale.
    page.get_by_text("short", exact=True).click()
    page.get_by_text("Stale:").wait_for(timeout=WAIT)
    page.close()
    if app.large:
        page = open_page(browser, app, "/brief", collection=LARGE)
        seconds, stories = write_briefing(page)
        print(f"timing: {LARGE} (30 articles) briefing of {stories} stories {seconds:.2f} s")
        assert stories >= 2
        page.close()


def test_phone_dialog_and_tables_fit(app: App, browser: Any) -> None:
    page = open_page(browser, app, viewport=PHONE)
    ask(page, QUESTION)
    open_citation(page, app)
    dialog = page.get_by_role("dialog")
    assert within(dialog.locator(".cr-dialog-title").bounding_box(), PHONE), "dialog title off-screen"
    assert within(dialog.get_by_role("button", name="Close").bounding_box(), PHONE), "close button off-screen"
    save(page, app, "phone-citation")
    page.keyboard.press("Escape")
    for path, ready in (("/brief", "Write the briefing"), ("/sources", "Read a document")):
        page.goto(app.url + path)
        page.get_by_text(ready).first.wait_for(timeout=WAIT)
        if path == "/brief":
            write_briefing(page)
        page.wait_for_timeout(500)
        # Wide tables scroll inside their own box; the page itself must not scroll sideways.
        overflow = page.evaluate("Math.max(document.documentElement.scrollWidth, "
                                 "document.querySelector('[data-testid=stMain]').scrollWidth)")
        save(page, app, f"phone{path.replace('/', '-')}")
        if path == "/sources":
            page.get_by_text("How each outlet frames it").scroll_into_view_if_needed()
            save(page, app, "phone-sources-framing")
        assert overflow <= PHONE["width"] + 1, f"{path} is wider than the phone ({overflow:.0f} px)"
    page.close()


def test_sources_show_plain_words_and_hostile_text_inert(app: App, browser: Any) -> None:
    page = open_page(browser, app, "/sources")
    shown = page.get_by_text("the cranes were fixed", exact=False).first
    shown.wait_for(timeout=30_000)
    shown.scroll_into_view_if_needed()
    save(page, app, "sources-hostile")
    assert page.evaluate("window.pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.get_by_text('<img src=x onerror="window.pwned = 2">', exact=False).count() >= 1
    for code in ("charged_adjective", "charged_verb", "report_verb", "scare_quote"):
        assert page.get_by_text(code).count() == 0
    assert page.get_by_role("button", name="Add files").count() == 0  # one name per button
    # Upload an article with a byline: it is added, the picker empties, its byline is listed.
    upload = app.screens.parent / "harbour-talks.txt"
    upload.write_text("Title: Harbour talks resume\nBy Ann Lee\n\nUnion leaders met port officials on Friday. "
                      "They agreed to meet again next week.\n")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_text("harbour-talks.txt").first.wait_for(timeout=WAIT)
    page.get_by_role("button", name="Add to the collection").click()
    page.locator('[role="gridcell"]', has_text="Ann Lee").first.wait_for(state="attached", timeout=WAIT)
    chips = page.locator('[data-testid="stFileUploader"] [data-testid="stFileChip"]')
    try:
        chips.first.wait_for(state="detached", timeout=20_000)
    except Exception:
        save(page, app, "sources-upload-not-cleared")
        raise
    assert page.locator('[role="gridcell"]', has_text=re.compile(r"^added$")).count() == 1
    save(page, app, "sources-uploaded")
    # An unreachable site, in plain words.
    page.get_by_role("tab", name="URLs and feeds").click()
    closed = f"http://127.0.0.1:{free_port()}/story"
    page.get_by_placeholder("https://example.com/article").fill(closed)
    page.keyboard.press("Control+Enter")
    page.get_by_role("button", name="Fetch and add").click()
    # The outcome table is a canvas grid; its cells are mirrored, hidden, for accessibility.
    reason = page.locator('[role="gridcell"]', has_text="could not reach the site (connection refused)")
    reason.first.wait_for(state="attached", timeout=WAIT)
    assert reason.first.text_content() == "could not reach the site (connection refused)"
    save(page, app, "sources-unreachable")
    page.close()


def test_unreachable_generator_with_fallback_on_and_off(app: App, browser: Any) -> None:
    page = open_page(browser, app, "/settings")
    try:
        page.get_by_text("Ollama", exact=True).click()
        page.get_by_text("Not saved yet").wait_for(timeout=WAIT)
        page.get_by_role("textbox", name="Model").fill("llama3.2")
        page.get_by_role("textbox", name="Server URL").fill(f"http://127.0.0.1:{free_port()}")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Saved: answers and briefings now use Ollama").wait_for(timeout=WAIT)
        page.locator('[data-testid="stSidebar"]').get_by_text("Generator: Ollama").wait_for(timeout=WAIT)
        page.get_by_role("button", name="Test the generator").click()
        error = page.locator('[data-testid="stAlertContentError"]')
        error.wait_for(timeout=WAIT)
        assert "Test failed: Ollama could not be reached" in error.inner_text()
        assert "Check that Ollama is running" in error.inner_text()
        save(page, app, "settings-test-failed")

        asking = open_page(browser, app)  # a new session: the saved choice applies there too
        ask(asking, QUESTION)
        notice = asking.get_by_text("answered with the extractive generator").first.inner_text()
        assert "CROSSREAD_" not in notice and "((" not in notice and ")(" not in notice
        save(asking, app, "ask-fallback-on")
        asking.close()

        page.get_by_text("Answer with the extractive generator when this one fails").click()
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Saved: answers").wait_for(timeout=WAIT)
        asking = open_page(browser, app)
        chat = asking.get_by_placeholder("Ask a question about the articles")
        chat.fill(QUESTION)
        chat.press("Enter")
        error = asking.locator('[data-testid="stAlertContentError"]')
        error.wait_for(timeout=WAIT)
        assert "could not be reached" in error.inner_text()
        assert asking.locator("[data-cite]").count() == 0  # no silent extractive answer
        save(asking, app, "ask-fallback-off")
        asking.close()
        page.get_by_role("button", name="Back to the defaults").click()
        page.locator('[data-testid="stSidebar"]').get_by_text("Generator: Extractive").wait_for(timeout=WAIT)
    except Exception:
        save(page, app, "settings-failure")
        raise
    finally:
        (app.data_dir / "app_settings.json").unlink(missing_ok=True)  # later tests expect the defaults
        page.close()
