"""Where handoffs go besides the engineer queue: a JSONL file and webhooks, delivered from the
outbox by a loop that runs in every worker.

Webhooks are signed with the Standard Webhooks scheme (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``: an HMAC over id, timestamp and body), so a receiver can verify them and
refuse a replayed delivery; the id is the handoff id, the same on every retry, so a receiver
processes each handoff once. Failed attempts are retried with exponential backoff and jitter; after
the last one the entry is a dead letter until someone retries it (``assist outbox retry``).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from standardwebhooks.webhooks import Webhook

from bot.metrics import Metrics
from bot.store.outbox import Outbox

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class Sink(Protocol):
    name: str

    def deliver(self, key: str, payload: Mapping[str, Any]) -> None:
        """Deliver once; raise ``OSError`` on failure (the outbox retries)."""


class JsonlSink:
    """Appends one JSON line per handoff to a file (the embedded default)."""

    def __init__(self, path: Path, name: str = "jsonl") -> None:
        self.path = path
        self.name = name

    def deliver(self, key: str, payload: Mapping[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"idempotency_key": key, "handoff": payload}, ensure_ascii=False, default=str
        )
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class WebhookSink:
    """POSTs the handoff as JSON, signed with the Standard Webhooks scheme."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        name: str = "webhook",
        timeout_s: float = 5.0,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.url = url
        self.name = name
        self.timeout_s = timeout_s
        self._signer = Webhook(secret)
        self._clock = clock

    def __repr__(self) -> str:  # the secret never shows in logs
        return f"WebhookSink(name={self.name!r}, url={self.url!r})"

    def headers(self, key: str, body: str) -> dict[str, str]:
        """The Standard Webhooks headers of one delivery attempt."""
        now = self._clock()
        return {
            "Content-Type": "application/json",
            "webhook-id": key,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self._signer.sign(key, now, body),
        }

    def deliver(self, key: str, payload: Mapping[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False, default=str)
        request = urllib.request.Request(
            self.url, data=body.encode(), method="POST", headers=self.headers(key, body)
        )
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            if response.status >= 300:
                raise OSError(f"webhook answered {response.status}")


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter: up to 2**attempts seconds, at most an hour."""
    ceiling = min(3600.0, 2.0 ** min(attempts, 12))
    return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


def deliver_due(
    outbox: Outbox,
    sinks: Mapping[str, Sink],
    now: datetime,
    *,
    max_attempts: int = 8,
    lease: timedelta = timedelta(seconds=60),
    metrics: Metrics | None = None,
) -> tuple[int, int]:
    """Try every due outbox entry once; returns (delivered, failed). The entries are leased for
    ``lease``: if this worker dies mid-delivery, another sends them again after it (the
    receiver sees the same idempotency key twice and keeps one). Each attempt is counted in
    ``metrics`` once it is recorded."""
    delivered = failed = 0
    for entry in outbox.due(now, limit=10, lease=lease):
        sink = sinks.get(entry.sink)
        try:
            if sink is None:
                raise OSError(f"no sink named {entry.sink} is configured")
            sink.deliver(entry.key, entry.payload)
        except OSError as exc:  # URLError and HTTP failures are OSErrors
            attempts = entry.attempts + 1
            retry_at = now + retry_delay(attempts) if attempts < max_attempts else None
            log.warning(
                "handoff.delivery.failed sink=%s key=%s attempt=%d dead=%s error=%s",
                entry.sink,
                entry.key,
                attempts,
                retry_at is None,
                exc,
            )
            outbox.failed(entry.id, now, str(exc), retry_at)
            if metrics is not None:
                metrics.delivery(entry.sink, delivered=False, dead=retry_at is None)
            failed += 1
            continue
        outbox.delivered(entry.id, now)
        if metrics is not None:
            metrics.delivery(entry.sink, delivered=True)
        delivered += 1
    return delivered, failed


class DeliveryLoop:
    """The outbox delivered by a background thread of this worker: every ``interval_s``, and at
    once when ``wake()`` is called (a turn opened a handoff)."""

    def __init__(
        self,
        outbox: Outbox,
        sinks: Mapping[str, Sink],
        *,
        interval_s: float = 2.0,
        max_attempts: int = 8,
        lease_s: float = 60.0,
        clock: Clock = lambda: datetime.now(UTC),
        metrics: Metrics | None = None,
    ) -> None:
        self.outbox = outbox
        self.metrics = metrics
        self.lease = timedelta(seconds=lease_s)
        self.sinks = dict(sinks)
        self.interval_s = interval_s
        self.max_attempts = max_attempts
        self.clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                deliver_due(
                    self.outbox,
                    self.sinks,
                    self.clock(),
                    max_attempts=self.max_attempts,
                    lease=self.lease,
                    metrics=self.metrics,
                )
            except Exception:  # a database outage must not end the loop; it is logged
                log.exception("outbox.loop.failed")
            self._wake.wait(self.interval_s)
            self._wake.clear()


def build_sinks(jsonl_path: Path | None, webhooks: list[tuple[str, str, str]]) -> dict[str, Sink]:
    """The configured sinks by name: the JSONL file (when given) and each ``(name, url,
    secret)`` webhook."""
    sinks: dict[str, Sink] = {}
    if jsonl_path is not None:
        sinks["jsonl"] = JsonlSink(jsonl_path)
    for name, url, secret in webhooks:
        sinks[name] = WebhookSink(url, secret, name=name)
    return sinks
