"""A table in a document, end to end in Debian's Chromium: ingested as a pipe table, cited by an
answer in the widget and opened in its document viewer as a real <table> whose cells are text (a
``<script>`` in a cell shows as text), scrolling inside a phone-sized chat instead of widening it.

The app runs in this process on a one-document index (the real model, an in-memory vector store)
so the test stays short; the widget, the API and the ingest are the real ones."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.kb.embedder import Embedder
from tests.conftest import write
from tests.integration.conftest import REPO
from tests.integration.test_browser import ARTIFACTS, CHROMIUM, launch, say
from tests.kb.chroma_server import free_port

pytestmark = pytest.mark.integration
SCRIPT = "<script>alert(1)</script>"
DOCUMENT = (
    "---\ntitle: Zebracorn display notes\nproduct: cx-codec\ndoc_type: known_issues\n---\n"
    "# Zebracorn display notes\n\n## Fixed releases\n\n"
    "The zebracorn flicker on the second display was fixed in the releases below.\n\n"
    "| Release | Fix | Note |\n"
    "|---|:--:|--:|\n"
    "| 10.0.0 | Zebracorn flicker fixed | &lt;script&gt;alert(1)&lt;/script&gt; |\n"
    "| 9.4.1 | Zebracorn \\| handshake | <b>bold</b> "
    + "averyveryverylongunbrokenidentifier" * 3
    + " |\n\nUpgrade to 10.0.0 to stop the zebracorn flicker.\n"
)
ROWS = [
    ["10.0.0", "Zebracorn flicker fixed", SCRIPT],
    ["9.4.1", "Zebracorn | handshake", "bold " + "averyveryverylongunbrokenidentifier" * 3],
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> Iterator[str]:
    import uvicorn

    from bot.api.app import create_app
    from bot.api.state import ServiceState
    from bot.config import Settings
    from bot.kb.schema import IndexLayout
    from bot.kb.service import KnowledgeBase
    from bot.kb.vectorstore import InMemoryVectorStore
    from bot.service.runtime import build_runtime
    from ingest.pipeline import Ingestor

    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is missing: make test installs it (apt-get install chromium)"
        )
    work = tmp_path_factory.mktemp("widget-tables")
    write(work / "docs", "cx-codec/zebracorn.md", DOCUMENT)
    settings = Settings(
        paths={  # type: ignore[arg-type]
            "data_dir": work / "var",
            "accounts_dir": REPO / "knowledge/accounts",
            "flows_dir": REPO / "knowledge/flows",
        },
    )
    runtime = build_runtime(settings, embedder=real_embedder)
    store, root = InMemoryVectorStore(), work / "index"
    report = Ingestor(IndexLayout(root), real_embedder, store).run([work / "docs"])
    assert not report.failed and report.chunks_total, report.as_dict()
    runtime.kb = runtime.assistant.conversation.kb = KnowledgeBase(root, real_embedder, store)
    state = ServiceState(settings)
    state.runtime = runtime
    app = create_app(settings, state=state, start_background=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start in 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _table(page: Any, selector: str) -> tuple[list[str], list[list[str]]]:
    return page.eval_on_selector(
        selector,
        """t => [Array.from(t.querySelectorAll('thead th'), c => c.textContent),
                 Array.from(t.querySelectorAll('tbody tr'),
                            r => Array.from(r.children, c => c.textContent))]""",
    )


def test_a_document_table_opens_in_the_widget_as_a_table_of_text(served: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone-sized screen
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(served + "/")
        page.click(".pta-launcher")
        page.fill(".pta-start input", page.text_content("#demo-code") or "")
        page.keyboard.press("Enter")
        page.wait_for_selector(".pta-form:not([hidden])")

        say(page, "which release fixed the zebracorn flicker?")
        page.locator(".pta-cite").first.click()
        page.locator(".pta-doc-open").first.click()
        page.wait_for_selector(".pta-doc table")

        assert page.locator(".pta-doc table").count() == 1
        header, rows = _table(page, ".pta-doc table")
        assert header == ["Release", "Fix", "Note"]
        assert rows == ROWS
        assert page.locator(".pta-doc table script, .pta-doc table b").count() == 0
        texts = page.locator(".pta-doc .pta-doc-text").all_text_contents()
        assert any("fixed in the releases below." in t for t in texts)
        assert all("|---|" not in t for t in texts)  # no pipe soup left over
        page.locator(".pta-doc .pta-table-wrap").scroll_into_view_if_needed()
        widths = page.evaluate(
            """() => ({wrap: document.querySelector('.pta-doc .pta-table-wrap').clientWidth,
                      table: document.querySelector('.pta-doc table').scrollWidth,
                      panel: document.querySelector('.pta-panel').clientWidth,
                      log: document.querySelector('.pta-log').scrollWidth,
                      logBox: document.querySelector('.pta-log').clientWidth})"""
        )
        assert widths["table"] > widths["wrap"]  # the long word makes it scroll sideways ...
        assert widths["wrap"] < widths["panel"] and widths["log"] <= widths["logBox"]  # ... alone
        page.screenshot(path=str(ARTIFACTS / "widget-table.png"), full_page=True)
        browser.close()
    assert dialogs == []  # nothing from the document ever ran as script
