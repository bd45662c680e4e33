"""Hostile bodies on every POST route: a clear 4xx naming the problem, never a 5xx, nothing stored.

Each bad body is sent to each POST route with working credentials, so only the body can be at
fault. After each refusal the session's transcript, the handoff queue and the row count of every
table are exactly as before. Control characters inside an otherwise good message are removed
(line breaks and tabs kept): the transcript never holds a raw NUL, ESC or bidi override.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, func, select

from bot.api.app import MAX_BODY_BYTES
from bot.store.store import Store
from tests.api.conftest import ENGINEER, start

JSON = {"Content-Type": "application/json"}


@dataclass
class World:
    client: TestClient
    store: Store
    session_id: str
    auth: dict[str, str]
    handoff_id: str

    def routes(self) -> list[tuple[str, dict[str, str], bytes]]:
        """Every POST route with a body: the headers that get it past authentication and the name
        of a text field of its body."""
        turn = f"/api/v1/sessions/{self.session_id}/messages"
        move = f"/api/v1/handoffs/{self.handoff_id}"
        return [
            ("/api/v1/sessions", {}, b"access_code"),
            (turn, self.auth, b"text"),
            (f"{turn}/stream", self.auth, b"text"),
            *((f"{move}/{m}", ENGINEER, b"note") for m in ("claim", "resolve", "hand_back")),
        ]

    def snapshot(self) -> dict[str, Any]:
        """What a refused request must leave alone: transcript, queue, and every table's size."""
        session = self.client.get(f"/api/v1/sessions/{self.session_id}", headers=self.auth)
        queue = self.client.get("/api/v1/handoffs", headers=ENGINEER)
        assert session.status_code == 200 and queue.status_code == 200
        tables = MetaData()
        tables.reflect(self.store.engine)
        with self.store.engine.connect() as db:
            rows = {
                name: db.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in tables.tables.items()
            }
        return {"session": session.json(), "queue": queue.json(), "rows": rows}


@pytest.fixture
def world(client: TestClient) -> Iterator[World]:
    sid, auth = start(client, "DEMOPLUS-5678")
    url = f"/api/v1/sessions/{sid}/messages"
    for body in ({"choice": "person"}, {"text": "Dana"}, {"text": "0161 555 0100"}):
        client.post(url, json=body, headers=auth)
    client.post(url, json={"choice": "yes"}, headers=auth)
    last = client.post(url, json={"choice": "yes"}, headers=auth).json()
    session_id, session_auth = start(client)
    turn = f"/api/v1/sessions/{session_id}/messages"
    assert client.post(turn, json={"text": "hello"}, headers=session_auth).status_code == 200
    store = client.app.state.service.runtime.store  # type: ignore[attr-defined]
    yield World(client, store, session_id, session_auth, last["state"]["handoff_id"])


MEGABYTE = b'{"F": "' + b"x" * 1_000_000 + b'"}'
# (id, body with F for the route's text field, extra headers, status, error code, words the
# message must hold)
HOSTILE: list[tuple[str, bytes, dict[str, str], int, str, str]] = [
    ("invalid-utf8", b'{"F": "caf\xe9 \xff\xfe"}', JSON, 400, "bad_request", "not valid UTF-8"),
    ("lone-surrogate", b'{"F": "\\ud800"}', JSON, 422, "invalid_request", "unicode string"),
    ("one-megabyte", MEGABYTE, JSON, 413, "too_large", f"limited to {MAX_BODY_BYTES} bytes"),
    ("nested-100000", b"[" * 100_000, JSON, 413, "too_large", "limited to"),
    ("nested-60000", b"[" * 60_000, JSON, 400, "bad_request", "nested too deeply"),
    ("nested-object", b'{"F": ' * 3_000 + b'"x"' + b"}" * 3_000, JSON, 400, "bad_request", "nested"),
    ("text-plain", b'{"F": "hi"}', {"Content-Type": "text/plain"}, 415, "unsupported_media_type", "application/json"),
    ("form", b"text=hi", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", "application/json"),
    ("no-content-type", b'{"F": "hi"}', {}, 415, "unsupported_media_type", "no Content-Type"),
    ("array", b'["F"]', JSON, 422, "invalid_request", "body: Input should be a valid dictionary"),
    ("string", b'"F"', JSON, 422, "invalid_request", "body: Input should be a valid dictionary"),
    ("number", b"42", JSON, 422, "invalid_request", "body: Input should be a valid dictionary"),
    ("null", b"null", JSON, 422, "invalid_request", "body: Input should be a valid dictionary"),
    ("truncated", b'{"F": "hi', JSON, 422, "invalid_request", "JSON decode error"),
    ("unknown-field", b'{"F": "hi", "admin": true}', JSON, 422, "invalid_request", "admin"),
]  # fmt: skip


ROUTES = ["sessions", "messages", "messages/stream", "claim", "resolve", "hand_back"]


@pytest.mark.parametrize("route", range(len(ROUTES)), ids=ROUTES)
def test_hostile_bodies_are_refused_clearly_and_store_nothing(world: World, route: int) -> None:
    url, auth, field = world.routes()[route]
    before = world.snapshot()
    problems = []
    for case, body, headers, status, code, words in HOSTILE:
        sent = body.replace(b'"F"', b'"' + field + b'"')
        r = world.client.post(url, content=sent, headers={**auth, **headers})
        error = r.json().get("error", {})
        if (r.status_code, error.get("code")) != (status, code) or words not in error.get(
            "message", ""
        ):
            problems.append((case, r.status_code, r.text[:200]))
        elif world.snapshot() != before:
            problems.append((case, "changed what is stored"))
    assert problems == []


def _chunks(data: bytes, size: int = 16_384) -> Iterator[bytes]:
    for start_at in range(0, len(data), size):
        yield data[start_at : start_at + size]


def test_a_streamed_megabyte_without_content_length_is_refused(world: World) -> None:
    before = world.snapshot()
    for url, auth, field in world.routes():
        body = MEGABYTE.replace(b'"F"', b'"' + field + b'"')
        r = world.client.post(url, content=_chunks(body), headers={**auth, **JSON})
        assert "content-length" not in r.request.headers
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_large", url
        assert world.snapshot() == before, url


@pytest.mark.parametrize(
    ("url_key", "body", "field"),
    [
        ("session", {"access_code": "DEMO-1234\x00"}, "access_code"),
        ("session", {"access_code": "\x1b[2JDEMO-1234"}, "access_code"),
        ("session", {"access_code": "DEMO\u202e4321"}, "access_code"),
        ("turn", {"choice": "yes\x00"}, "choice"),
        ("turn", {"choice": "\x1b[31mperson"}, "choice"),
        ("turn", {"choice": "per\u202eson"}, "choice"),
        ("hand_back", {"step": "check\x00power"}, "step"),
    ],
)
def test_control_characters_in_ids_and_codes_are_refused(
    world: World, url_key: str, body: dict[str, str], field: str
) -> None:
    urls = {
        "session": ("/api/v1/sessions", {}),
        "turn": (f"/api/v1/sessions/{world.session_id}/messages", world.auth),
        "hand_back": (f"/api/v1/handoffs/{world.handoff_id}/hand_back", ENGINEER),
    }
    url, auth = urls[url_key]
    before = world.snapshot()
    r = world.client.post(url, json=body, headers=auth)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["message"].startswith(f"body.{field}:")
    assert world.snapshot() == before


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(data, list | tuple):
        for item in data:
            yield from _strings(item)


def _raw_controls(data: Any) -> set[str]:
    """Control and format characters (NUL, ESC, C1, bidi overrides, zero-width) in any string."""
    return {
        ch
        for text in _strings(data)
        for ch in text
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs")
    }


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_control_characters_inside_a_message_are_removed(world: World, stream: bool) -> None:
    url = f"/api/v1/sessions/{world.session_id}/messages" + ("/stream" if stream else "")
    said = "the\x00 scr\x1b[2Jeen\u202e is\u00a0dark\r\nsince\tmonday\u200b\x85"
    r = world.client.post(url, json={"text": said}, headers=world.auth)
    assert r.status_code == 200, r.text
    transcript = world.snapshot()["session"]["transcript"]
    user = [e for e in transcript if e["kind"] == "user"][-1]
    assert user["text"] == "the scr[2Jeen is dark\nsince\tmonday"
    assert _raw_controls(transcript) == set()


def test_an_engineers_note_is_cleaned_before_the_chat_shows_it(world: World) -> None:
    r = world.client.post(
        f"/api/v1/handoffs/{world.handoff_id}/hand_back",
        json={"note": "\x1b[31mPlease\x00 retry\u202e now.\r\n"},
        headers=ENGINEER,
    )
    assert r.status_code == 200, r.text
    session_id = r.json()["session_id"]
    stored = world.store.events(session_id)
    assert stored[-1].payload["text"] == "[31mPlease retry now."
    assert _raw_controls([e.payload for e in stored]) == set()
