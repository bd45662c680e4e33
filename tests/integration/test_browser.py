"""End to end in Debian's Chromium: the demo page, the widget, a flow to a handoff typed in free
text (the answered question's buttons disabled), an ended conversation not restored on reload,
an open one restored, "Start a new chat", and hostile text rendered as text. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import REPO
from tests.kb.chroma_server import free_port

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
XSS = "<img src=x onerror=alert(1)>"
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, bundled_index: Path) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is missing: make test installs it (apt-get install chromium)"
        )
    data = tmp_path_factory.mktemp("served")
    index = data / "index"
    shutil.copytree(bundled_index, index)
    hostile = data / "hostile"
    hostile.mkdir()
    (hostile / "bad.md").write_text(
        f"---\ntitle: Zebra firmware note {XSS}\nproduct: cx-codec\ndoc_type: how_to\n---\n"
        f"# Zebra note\n\nThe zebracorn setting {XSS} lives under Settings > Zebra.\n"
    )
    env = {
        **os.environ,
        "ASSIST_PATHS__DATA_DIR": str(data),
        "ASSIST_INDEX__CHROMA_PATH": str(index),
        "ASSIST_PATHS__ACCOUNTS_DIR": str(REPO / "knowledge/accounts"),
        "ASSIST_PATHS__FLOWS_DIR": str(REPO / "knowledge/flows"),
    }
    assist = [sys.executable, "-m", "bot"]
    subprocess.run(
        [*assist, "ingest", str(hostile), "--json"], env=env, check=True, capture_output=True
    )
    port = free_port()
    proc = subprocess.Popen(
        [*assist, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the server did not become ready in 120 s")
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def test_widget_conversation_to_handoff_survives_reload(server: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone-sized screen
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(server + "/")
        code = page.text_content("#demo-code")
        page.click(".pta-launcher")
        page.fill(".pta-start input", code or "")
        page.keyboard.press("Enter")
        page.wait_for_selector(".pta-form:not([hidden])")

        page.fill(".pta-form textarea", f"hello {XSS}")
        page.keyboard.press("Enter")
        page.locator(".pta-bot").nth(1).wait_for()
        assert page.locator(".pta-user", has_text=XSS).count() == 1  # shown as text
        assert page.locator(".pta-log img").count() == 0

        page.fill(".pta-form textarea", "where is the zebracorn setting?")
        page.keyboard.press("Enter")
        page.wait_for_selector(".pta-cite")
        page.locator(".pta-cite").first.click()
        assert page.locator(".pta-log img").count() == 0

        page.fill(".pta-form textarea", "both screens in room 1 show no signal")
        page.keyboard.press("Enter")
        page.get_by_text("From what you said: Both screens", exact=False).wait_for()
        led = page.wait_for_selector("[data-choice=red]:not([disabled])")
        # answered in words: the question's own buttons can no longer be pressed
        page.fill(".pta-form textarea", "it's red")
        page.keyboard.press("Enter")
        page.get_by_text("who on site", exact=False).wait_for()
        assert led.is_disabled()
        assert page.locator(".pta-choices button:not([disabled])").count() == 0
        for answer in ("its me, Dana", "my mobile is 617 555 0100", "yes", "yes please"):
            page.fill(".pta-form textarea", answer)
            page.keyboard.press("Enter")
            page.wait_for_timeout(400)
        handoff = page.wait_for_selector(".pta-handoff")
        summary = handoff.text_content() or ""
        assert "HO-" in summary and "ships on" in summary and "back by" in summary
        assert page.locator(".pta-form textarea").is_disabled()
        assert page.locator(".pta-new").is_visible()  # the way on: a new chat
        page.screenshot(path=str(ARTIFACTS / "widget-handoff.png"), full_page=True)

        page.reload()  # an ended conversation does not come back
        page.click(".pta-launcher")
        page.wait_for_selector(".pta-start:not([hidden])")
        assert page.locator(".pta-handoff").count() == 0
        page.fill(".pta-start input", code or "")
        page.keyboard.press("Enter")
        page.wait_for_selector(".pta-form:not([hidden])")
        page.fill(".pta-form textarea", "the touch panel is frozen")
        page.keyboard.press("Enter")
        page.get_by_text("respond to touch", exact=False).wait_for()
        page.reload()  # an open conversation does
        page.get_by_text("respond to touch", exact=False).wait_for()
        assert page.locator(".pta-user", has_text="the touch panel is frozen").count() == 1
        assert not page.locator(".pta-form textarea").is_disabled()
        page.screenshot(path=str(ARTIFACTS / "widget-after-reload.png"), full_page=True)

        page.fill(".pta-form textarea", "talk to a person")
        page.keyboard.press("Enter")
        for answer in ("Sam Rivera", "617 555 0100", "yes", "yes"):
            page.fill(".pta-form textarea", answer)
            page.keyboard.press("Enter")
            page.wait_for_timeout(400)
        page.wait_for_selector(".pta-handoff")
        page.click(".pta-new")
        page.wait_for_selector(".pta-start:not([hidden])")
        assert page.locator(".pta-msg").count() == 0
        page.screenshot(path=str(ARTIFACTS / "widget-new-chat.png"), full_page=True)
        browser.close()
    assert dialogs == []  # nothing from the server ever ran as script
