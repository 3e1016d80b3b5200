"""End to end in a real browser: ask, click a citation, see exactly the cited sentence highlighted.

Starts `streamlit run app.py` on a free 127.0.0.1 port with a pre-filled data folder and drives it with
Playwright and Debian's Chromium. Screenshots go to the test's tmp folder (and CROSSREAD_SCREENSHOTS if set).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import free_port, stop_process, wait_for_http

from rag.settings import Settings
from rag.store import open_store

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = Path("/usr/bin/chromium")
QUESTION = "What did Kim Jong Un call for?"
HOSTILE = (
    "Title: Harbour <script>window.pwned = 1</script> report\n\n"
    "The harbour reopened on Tuesday after repairs. "
    'Workers said <img src=x onerror="window.pwned = 2"> the cranes were fixed. '
    "A notice linked [here](javascript:window.pwned=3) for details. The port expects ships next week."
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (/usr/bin/chromium)"),
]


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """A running app over a data folder that already holds the shipped corpus."""
    from rag.ingest import ingest

    data_dir = tmp_path / "app-data"
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(HOSTILE)
    store = open_store(Settings(data_dir=data_dir))
    ingest([str(hostile)], store=store)  # first, so the Sources page shows it by default
    ingest([str(ROOT / "corpus")], store=store)
    port = free_port()
    env = {**os.environ, "CROSSREAD_DATA_DIR": str(data_dir), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/_stcore/health", process, timeout=120, log=tmp_path / "streamlit.log")
        yield url
    finally:
        stop_process(process)
        log.close()


def save(page: object, tmp_path: Path, name: str) -> Path:
    path = tmp_path / "screens" / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    extra = os.environ.get("CROSSREAD_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)
    print(f"screenshot: {path}")
    return path


def test_click_a_citation_and_see_the_cited_sentence_highlighted(app_url: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(app_url)
            chat = page.get_by_placeholder("Ask a question about the articles")
            chat.wait_for(timeout=120_000)
            save(page, tmp_path, "1-first-start")

            chat.fill(QUESTION)
            chat.press("Enter")
            # The caption under an answer is written after its last claim.
            page.get_by_text("generator: extractive", exact=True).wait_for(timeout=120_000)
            markers = page.locator("[data-cite]")
            assert markers.count() >= 1
            assert page.locator(".cr-badge").count() >= 1
            save(page, tmp_path, "2-answer")

            # Open the marker pointing furthest into its article, so scrolling into view is exercised too.
            refs = [markers.nth(i).get_attribute("data-cite") or "" for i in range(markers.count())]
            target = max(range(len(refs)), key=lambda i: int(refs[i].rsplit("/", 1)[1]))
            collection, doc_id, index = refs[target].split("/")
            markers.nth(target).click()

            highlighted = page.locator("mark.cr-hl")
            highlighted.wait_for(timeout=30_000)
            page.wait_for_timeout(800)  # let the scroll settle
            save(page, tmp_path, "3-citation")

            doc = open_store(Settings(data_dir=tmp_path / "app-data")).document(collection, doc_id)
            cited = doc.sentences[int(index)]
            assert highlighted.count() == 1
            assert highlighted.inner_text().strip() == cited.text.strip()
            box = highlighted.bounding_box()
            assert box is not None, "highlight not rendered"
            assert box["y"] >= 0 and box["y"] + box["height"] <= 900, "highlight not scrolled into view"
            assert page.get_by_text(f"sentence {int(index) + 1} of {len(doc.sentences)}").count() == 1

            # A hostile article shown with its loaded terms: its markup stays text, nothing runs.
            page.goto(app_url + "/sources")
            page.get_by_text("Read a document").wait_for(timeout=60_000)
            shown = page.get_by_text("the cranes were fixed", exact=False).first
            shown.wait_for(timeout=30_000)
            shown.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            save(page, tmp_path, "4-hostile-source")
            assert page.evaluate("window.pwned") is None
            assert page.locator("img[src='x']").count() == 0
            assert page.locator("a[href^='javascript']").count() == 0
            assert page.get_by_text('<img src=x onerror="window.pwned = 2">', exact=False).count() >= 1
        finally:
            browser.close()
