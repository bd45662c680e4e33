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
from typing import Any

import pytest

from tests.integration.conftest import REPO
from tests.kb.chroma_server import free_port

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def launch(p: Any) -> Any:
    """Debian's Chromium, headless, with the flags this environment needs."""
    return p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


XSS = "<img src=x onerror=alert(1)>"
ARTIFACTS = REPO / "test-artifacts"


def say(page: Any, text: str) -> None:
    """Type as a person does: one message, then wait for the assistant's answer to it."""
    bots = page.locator(".pta-bot").count()
    page.fill(".pta-form textarea", text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('.pta-bot').length > n", arg=bots, timeout=30_000
    )


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
        "ASSIST_PATHS__RELEASES_FILE": str(REPO / "knowledge/releases.yaml"),
        "ASSIST_PATHS__KCS_FILE": str(REPO / "knowledge/kcs.yaml"),
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
        browser = launch(p)
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
            say(page, answer)
        handoff = page.wait_for_selector(".pta-handoff")
        summary = handoff.text_content() or ""
        assert "HO-" in summary and "ships on" in summary and "back by" in summary
        # the chat stays open for notes to the engineer, which the assistant does not answer
        assert not page.locator(".pta-form textarea").is_disabled()
        assert page.locator(".pta-banner").is_visible()
        banner = page.locator(".pta-banner").text_content() or ""
        assert "call you back" in banner or "Waiting for an engineer" in banner
        bots = page.locator(".pta-bot").count()
        page.fill(".pta-form textarea", "the projector also smells odd")
        page.keyboard.press("Enter")
        page.locator(".pta-user", has_text="smells odd").wait_for()
        page.wait_for_timeout(800)
        assert page.locator(".pta-bot").count() == bots
        assert page.locator(".pta-new").is_visible()  # another problem: a new chat
        page.screenshot(path=str(ARTIFACTS / "widget-handoff.png"), full_page=True)

        page.reload()  # a chat waiting for its engineer comes back, notes and all
        page.locator(".pta-user", has_text="smells odd").wait_for()
        assert page.locator(".pta-handoff").count() == 1
        page.click(".pta-new")
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

        for answer in ("talk to a person", "Sam Rivera", "617 555 0100", "yes", "yes"):
            say(page, answer)
        page.wait_for_selector(".pta-handoff")
        page.click(".pta-new")
        page.wait_for_selector(".pta-start:not([hidden])")
        assert page.locator(".pta-msg").count() == 0
        page.screenshot(path=str(ARTIFACTS / "widget-new-chat.png"), full_page=True)
        browser.close()
    assert dialogs == []  # nothing from the server ever ran as script


def test_a_live_chat_between_the_widget_and_the_engineer_workspace(server: str) -> None:
    """Two browsers: a site user on a phone, an engineer at a desk. Live transfer, sign in, claim,
    messages both ways and a citation without a reload, hand back to the assistant, a new chat."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        user = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

        def shoot(step: str) -> None:
            user.screenshot(path=str(ARTIFACTS / f"live-{step}-user.png"), full_page=True)
            desk.screenshot(path=str(ARTIFACTS / f"live-{step}-engineer.png"), full_page=True)

        user.goto(server + "/")
        user.click(".pta-launcher")
        user.fill(".pta-start input", "DEMOPLUS-5678")  # Premier Plus: 24x7, a live transfer
        user.keyboard.press("Enter")
        user.wait_for_selector(".pta-form:not([hidden])")
        for text in (
            "the codec won't turn on",
            "talk to a person",
            "its me, Priya",
            "my mobile is +1 (617) 555-0142",
            "yes",
            "yes please",
        ):
            say(user, text)
        user.get_by_text("Waiting for an engineer", exact=False).wait_for()
        reference = user.locator(".pta-handoff").last.text_content() or ""
        assert "HO-" in reference and "takes over" not in reference

        desk.goto(server + "/workspace")
        desk.fill("#ws-login input[name=email]", "dana@protelecom.example")
        desk.fill("#ws-login input[name=password]", "dana-dev-password")
        desk.click("#ws-login button[type=submit]")
        item = desk.locator(".ws-item", has_text="ProTelecom Demo")
        item.first.wait_for()
        assert desk.locator("#ws-login").is_hidden()
        shoot("1-waiting")
        item.first.click()
        desk.locator(".ws-line.ws-user", has_text="yes please").wait_for()
        desk.click("#ws-claim")
        user.get_by_text("joined", exact=False).wait_for()
        user.locator(".pta-banner", has_text="is in this chat").wait_for()
        assert user.locator(".pta-person").is_hidden()  # already with a person
        shoot("2-claimed")

        desk.fill("#ws-text", "Hi Priya, Dana here. Is the LED on the front of the codec lit?")
        desk.click("#ws-compose button[type=submit]")
        user.locator(".pta-engineer", has_text="Is the LED").wait_for()  # no reload
        bots = user.locator(".pta-bot").count()
        user.fill(".pta-form textarea", "no, it's completely dark")
        user.keyboard.press("Enter")
        desk.locator(".ws-line.ws-user", has_text="completely dark").wait_for()
        assert user.locator(".pta-bot").count() == bots  # the engineer answers, not the bot
        shoot("3-messages")

        desk.fill("#ws-q", "codec does not power on")
        desk.click("#ws-search button[type=submit]")
        desk.locator(".ws-send-cite").first.click()
        cited = user.locator(".pta-engineer .pta-cite")
        cited.first.wait_for()
        shoot("4-citation")

        desk.select_option("#ws-step", index=1)  # a flow step, not "the open question"
        desk.click("#ws-hand-back")
        user.locator(".pta-banner", has_text="is in this chat").wait_for(state="hidden")
        user.wait_for_function(
            "n => document.querySelectorAll('.pta-bot').length > n", arg=bots, timeout=30_000
        )
        say(user, "it won't switch on at all")  # the assistant resumed: it answers again
        assert "didn't catch" not in (user.locator(".pta-bot").last.text_content() or "")
        shoot("5-handed-back")

        user.click(".pta-restart")  # another problem, mid-flow
        user.wait_for_selector(".pta-start:not([hidden])")
        assert user.locator(".pta-msg").count() == 0
        shoot("6-new-chat")
        browser.close()


def test_an_engineer_resolves_with_an_article_and_the_next_site_is_offered_the_fix(
    server: str,
) -> None:
    """The solve loop in two browsers: a case handed off, resolved in the workspace with the fix
    in KCS shape (the dialog prefilled from the record), published from the review list; the
    next site with the same model and symptom is offered the fix in the widget, text as text."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        phone = {"viewport": {"width": 390, "height": 844}}
        site_a, site_b = (browser.new_context(**phone).new_page() for _ in range(2))
        desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        for page in (site_a, site_b, desk):
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        def chat(user: Any, code: str, *texts: str) -> None:
            user.goto(server + "/")
            user.click(".pta-launcher")
            user.fill(".pta-start input", code)
            user.keyboard.press("Enter")
            user.wait_for_selector(".pta-form:not([hidden])")
            for text in texts:
                say(user, text)

        screen = ("the second screen shows no signal", "no", "no", "no")
        chat(site_a, "DEMOPLUS-5678", *screen, "Amelia Clarke", "+44 20 7946 0500", "yes", "yes")
        site_a.get_by_text("Waiting for an engineer", exact=False).wait_for()

        desk.goto(server + "/workspace")
        desk.fill("#ws-login input[name=email]", "dana@protelecom.example")
        desk.fill("#ws-login input[name=password]", "dana-dev-password")
        desk.click("#ws-login button[type=submit]")
        desk.locator(".ws-item", has_text="Studio London").first.click()
        desk.locator(".ws-line.ws-user", has_text="yes").first.wait_for()
        desk.click("#ws-claim")
        desk.wait_for_function("() => !document.getElementById('ws-resolve').disabled")
        desk.click("#ws-resolve")
        form = desk.locator("#ws-resolve-form")
        assert form.locator("input[name=product]").input_value() == "cx-codec"
        assert form.locator("input[name=model]").input_value() == "CX-900"
        assert form.locator("textarea[name=symptom]").input_value() == screen[0]
        form.locator("textarea[name=note]").fill("HDMI-CEC on the display switched inputs.")
        form.locator("input[name=firmware_to]").fill("9.4.1")
        form.locator("textarea[name=cause]").fill("HDMI-CEC switched the display's input.")
        form.locator("textarea[name=fix]").fill(f"Turn HDMI-CEC off in the display's menu {XSS}.")
        desk.click("#ws-resolve-submit")
        desk.locator("#ws-case-status", has_text="resolved").wait_for()
        desk.click("#ws-articles-open")
        draft = desk.locator(".ws-article", has_text="KCS-")
        draft.first.wait_for()
        assert XSS in (draft.first.text_content() or "")  # shown as text, never as markup
        desk.screenshot(path=str(ARTIFACTS / "kcs-1-draft.png"), full_page=True)
        draft.first.get_by_role("button", name="Publish").click()
        desk.locator(".ws-empty", has_text="No articles here").wait_for()
        desk.select_option("#ws-articles-status", "published")
        desk.locator(".ws-article", has_text="published").first.wait_for()

        chat(site_b, "RHEIN-MUC-3056", *screen)
        offer = site_b.locator(".pta-bot", has_text="Engineers fixed this on another CX-900")
        offer.last.wait_for()
        assert XSS in (offer.last.text_content() or "")
        site_b.screenshot(path=str(ARTIFACTS / "kcs-2-offered.png"), full_page=True)
        say(site_b, "yes that worked")
        site_b.get_by_text("glad that fixed it", exact=False).wait_for()
        browser.close()
    assert dialogs == []  # no script ran from the article's text
