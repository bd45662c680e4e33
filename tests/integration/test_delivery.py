"""Handoff notifications for real: `assist serve` processes deliver signed webhooks to a local HTTP
receiver. The worker is killed with SIGKILL while a delivery is in flight, the receiver goes down
and comes back, and in the end every handoff reached the receiver once per idempotency key, each
delivery with a valid Standard Webhooks signature."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from bot.cluster import assist_exe, free_port
from tests.conftest import ONNX_CACHE_ENV
from tests.integration.conftest import REPO

pytestmark = pytest.mark.integration
SECRET = "whsec_" + "c2VjcmV0LWZvci10aGUtZGVsaXZlcnktdGVzdA=="
HAND_OFF = ("talk to a person", "Sam Rivera", "617 555 0100", "yes", "yes")


class Receiver(BaseHTTPRequestHandler):
    """A webhook consumer as Standard Webhooks asks: verify, then keep each ``webhook-id`` once.
    While ``hold`` is set a delivery is read and then left hanging (the sender is killed then)."""

    deliveries: ClassVar[list[tuple[str, bool]]] = []  # (webhook-id, signature valid)
    kept: ClassVar[dict[str, dict[str, object]]] = {}
    hold: ClassVar[threading.Event] = threading.Event()
    holding: ClassVar[threading.Event] = threading.Event()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            payload = Webhook(SECRET).verify(body, headers)
            valid = True
        except Exception:
            payload, valid = {}, False
        key = headers.get("webhook-id", "")
        type(self).deliveries.append((key, valid))
        if type(self).hold.is_set():
            type(self).holding.set()
            time.sleep(30)  # never answered: the sender dies first
            return
        if valid:
            type(self).kept.setdefault(key, payload)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


class Endpoint:
    """The receiver on a fixed port that can be taken down and brought back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server: ThreadingHTTPServer | None = None

    def up(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Receiver)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    Receiver.deliveries, Receiver.kept = [], {}
    Receiver.hold.clear()
    Receiver.holding.clear()
    point = Endpoint()
    point.up()
    yield point
    point.down()


def _serve(env: dict[str, str], log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [assist_exe(), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(url + "/readyz", timeout=5).status_code == 200:
                return url, proc
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise AssertionError(f"not ready:\n{log.read_text()[-3000:]}")


def _hand_off(url: str) -> str:
    r = httpx.post(url + "/api/v1/sessions", json={"access_code": "DEMO-1234"}, timeout=30)
    body = r.json()
    sid, auth = body["session_id"], {"Authorization": f"Bearer {body['token']}"}
    for text in HAND_OFF:
        last = httpx.post(
            f"{url}/api/v1/sessions/{sid}/messages", json={"text": text}, headers=auth, timeout=60
        ).json()
    handoff_id: str = last["state"]["handoff_id"]
    assert handoff_id, last
    return handoff_id


def _wait(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen in {seconds} s: {Receiver.deliveries}")


def test_every_handoff_arrives_once_per_key_through_a_crash_and_an_outage(
    endpoint: Endpoint, bundled_index: Path, tmp_path: Path
) -> None:
    shutil.copytree(bundled_index, tmp_path / "index")
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("ASSIST_") or k == ONNX_CACHE_ENV
        },
        "ASSIST_PATHS__DATA_DIR": str(tmp_path),
        "ASSIST_PATHS__ACCOUNTS_DIR": str(REPO / "knowledge/accounts"),
        "ASSIST_PATHS__FLOWS_DIR": str(REPO / "knowledge/flows"),
        "ASSIST_NOTIFY__JSONL": "false",
        "ASSIST_NOTIFY__INTERVAL_S": "0.2",
        "ASSIST_NOTIFY__LEASE_S": "15",
        "ASSIST_NOTIFY__WEBHOOKS": json.dumps(
            [{"url": f"http://127.0.0.1:{endpoint.port}/hook", "secret": SECRET}]
        ),
    }
    log = tmp_path / "serve.log"
    url, worker = _serve(env, log)
    Receiver.hold.set()
    first = _hand_off(url)
    _wait(Receiver.holding.is_set, 30, "a delivery in flight")
    os.kill(worker.pid, signal.SIGKILL)  # killed mid-delivery: the receiver never answered
    worker.wait(timeout=10)
    endpoint.down()
    Receiver.hold.clear()

    url, worker = _serve(env, log)  # the replacement worker, receiver still down
    try:
        later = [_hand_off(url), _hand_off(url)]
        time.sleep(3)  # its deliveries fail and are retried with backoff
        assert set(Receiver.kept) == set()
        endpoint.up()
        expected = {first, *later}
        _wait(lambda: set(Receiver.kept) == expected, 90, "every handoff delivered")
        time.sleep(2)  # nothing more arrives
        listed = subprocess.run(
            [assist_exe(), "outbox", "list"], env=env, capture_output=True, text=True, check=True
        ).stdout
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    keys = [key for key, _ in Receiver.deliveries]
    assert all(valid for _, valid in Receiver.deliveries), Receiver.deliveries
    assert set(keys) == expected and keys.count(first) == 2, keys  # sent again after the crash
    assert all(keys.count(k) == 1 for k in later), keys
    assert {k: p["id"] for k, p in Receiver.kept.items()} == {k: k for k in expected}
    assert listed.count("delivered") == 3 and "3 entries" in listed
    print(f"deliveries {len(keys)} for {len(expected)} handoffs, kept {len(Receiver.kept)}")
