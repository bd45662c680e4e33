"""Handoff notifications: the JSONL sink, Standard Webhooks signatures a receiver can verify and
use to refuse replays, backoff with jitter, dead letters and retry by hand."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bot.service.notify import DeliveryLoop, JsonlSink, WebhookSink, deliver_due, retry_delay
from bot.store.store import Store
from tests.conftest import queued_handoff

T0 = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.from_url(f"sqlite:///{tmp_path / 'assist.db'}")
    s.create_schema()
    return s


def test_jsonl_sink_delivers_once(store: Store, tmp_path: Path) -> None:
    queued_handoff(store, "h1", T0, ["jsonl"])
    sink = JsonlSink(tmp_path / "out" / "handoffs.jsonl")
    assert deliver_due(store.outbox, {"jsonl": sink}, T0) == (1, 0)
    assert deliver_due(store.outbox, {"jsonl": sink}, T0 + timedelta(hours=1)) == (0, 0)
    lines = sink.path.read_text().splitlines()
    assert [json.loads(x)["idempotency_key"] for x in lines] == ["h1"]


def test_webhook_signature_verifies_and_a_replay_is_refused() -> None:
    now = datetime.now(UTC)
    sink = WebhookSink("http://receiver.example/hook", SECRET, clock=lambda: now)
    body = json.dumps({"id": "HO-1"})
    headers = sink.headers("HO-1", body)
    receiver = Webhook(SECRET)
    assert receiver.verify(body, headers) == {"id": "HO-1"}
    with pytest.raises(WebhookVerificationError):
        receiver.verify(body.replace("HO-1", "HO-2"), headers)  # the body was changed
    stale = WebhookSink(
        "http://receiver.example/hook", SECRET, clock=lambda: now - timedelta(hours=1)
    )
    with pytest.raises(WebhookVerificationError):
        receiver.verify(body, stale.headers("HO-1", body))  # an old capture is refused
    assert SECRET not in repr(sink)


def test_backoff_grows_with_jitter_and_the_last_attempt_makes_a_dead_letter(store: Store) -> None:
    rng = random.Random(7)
    delays = [retry_delay(n, rng).total_seconds() for n in (1, 2, 3, 10, 20)]
    assert 1 <= delays[0] <= 2 and 2 <= delays[1] <= 4 and 4 <= delays[2] <= 8
    assert 512 <= delays[3] <= 1024 and delays[4] <= 3600
    queued_handoff(store, "h1", T0, ["nowhere"])
    now = T0
    for _ in range(3):
        assert deliver_due(store.outbox, {}, now, max_attempts=3) == (0, 1)
        now += timedelta(hours=2)
    [dead] = store.outbox.entries("dead")
    assert dead.attempts == 3 and "no sink named nowhere" in (dead.last_error or "")
    assert deliver_due(store.outbox, {}, now + timedelta(days=1), max_attempts=3) == (0, 0)
    assert store.outbox.retry([dead.id], now) == 1
    assert [e.status for e in store.outbox.entries()] == ["pending"]


class _Target(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], str]]] = []
    up = False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        if not type(self).up:
            self.send_response(503)
            self.end_headers()
            return
        type(self).received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def target() -> Iterator[tuple[str, type[_Target]]]:
    _Target.received, _Target.up = [], False
    server = HTTPServer(("127.0.0.1", 0), _Target)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Target
    server.shutdown()
    server.server_close()


@pytest.mark.integration
def test_webhook_target_down_then_up_delivers_exactly_once(
    store: Store, target: tuple[str, type[_Target]]
) -> None:
    url, handler = target
    for n in range(3):
        queued_handoff(store, f"h{n}", T0, ["webhook"])
    sink = WebhookSink(url, SECRET)
    assert deliver_due(store.outbox, {"webhook": sink}, T0) == (0, 3)  # down: kept for later
    handler.up = True
    now = T0
    delivered = 0
    for _ in range(12):
        now += timedelta(minutes=2)
        delivered += deliver_due(store.outbox, {"webhook": sink}, now)[0]
    assert delivered == 3
    assert sorted(h["webhook-id"] for h, _ in handler.received) == ["h0", "h1", "h2"]
    for headers, body in handler.received:
        Webhook(SECRET).verify(body, {k.lower(): v for k, v in headers.items()})


@pytest.mark.integration
def test_the_delivery_loop_delivers_when_woken(
    store: Store, target: tuple[str, type[_Target]]
) -> None:
    url, handler = target
    handler.up = True
    loop = DeliveryLoop(store.outbox, {"webhook": WebhookSink(url, SECRET)}, interval_s=30)
    loop.start()
    try:
        queued_handoff(store, "h9", datetime.now(UTC), ["webhook"])
        loop.wake()
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while not handler.received and datetime.now(UTC) < deadline:
            threading.Event().wait(0.05)
    finally:
        loop.stop()
    assert [h["webhook-id"] for h, _ in handler.received] == ["h9"]
