"""The engineers' workspace over HTTP: who may do what, sessions that end, and a live chat between a
site user (bearer token) and a signed-in engineer (cookie), both seen only through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.api.state import ServiceState
from bot.config import Settings
from bot.kb.embedder import FakeEmbedder
from bot.service.runtime import build_runtime
from tests.api.conftest import start
from tests.api.test_security_isolation import app_routes

DANA = {"email": "dana@protelecom.example", "password": "dana-dev-password"}
ALEX = {"email": "alex@protelecom.example", "password": "alex-dev-password"}
LIVE = (
    {"text": "the codec won't turn on"},
    {"choice": "person"},
    {"text": "its me, Priya"},
    {"text": "my mobile is +1 (617) 555-0142"},
    {"text": "yes"},
    {"text": "yes please"},
)


def _client(settings: Settings) -> TestClient:
    state = ServiceState(settings)
    state.runtime = build_runtime(settings, embedder=FakeEmbedder())
    return TestClient(create_app(settings, state=state, start_background=False))


def sign_in(client: TestClient, who: dict[str, str]) -> dict[str, str]:
    r = client.post("/api/v1/engineer/login", json=who)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def live_chat(client: TestClient) -> tuple[str, dict[str, str], str]:
    """A Premier Plus user (24x7) typing free text until the live transfer."""
    sid, auth = start(client, "DEMOPLUS-5678")
    for body in LIVE:
        last = client.post(f"/api/v1/sessions/{sid}/messages", json=body, headers=auth).json()
    state = last["state"]
    assert state["route"] == "live_transfer" and state["open"], last
    return sid, auth, state["handoff_id"]


def updates(client: TestClient, sid: str, auth: dict[str, str], after: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/sessions/{sid}/updates", params={"after": after}, headers=auth)
    assert r.status_code == 200, r.text
    return r.json()


def last_seq(client: TestClient, sid: str, auth: dict[str, str]) -> int:
    return max(e["seq"] for e in updates(client, sid, auth, 0)["events"])


def test_every_engineer_route_refuses_a_caller_who_is_not_signed_in(client: TestClient) -> None:
    _, customer = start(client)
    engineer_routes = sorted(
        (method, path)
        for method, path in app_routes(client.app)  # type: ignore[arg-type]
        if path.startswith(
            ("/api/v1/engineer", "/api/v1/handoffs", "/api/v1/returns", "/api/v1/accounts")
        )
        and path not in {"/api/v1/engineer/login", "/api/v1/engineer/logout"}  # open doors
    )
    assert len(engineer_routes) >= 14
    for method, path in engineer_routes:
        url = path.format(handoff_id="HO-X", entry_id=1, move="claim")
        for headers in ({}, customer, {"Authorization": "Bearer not-a-session"}):
            r = client.request(method, url, headers=headers, json={})
            assert r.status_code == 401, (method, path, headers, r.text)


def test_sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_it(client: TestClient) -> None:
    wrong = client.post("/api/v1/engineer/login", json={**DANA, "password": "nope-nope-nope"})
    unknown = client.post(
        "/api/v1/engineer/login", json={"email": "eve@example.com", "password": "x" * 12}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()  # no hint whether the e-mail exists
    r = client.post("/api/v1/engineer/login", json=DANA)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/api/v1/engineer/me").json()["name"] == "Dana Whitfield"  # the cookie
    assert client.post("/api/v1/engineer/logout").status_code == 204
    assert client.get("/api/v1/engineer/me").status_code == 401
    # the bearer token of the ended session is dead too
    bearer = {"Authorization": f"Bearer {r.json()['token']}"}
    assert client.get("/api/v1/engineer/me", headers=bearer).status_code == 401


def test_an_engineer_session_expires_when_idle_and_at_its_absolute_limit(
    client: TestClient,
) -> None:
    auth = client.app.state.service.runtime.auth  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    bearer = sign_in(client, DANA)
    auth.clock = lambda: now + timedelta(minutes=30)
    assert client.get("/api/v1/engineer/me", headers=bearer).status_code == 200
    auth.clock = lambda: now + auth.idle + timedelta(minutes=31)  # idle since the last request
    r = client.get("/api/v1/engineer/me", headers=bearer)
    assert r.status_code == 401 and "expired" in r.text
    auth.clock = lambda: now
    bearer = sign_in(client, DANA)
    for minutes in range(50, int(auth.absolute.total_seconds() // 60), 50):  # never idle
        auth.clock = lambda m=minutes: now + timedelta(minutes=m)
        assert client.get("/api/v1/engineer/me", headers=bearer).status_code == 200
    auth.clock = lambda: now + auth.absolute
    assert client.get("/api/v1/engineer/me", headers=bearer).status_code == 401


def test_a_live_chat_between_the_site_user_and_the_engineer(client: TestClient) -> None:
    sid, user, handoff_id = live_chat(client)
    waiting = updates(client, sid, user, 0)
    assert "next in the queue" in waiting["events"][-1]["text"]
    # typing while waiting loses nothing and gets no bot reply
    before = last_seq(client, sid, user)
    note = {"text": "the room is booked again at 3pm"}
    r = client.post(f"/api/v1/sessions/{sid}/messages", json=note, headers=user)
    assert r.status_code == 200 and r.json()["messages"] == []
    # ...except what is dangerous: safety first, even while waiting
    fire = {"text": "it smells of burning"}
    r = client.post(f"/api/v1/sessions/{sid}/messages", json=fire, headers=user)
    assert r.json()["messages"][0]["type"] == "safety"

    dana = sign_in(client, DANA)
    queue = client.get("/api/v1/engineer/queue", headers=dana).json()
    assert [(q["id"], q["group"]) for q in queue] == [(handoff_id, "live")]
    case = client.get(f"/api/v1/engineer/cases/{handoff_id}", headers=dana).json()
    said = [line["text"] for line in case["transcript"] if line["who"] == "user"]
    assert {"the room is booked again at 3pm", "it smells of burning"} <= set(said)
    assert case["record"]["site_representative"]["name"] == "Priya"

    assert (
        client.post(f"/api/v1/handoffs/{handoff_id}/claim", json={}, headers=dana).status_code
        == 200
    )
    news = updates(client, sid, user, before)
    assert news["state"]["phase"] == "with_engineer"
    assert news["state"]["engineer"] == "Dana (ProTelecom engineer)"
    assert any("Dana" in e["text"] and "joined" in e["text"] for e in news["events"])

    seen = last_seq(client, sid, user)
    r = client.post(
        f"/api/v1/engineer/cases/{handoff_id}/messages",
        json={"text": "Hi Priya, please unplug the codec for 10 seconds."},
        headers=dana,
    )
    assert r.status_code == 201, r.text
    news = updates(client, sid, user, seen)
    assert [(e["kind"], e["text"]) for e in news["events"]] == [
        ("engineer", "Hi Priya, please unplug the codec for 10 seconds.")
    ]
    r = client.post(
        f"/api/v1/sessions/{sid}/messages", json={"text": "done, the LED is red now"}, headers=user
    )
    assert r.json()["messages"] == []  # the engineer answers, not the bot
    case = client.get(f"/api/v1/engineer/cases/{handoff_id}", headers=dana).json()
    assert case["transcript"][-1]["text"] == "done, the LED is red now"

    citation = {
        "title": "CX-900 power supply",
        "source": "cx/power.md",
        "quote": "Red LED: PSU fault.",
    }
    seen = last_seq(client, sid, user)
    client.post(
        f"/api/v1/engineer/cases/{handoff_id}/messages",
        json={"citations": [citation]},
        headers=dana,
    )
    sent = updates(client, sid, user, seen)["events"][0]
    assert sent["citations"][0]["source"] == "cx/power.md"

    r = client.post(
        f"/api/v1/handoffs/{handoff_id}/resolve",
        json={"note": "PSU replaced; red LED means PSU fault"},
        headers=dana,
    )
    assert r.status_code == 200 and r.json()["resolved_by"] == "dana"
    news = updates(client, sid, user, seen)
    texts = [e["text"] for e in news["events"]]
    assert any("PSU replaced" in t for t in texts)
    assert news["events"][-1]["choices"]  # the one satisfaction question
    r = client.post(
        f"/api/v1/sessions/{sid}/messages", json={"text": "yes, all good now"}, headers=user
    )
    assert r.status_code == 200 and "Thank you" in r.json()["messages"][0]["text"]
    assert r.json()["state"]["open"] is False
    r = client.post(
        f"/api/v1/sessions/{sid}/messages", json={"text": "one more thing"}, headers=user
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "conversation_ended"


def test_only_the_claiming_engineer_or_an_admin_writes_and_only_an_admin_retries_a_delivery(
    client: TestClient,
) -> None:
    _, _, handoff_id = live_chat(client)
    runtime = client.app.state.service.runtime  # type: ignore[attr-defined]
    runtime.auth.add("Kim Osei", "kim@protelecom.example", "engineer", "kim-dev-password")
    dana = sign_in(client, DANA)
    kim = sign_in(client, {"email": "kim@protelecom.example", "password": "kim-dev-password"})
    alex = sign_in(client, ALEX)
    client.post(f"/api/v1/handoffs/{handoff_id}/claim", json={}, headers=dana)
    msg = {"text": "Kim here"}
    r = client.post(f"/api/v1/engineer/cases/{handoff_id}/messages", json=msg, headers=kim)
    assert r.status_code == 409, r.text
    r = client.post(f"/api/v1/handoffs/{handoff_id}/resolve", json={"note": "x"}, headers=kim)
    assert r.status_code == 409 and "claimed by Dana" in r.text
    r = client.post(f"/api/v1/handoffs/{handoff_id}/hand_over", json={"to": "kim"}, headers=alex)
    assert r.status_code == 200 and r.json()["claimed_by"] == "kim"
    r = client.post(f"/api/v1/engineer/cases/{handoff_id}/messages", json=msg, headers=kim)
    assert r.status_code == 201, r.text

    assert client.get("/api/v1/engineer/outbox", headers=kim).status_code == 200  # may look
    assert client.post("/api/v1/engineer/outbox/1/retry", headers=kim).status_code == 403
    assert client.get("/api/v1/engineer/outbox", headers=alex).status_code == 200
    assert client.post("/api/v1/engineer/outbox/999999/retry", headers=alex).status_code == 404


@pytest.mark.parametrize(
    ("limits", "body"),
    [({"max_session_messages": 3}, "hello"), ({"max_session_chars": 40}, "x" * 15)],
)
def test_a_session_takes_a_bounded_number_of_messages_and_characters(
    api_settings: Settings, limits: dict[str, int], body: str, tmp_path: Path
) -> None:
    server = api_settings.server.model_copy(update=limits)
    settings = api_settings.model_copy(update={"server": server})
    with _client(settings) as client:
        sid, auth = start(client)
        codes = [
            client.post(f"/api/v1/sessions/{sid}/messages", json={"text": body}, headers=auth)
            for _ in range(4)
        ]
    assert [r.status_code for r in codes[:2]] == [200, 200]
    assert codes[-1].status_code == 429
    assert codes[-1].json()["error"]["code"] == "conversation_full"
    assert "new chat" in codes[-1].json()["error"]["message"]


def test_a_site_users_token_expires_when_idle_and_at_its_lifetime(client: TestClient) -> None:
    assistant = client.app.state.service.runtime.assistant  # type: ignore[attr-defined]
    sid, auth = start(client)
    url = f"/api/v1/sessions/{sid}"
    now = datetime.now(UTC)
    assistant.clock = lambda: now + assistant.session_idle - timedelta(minutes=1)
    assert client.get(url, headers=auth).status_code == 200
    assistant.clock = lambda: now + assistant.session_idle + timedelta(minutes=1)
    r = client.get(url, headers=auth)
    assert r.status_code == 401 and r.json()["error"]["code"] == "session_expired"
    assert "start a new chat" in r.json()["error"]["message"]
    assistant.clock = lambda: now + assistant.session_lifetime
    assert client.get(url, headers=auth).status_code == 401
    other = client.get(url, headers={"Authorization": "Bearer wrong"}).json()["error"]
    assert other["code"] == "unauthorized"  # a wrong token learns nothing about expiry


def test_unexpected_errors_are_internal_with_a_reference_and_no_detail(
    api_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    state = ServiceState(api_settings)
    state.runtime = build_runtime(api_settings, embedder=FakeEmbedder())

    def boom(*_: object, **__: object) -> None:
        raise KeyError("/srv/secret/path.db")

    state.runtime.engineers.queue = boom  # type: ignore[method-assign]
    app = create_app(api_settings, state=state, start_background=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/v1/handoffs", headers={"X-API-Key": "test-key"})
        bad = client.get("/api/v1/handoffs?status=bogus", headers={"X-API-Key": "test-key"})
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal"
    reference = r.json()["error"]["message"].rsplit(" ", 1)[-1]
    assert "/srv" not in r.text and reference in caplog.text
    assert bad.status_code == 422 and "status" in bad.json()["error"]["message"]
