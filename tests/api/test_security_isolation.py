"""Site isolation on every route, and the strength and handling of session tokens.

Two sites: DEMO-1234 opens the Premier Boston lab (site A), DEMOPLUS-5678 the Premier Plus London
studio (site B). ``ROUTES`` names who may call each route of the app; a route missing from it fails
``test_every_route_of_the_app_is_in_the_isolation_table``, so a new route needs its isolation test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.api.state import RateLimiter
from bot.config import Settings
from tests.api.conftest import ENGINEER, hand_off, start

SESSION, DOCUMENT, ENGINEER_ONLY, ADMIN_ONLY, SIGN_IN, ACCESS_CODE, PUBLIC = (
    "session token of the owning session",
    "session token (with session_id) or engineer key",
    "engineer key or signed-in engineer",
    "signed-in admin",
    "engineer e-mail and password",
    "site access code",
    "public",
)
ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/sessions"): ACCESS_CODE,
    ("POST", "/api/v1/sessions/{session_id}/messages"): SESSION,
    ("POST", "/api/v1/sessions/{session_id}/messages/stream"): SESSION,
    ("GET", "/api/v1/sessions/{session_id}/events"): SESSION,
    ("GET", "/api/v1/sessions/{session_id}/updates"): SESSION,
    ("POST", "/api/v1/engineer/login"): SIGN_IN,
    ("POST", "/api/v1/engineer/logout"): SIGN_IN,
    ("GET", "/api/v1/engineer/me"): ENGINEER_ONLY,
    ("GET", "/api/v1/engineer/engineers"): ENGINEER_ONLY,
    ("GET", "/api/v1/engineer/queue"): ENGINEER_ONLY,
    ("GET", "/api/v1/engineer/queue/events"): ENGINEER_ONLY,
    ("GET", "/api/v1/engineer/cases/{handoff_id}"): ENGINEER_ONLY,
    ("POST", "/api/v1/engineer/cases/{handoff_id}/messages"): ENGINEER_ONLY,
    ("GET", "/api/v1/engineer/cases/{handoff_id}/events"): ENGINEER_ONLY,
    ("GET", "/api/v1/engineer/outbox"): ENGINEER_ONLY,
    ("POST", "/api/v1/engineer/outbox/{entry_id}/retry"): ADMIN_ONLY,
    ("GET", "/workspace"): PUBLIC,
    ("GET", "/workspace.js"): PUBLIC,
    ("GET", "/workspace.css"): PUBLIC,
    ("GET", "/workspace-articles.js"): PUBLIC,
    ("GET", "/api/v1/sessions/{session_id}"): SESSION,
    ("GET", "/api/v1/sessions/{session_id}/transcript.md"): SESSION,
    ("GET", "/api/v1/documents/{source:path}"): DOCUMENT,
    ("GET", "/api/v1/search"): ENGINEER_ONLY,
    ("GET", "/api/v1/handoffs"): ENGINEER_ONLY,
    ("GET", "/api/v1/handoffs/{handoff_id}"): ENGINEER_ONLY,
    ("POST", "/api/v1/handoffs/{handoff_id}/{move}"): ENGINEER_ONLY,
    ("GET", "/api/v1/returns"): ENGINEER_ONLY,
    ("GET", "/api/v1/accounts"): ENGINEER_ONLY,
    ("POST", "/api/v1/kcs/resolutions/{handoff_id}"): ENGINEER_ONLY,
    ("GET", "/api/v1/kcs/articles"): ENGINEER_ONLY,
    ("GET", "/api/v1/kcs/articles/{article_id}"): ENGINEER_ONLY,
    ("POST", "/api/v1/kcs/articles/{article_id}/edit"): ENGINEER_ONLY,
    ("POST", "/api/v1/kcs/articles/{article_id}/publish"): ENGINEER_ONLY,
    ("POST", "/api/v1/kcs/articles/{article_id}/reject"): ENGINEER_ONLY,
    ("POST", "/api/v1/kcs/articles/{article_id}/audience"): ENGINEER_ONLY,
    ("GET", "/api/v1/kcs/similar/{handoff_id}"): ENGINEER_ONLY,
    ("GET", "/api/v1/kcs/counts"): ENGINEER_ONLY,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # development; production: a token, else off (test_metrics)
    ("GET", "/widget.js"): PUBLIC,
    ("GET", "/widget.css"): PUBLIC,
    ("GET", "/"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
}
# What only site A's session may ever show: its site, its serials, its contract.
SITE_A_ONLY = ("ProTelecom Demo Lab", "CX9-9001", "CX5-9002", "C-9001", "Sam Rivera")
SITE_B_ONLY = ("Demo Studio London", "CX9-9501", "C-9002", "Amelia Clarke")


def of(role: str) -> list[tuple[str, str]]:
    return [route for route, who in ROUTES.items() if who == role]


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route, including those of included routers."""
    try:  # FastAPI >= 0.16x includes routers lazily
        from fastapi.routing import iter_route_contexts

        routes: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:
        routes = list(app.routes)
    found = set()
    for route in routes:
        methods = getattr(route, "methods", None)
        assert methods, f"a route without methods (a mount?) at {getattr(route, 'path', route)}"
        found |= {(m, route.path) for m in methods - {"HEAD"}}
    return found


@dataclass
class Site:
    session_id: str
    auth: dict[str, str]
    handoff_id: str


def escalated(client: TestClient, code: str) -> Site:
    return Site(*hand_off(client, code, opening="the screen is black"))


@pytest.fixture
def sites(client: TestClient) -> tuple[Site, Site]:
    return escalated(client, "DEMO-1234"), escalated(client, "DEMOPLUS-5678")


def call(
    client: TestClient, method: str, path: str, site: Site, headers: dict[str, str]
) -> httpx.Response:
    """Call ``path`` about ``site``'s session and handoff, with ``headers`` as the credentials."""
    values = {
        "session_id": site.session_id,
        "handoff_id": site.handoff_id,
        "move": "claim",
        "entry_id": "1",
        "article_id": "KCS-0001",
    }
    values["source"] = "codec/release-notes/9.4.1.md"
    url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m[1]], path)
    params = {"q": "HDMI"} if path.endswith("/search") else {}
    if "{source" in path:
        params["session_id"] = site.session_id
    body: dict[str, Any] | None = (
        {"text": "hello"} if path.endswith(("/messages", "/stream")) else None
    )
    if "{move}" in path:
        body = {}
    if "/kcs/" in path and method == "POST":
        body = KCS_BODIES[path.rsplit("/", 1)[-1]]
    return client.request(method, url, params=params, json=body, headers=headers)


ARTICLE = {
    "product": "cx-codec", "model": "CX-900", "symptom": "The screen is black",
    "cause": "HDMI-CEC switched the input.", "fix": ["Turn HDMI-CEC off."], "customer_safe": True,
}  # fmt: skip
KCS_BODIES: dict[str, dict[str, Any]] = {
    "{handoff_id}": {"note": "Fixed.", "article": ARTICLE},  # a resolution: the case is open: 409
    "edit": ARTICLE,
    "publish": {},
    "reject": {"why": "A duplicate."},
    "audience": {"customer_safe": False},
}


def test_every_route_of_the_app_is_in_the_isolation_table(api_settings: Settings) -> None:
    routes = app_routes(create_app(api_settings, start_background=False))
    assert sorted(routes - set(ROUTES)) == [], "new routes: add them to ROUTES and test them"
    assert sorted(set(ROUTES) - routes) == [], "ROUTES names routes the app no longer has"


def test_a_sites_token_never_reads_or_acts_on_another_sites_session(
    client: TestClient, sites: tuple[Site, Site]
) -> None:
    a, b = sites
    for method, path in of(SESSION):
        before = client.get(f"/api/v1/sessions/{a.session_id}", headers=a.auth).json()
        for headers in (b.auth, {}, ENGINEER, {**ENGINEER, **b.auth}, {"Authorization": "Bearer "}):
            client.app.state.service.key_failures = RateLimiter(10, 60.0)  # type: ignore[attr-defined]
            r = call(client, method, path, a, headers)  # (wrong keys are rate-limited: fresh count)
            assert r.status_code == 401, (path, headers, r.text)
            assert r.json()["error"]["message"] == "unknown session or token"
        after = client.get(f"/api/v1/sessions/{a.session_id}", headers=a.auth).json()
        assert after == before, path  # nothing was written to site A's session
        for site, foreign in ((a, SITE_B_ONLY), (b, SITE_A_ONLY)):
            own = call(client, method, path, site, site.auth)
            assert own.status_code == 200, (path, own.text)
            assert [word for word in foreign if word in own.text] == [], path
            assert (b if site is a else a).handoff_id not in own.text, path


def test_each_session_shows_its_own_site_handoff_and_nothing_of_the_other(
    client: TestClient, sites: tuple[Site, Site]
) -> None:
    a, b = sites
    for site, own_name in ((a, "ProTelecom Demo Lab"), (b, "Demo Studio London")):
        text = client.get(f"/api/v1/sessions/{site.session_id}/transcript.md", headers=site.auth)
        assert own_name in text.text and site.handoff_id in text.text
    handoffs = {h["id"]: h for h in client.get("/api/v1/handoffs", headers=ENGINEER).json()}
    assert handoffs[a.handoff_id]["site_id"] == "demo-boston"
    assert handoffs[b.handoff_id]["site_id"] == "demo-plus-london"
    record_b = str(handoffs[b.handoff_id]["record"]) + handoffs[b.handoff_id]["markdown"]
    assert [word for word in SITE_A_ONLY if word in record_b] == []


def test_documents_need_the_sessions_own_token_or_an_engineer_key(
    kb_client: TestClient,
) -> None:
    a_sid, a_auth = start(kb_client)
    b_sid, b_auth = start(kb_client, "DEMOPLUS-5678")
    path = "/api/v1/documents/codec/release-notes/9.4.1.md"
    for params, headers in (({"session_id": a_sid}, b_auth), ({"session_id": b_sid}, a_auth)):
        assert kb_client.get(path, params=params, headers=headers).status_code == 401
    assert kb_client.get(path, params={"session_id": a_sid}, headers=a_auth).status_code == 200
    assert kb_client.get(path, headers=ENGINEER).status_code == 200


def test_engineer_routes_need_the_key_never_a_customer_token(
    client: TestClient, sites: tuple[Site, Site]
) -> None:
    a, _ = sites
    token = a.auth["Authorization"].removeprefix("Bearer ")
    learned = hand_off(client, "DEMOPLUS-5678")[2]  # a resolved case whose article is KCS-0001
    client.post(f"/api/v1/handoffs/{learned}/claim", json={}, headers=ENGINEER)
    resolution = {"note": "Fixed.", "article": ARTICLE}
    r = client.post(f"/api/v1/kcs/resolutions/{learned}", json=resolution, headers=ENGINEER)
    assert r.json()["articles"] == ["KCS-0001"], r.text
    for method, path in of(ENGINEER_ONLY):
        for headers in (
            {},
            a.auth,
            {"X-API-Key": token},
            {"X-API-Key": "Bearer " + token},
            {"X-API-Key": ""},
            {"X-API-Key": ENGINEER["X-API-Key"] + "x"},
            {"Authorization": "Bearer " + ENGINEER["X-API-Key"]},
        ):
            client.app.state.service.key_failures = RateLimiter(10, 60.0)  # type: ignore[attr-defined]
            r = call(client, method, path, a, headers)  # (wrong keys are rate-limited: fresh count)
            assert r.status_code == 401, (path, headers, r.text)
            assert r.json()["error"]["code"] == "unauthorized"
        # a right key gets through: answered, or refused only for the case's state (a message
        # into a chat needs the case claimed first)
        assert call(client, method, path, a, ENGINEER).status_code in (200, 409), path


def test_an_access_code_opens_its_own_site_only(client: TestClient) -> None:
    for code, name in (
        ("DEMO-1234", "ProTelecom Demo Lab"),
        ("  demo-1234 ", "ProTelecom Demo Lab"),
        ("DEMOPLUS-5678", "Demo Studio London"),
    ):
        r = client.post("/api/v1/sessions", json={"access_code": code})
        assert r.status_code == 201 and name in r.json()["messages"][0]["text"]
    for near_miss in ("DEMO-12345", "DEMO-123", "DEMO1234", "DEMOPLUS-1234"):
        assert client.post("/api/v1/sessions", json={"access_code": near_miss}).status_code == 401


def test_public_routes_show_no_session_data(client: TestClient, sites: tuple[Site, Site]) -> None:
    for method, path in of(PUBLIC):
        r = client.request(method, path)
        assert r.status_code == 200, path
        for site in sites:
            secret = site.auth["Authorization"].removeprefix("Bearer ")
            assert site.session_id not in r.text and site.handoff_id not in r.text, path
            assert secret not in r.text, path


def test_tokens_carry_at_least_128_bits_and_only_their_hash_is_stored(
    client: TestClient, api_settings: Settings
) -> None:
    tokens = []
    for _ in range(20):
        _, auth = start(client)
        tokens.append(auth["Authorization"].removeprefix("Bearer "))
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token)
        assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) >= 16
    database = api_settings.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        dump = "\n".join(db.iterdump())
    for token in tokens:
        assert token not in dump
        assert hashlib.sha256(token.encode()).hexdigest() in dump


def test_tokens_and_keys_are_compared_in_constant_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid, auth = start(client)
    token = auth["Authorization"].removeprefix("Bearer ")
    seen: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def counting(a: Any, b: Any) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", counting)
    assert client.get(f"/api/v1/sessions/{sid}", headers=auth).status_code == 200
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert any(digest in pair for pair in seen), seen
    wrong = {"Authorization": "Bearer " + token[:-1] + ("A" if token[-1] != "A" else "B")}
    seen.clear()
    assert client.get(f"/api/v1/sessions/{sid}", headers=wrong).status_code == 401
    assert len(seen) == 1  # the wrong token, too, was refused by the constant-time compare
    seen.clear()
    assert client.get("/api/v1/handoffs", headers=ENGINEER).status_code == 200
    assert (ENGINEER["X-API-Key"].encode(), ENGINEER["X-API-Key"].encode()) in seen


def test_wrong_codes_are_limited_per_address_not_for_everyone(client: TestClient) -> None:
    for n in range(10):
        client.post("/api/v1/sessions", json={"access_code": f"BAD-{n}"})
    assert client.post("/api/v1/sessions", json={"access_code": "DEMO-1234"}).status_code == 429
    app = client.app
    with TestClient(app, client=("198.51.100.7", 40000)) as elsewhere:
        assert start(elsewhere)[0]  # another address still starts chats


def test_the_code_limiter_forgets_addresses_whose_window_has_passed() -> None:
    limiter = RateLimiter(limit=3, window_s=60.0, max_keys=4)
    assert not limiter.blocked("right-code-only", now=0.0) and limiter.remembered == 0
    for t in (0.0, 1.0, 2.0):
        limiter.hit("guesser", now=t)
    assert limiter.blocked("guesser", now=3.0)
    assert not limiter.blocked("guesser", now=62.5) and limiter.remembered == 0
    for n in range(4):
        limiter.hit(f"once-{n}", now=10.0)  # addresses that never come back
    limiter.hit("late", now=100.0)  # the fifth address sweeps the expired four
    assert limiter.remembered == 1 and not limiter.blocked("late", now=100.0)
