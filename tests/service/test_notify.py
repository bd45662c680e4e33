from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from bot.service.notify import JsonlSink, WebhookSink, deliver_due, sign
from bot.store.store import Store
from tests.conftest import queued_handoff

T0 = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.from_url(f"sqlite:///{tmp_path / 'assist.db'}")
    s.create_schema()
    return s


def test_jsonl_sink_delivers_once(store: Store, tmp_path: Path) -> None:
    queued_handoff(store, "h1", T0, ["jsonl"])
    sink = JsonlSink(tmp_path / "out" / "handoffs.jsonl")
    assert deliver_due(store, {"jsonl": sink}, T0) == (1, 0)
    assert deliver_due(store, {"jsonl": sink}, T0 + timedelta(hours=1)) == (0, 0)
    lines = sink.path.read_text().splitlines()
    assert [json.loads(x)["idempotency_key"] for x in lines] == ["h1"]


class _Target(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, bytes]]] = []
    up = False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if not type(self).up:
            self.send_response(503)
            self.end_headers()
            return
        type(self).received.append(
            (self.headers["Idempotency-Key"], self.headers["X-Signature"], body)
        )
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
    sink = WebhookSink(url, "s3cret")
    assert deliver_due(store, {"webhook": sink}, T0) == (0, 3)  # target down: kept in the outbox
    handler.up = True
    now = T0
    delivered = 0
    for _ in range(6):
        now += timedelta(minutes=1)
        delivered += deliver_due(store, {"webhook": sink}, now)[0]
    assert delivered == 3
    keys = [k for k, _, _ in handler.received]
    assert sorted(keys) == ["h0", "h1", "h2"]  # exactly once per idempotency key
    for _, signature, body in handler.received:
        assert signature == sign("s3cret", body)
