"""Secrets never reach a log line, the terminal, a stored file or a repr.

A whole conversation runs through the API (wrong codes, the right code, a knowledge question
answered through the LLM path, an escalation, an engineer claim and a webhook delivery) with every
logger at DEBUG; then every captured record, stdout/stderr, the database and the data folder are
searched for each secret.
"""

from __future__ import annotations

import base64
import logging
import secrets
import sqlite3
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.dialogue.router import Route
from bot.service.notify import WebhookSink, deliver_due
from tests.api.conftest import REPO

ENGINEER_KEY = "eng-" + secrets.token_hex(12)
LLM_KEY = "sk-llm-" + secrets.token_hex(12)
WEBHOOK_SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
WRONG_CODES = ("DEMO-1235", "PLUS-" + secrets.token_hex(4))
CODE = "DEMO-1234"


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:  # overrides the conftest fixture: our secrets
    return Settings(
        paths={  # type: ignore[arg-type]
            "data_dir": tmp_path / "var",
            "accounts_dir": REPO / "knowledge/accounts",
            "flows_dir": REPO / "knowledge/flows",
        },
        server={"engineer_api_keys": [ENGINEER_KEY]},  # type: ignore[arg-type]
        llm={"api_key": LLM_KEY, "model": "some-model"},  # type: ignore[arg-type]
        log_level="DEBUG",
    )


class ProviderError(Exception):
    """Like an HTTP client's error for a provider that takes its key in the URL."""


class LeakyModel:
    """A chat model whose provider fails with the request URL (and so the key) in the message."""

    def invoke(self, messages: Any) -> Any:
        raise ProviderError(f"400 Bad Request for url 'https://llm.example/v1/chat?key={LLM_KEY}'")


def _conversation(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    runtime = client.app.state.service.runtime  # type: ignore[attr-defined]
    runtime.kb.chat_model = LeakyModel()
    real_route = runtime.router.route

    def route(text: str) -> Route:
        return Route("question", None) if text.startswith("which firmware") else real_route(text)

    monkeypatch.setattr(runtime.router, "route", route)
    webhook = WebhookSink("https://hooks.example/handoffs", WEBHOOK_SECRET)
    runtime.sinks["webhook"] = webhook
    runtime.assistant.conversation.sinks = (*runtime.assistant.conversation.sinks, "webhook")

    for wrong in WRONG_CODES:
        assert client.post("/api/v1/sessions", json={"access_code": wrong}).status_code == 401
    started = client.post("/api/v1/sessions", json={"access_code": CODE}).json()
    sid, token = started["session_id"], started["token"]
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/sessions/{sid}/messages"
    answer = client.post(url, json={"text": "which firmware fixed CX-4821?"}, headers=auth)
    assert answer.json()["messages"][0]["citations"]  # the extractive fallback answered
    for body in (
        {"choice": "person"},
        {"text": "Dana"},
        {"text": "+1 617 555 0100"},
        {"choice": "yes"},
        {"choice": "yes"},
    ):
        last = client.post(url, json=body, headers=auth)
    handoff_id = last.json()["state"]["handoff_id"]
    assert client.get(f"/api/v1/sessions/{sid}", headers=auth).status_code == 200
    assert client.get(f"/api/v1/sessions/{sid}/transcript.md", headers=auth).status_code == 200
    key = {"X-API-Key": ENGINEER_KEY}
    assert (
        client.get("/api/v1/handoffs", headers={"X-API-Key": ENGINEER_KEY[:-1]}).status_code == 401
    )
    assert client.get("/api/v1/search", params={"q": "CX-4821"}, headers=key).status_code == 200
    claim = client.post(f"/api/v1/handoffs/{handoff_id}/claim", json={}, headers=key)
    assert claim.status_code == 200 and ENGINEER_KEY not in claim.text

    sent: list[urllib.request.Request] = []

    def refused(request: urllib.request.Request, timeout: float) -> Any:
        sent.append(request)
        raise urllib.error.URLError("connection refused")

    monkeypatch.setattr(urllib.request, "urlopen", refused)
    now = datetime.now(UTC)
    assert deliver_due(runtime.store.outbox, runtime.sinks, now)[1] == 1  # the webhook failed once
    assert sent and WEBHOOK_SECRET not in str(sent[0].header_items())
    assert WEBHOOK_SECRET.encode() not in (sent[0].data or b"")
    return [token]


def _stored(settings: Settings) -> str:
    """Everything the service wrote: the database and every file under the data folder."""
    database = settings.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        parts = list(db.iterdump())
    for path in sorted(Path(settings.paths.data_dir).rglob("*")):
        if path.is_file() and not path.name.startswith("assist.db"):
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_a_whole_conversation_logs_and_stores_no_secret(
    kb_client: TestClient,
    api_settings: Settings,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger, and every named logger (SQLAlchemy's too)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    tokens = _conversation(kb_client, monkeypatch)
    assert any(r.name == "bot.kb.llm" for r in caplog.records)  # the provider failure was logged
    logged = "\n".join(
        [caplog.text]
        + [r.getMessage() for r in caplog.records]
        + [repr(vars(r)) for r in caplog.records]
    )
    out, err = capfd.readouterr()
    secret_values = [CODE, CODE.lower(), *WRONG_CODES, *tokens, ENGINEER_KEY, LLM_KEY]
    secret_values.append(WEBHOOK_SECRET)
    for where, text in (("logs", logged), ("stdout", out), ("stderr", err)):
        assert [s for s in secret_values if s in text] == [], where
    stored = _stored(api_settings)
    assert [s for s in secret_values if s in stored] == [], "stored"


def test_settings_and_sinks_do_not_show_their_secrets(
    kb_client: TestClient, api_settings: Settings
) -> None:
    runtime = kb_client.app.state.service.runtime  # type: ignore[attr-defined]
    sink = WebhookSink("https://hooks.example/handoffs", WEBHOOK_SECRET)
    shown = [
        repr(api_settings),
        str(api_settings),
        api_settings.model_dump_json(),
        str(api_settings.model_dump()),
        repr(api_settings.llm),
        repr(api_settings.server),
        repr(runtime.accounts),
        repr(runtime.assistant.accounts.site("demo-boston")),
        repr(sink),
        str(vars(runtime.assistant)),
    ]
    for text in shown:
        assert ENGINEER_KEY not in text and LLM_KEY not in text
        assert WEBHOOK_SECRET not in text and CODE not in text
    assert api_settings.llm.api_key is not None
    assert api_settings.llm.api_key.get_secret_value() == LLM_KEY  # still usable where needed


def test_a_failed_delivery_is_retried_later_and_signed_without_the_secret(
    kb_client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _conversation(kb_client, monkeypatch)
    runtime = kb_client.app.state.service.runtime  # type: ignore[attr-defined]
    delivered: list[urllib.request.Request] = []

    class Accepted:
        status = 202

        def __enter__(self) -> Accepted:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    def accept(request: urllib.request.Request, timeout: float) -> Accepted:
        delivered.append(request)
        return Accepted()

    monkeypatch.setattr(urllib.request, "urlopen", accept)
    later = datetime.now(UTC) + timedelta(hours=2)
    assert deliver_due(runtime.store.outbox, runtime.sinks, later) == (1, 0)
    signature = dict(delivered[0].header_items())["Webhook-signature"]
    assert signature.startswith("v1,") and WEBHOOK_SECRET not in signature
    assert WEBHOOK_SECRET not in caplog.text
