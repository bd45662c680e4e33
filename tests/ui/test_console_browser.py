"""The console served by ``streamlit run`` with the real model, opened page by page in Debian's
Chromium; each page is checked and saved as test-artifacts/console-<page>.png."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.kb.embedder import SentenceTransformerEmbedder
from bot.service.runtime import build_runtime
from tests.kb.chroma_server import free_port
from tests.ui.environment import REPO, Seeded, build_index, console_env, seed_store

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
XSS = "<img src=x onerror=alert(1)>"
# a third of the bundled knowledge base keeps the real-model ingest short; every product appears
FOLDERS = [
    f"{product}/{kind}"
    for product in ("cx-codec", "tx-panel", "vx-camera", "ax-audio", "wx-share")
    for kind in ("release-notes", "patch-notes", "security")
    if (REPO / "knowledge/docs" / product / kind).is_dir()
]


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"streamlit was not healthy within {seconds} s")


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Seeded]]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is missing: make test installs it (apt-get install chromium)"
        )
    work = tmp_path_factory.mktemp("console-served")
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    build_index(work / "index", work, embedder, FOLDERS)
    env = console_env(work / "var", work / "index")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        seeded = seed_store(build_runtime(load_settings(), embedder=embedder))
    reports = REPO / "evals/reports"
    if reports.is_dir():  # show the real latest report when there is one
        shutil.copytree(reports, work / "evals/reports")
    port = free_port()
    log = (work / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", str(REPO / "ui/console/app.py")),
            *("--server.headless", "true", "--server.port", str(port)),
            *("--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"),
            *("--server.fileWatcherType", "none"),
        ],
        env={**os.environ, **env},
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base + "/_stcore/health", proc)
        yield base, seeded
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def test_every_console_page_in_chromium(served: tuple[str, Seeded], browser: object) -> None:
    from playwright.sync_api import Browser, Page, expect

    base, seeded = served
    assert isinstance(browser, Browser)
    page: Page = browser.new_page(viewport={"width": 1440, "height": 1600})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ARTIFACTS.mkdir(exist_ok=True)

    def visit(link: str, title: str, ready: Callable[[Page], None] | None = None) -> None:
        # through the sidebar: a reload would be a new browser session, signed out
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=60_000)
        if ready:
            ready(page)
        page.wait_for_load_state("networkidle")
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
        assert not page.get_by_test_id("stException").count()

    def shot(name: str) -> None:
        page.wait_for_timeout(600)  # let charts and the diagram finish drawing
        page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"))

    def ask(question: str) -> None:
        page.get_by_label("Question").fill(question)
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", name="Evidence")).to_be_visible(timeout=30_000)

    page.goto(base + "/handoffs")  # nothing but the sign-in form before signing in
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=60_000)
    assert not page.get_by_role("link", name="Handoff queue").count()
    assert seeded.chat_handoff not in page.content()
    page.get_by_label("E-mail").fill("dana@protelecom.example")
    page.get_by_label("Password", exact=True).fill("dana-dev-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Dana")).to_be_visible(timeout=30_000)
    shot("signed-in")
    visit("Release-notes search", "Release-notes search")
    ask("which firmware fixed the HDMI handshake on the CX-900?")
    expect(page.get_by_text("CX Room Codec 9.4.1 Release Notes").first).to_be_visible(
        timeout=30_000
    )
    shot("search")
    ask("web admin room name field escaping CX-9999")
    expect(page.get_by_text(XSS).first).to_be_visible(timeout=30_000)  # shown as text
    assert page.locator("img[src='x']").count() == 0

    visit("Handoff queue", "Handoff queue")
    # the queue grid is drawn on a canvas (its cells are hidden in the DOM): look at the record heading
    record_heading = page.get_by_role(
        "heading", name=re.compile(re.escape(seeded.hardware_handoff))
    )
    expect(record_heading.first).to_be_visible(timeout=30_000)
    shot("handoffs")
    page.get_by_role("tab", name="Transcript").click()
    said = page.get_by_test_id("stChatMessage").filter(has_text="no power, no lights at all")
    expect(said.first).to_be_visible(timeout=30_000)
    shot("handoffs-transcript")
    # the chat whose user typed markup, a web address and an e-mail address: text, not links
    page.get_by_role("combobox", name="Handoff").click()
    page.get_by_role("option", name=re.compile(re.escape(seeded.chat_handoff))).click()
    typed = (r"help\W?@evil\.example", r"https:\W?//evil\.example/a")  # an invisible joiner
    for tab, pattern in (("Record", typed[0]), ("Transcript", typed[1])):
        page.get_by_role("tab", name=tab).click()
        shown = page.locator("p:visible", has_text=re.compile(pattern))
        expect(shown.first).to_be_visible(timeout=30_000)
    assert page.locator("a[href*='evil'], a[href^='mailto'], img[src='x']").count() == 0
    shot("handoffs-typed-links")

    visit("Parts due", "Parts due and overdue")
    shot("parts")
    visit(
        "Flows",
        "Flows",
        lambda p: expect(p.locator(".stMarkdown svg").first).to_be_visible(timeout=30_000),
    )
    shot("flows")
    visit("Knowledge base", "Knowledge base")
    expect(page.get_by_text("cx-codec/scanned-manual.pdf").first).to_be_attached()  # grid cell
    shot("knowledge")
    visit("Eval report", "Latest eval report")
    shot("evals")
    assert not dialogs, dialogs
