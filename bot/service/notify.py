"""Where handoffs go besides the engineer queue: a JSONL file and an HMAC-signed webhook.

Deliveries run from the store's outbox: each (sink, idempotency key) is tried until it succeeds, with
exponential backoff, so nothing is lost while a target is down; the receiver deduplicates by the
``Idempotency-Key`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from bot.store.store import Store

log = logging.getLogger(__name__)


class Sink(Protocol):
    name: str

    def deliver(self, key: str, payload: Mapping[str, Any]) -> None:
        """Deliver once; raise on failure (the outbox retries)."""


class JsonlSink:
    """Appends one JSON line per handoff to a file (the embedded default)."""

    name = "jsonl"

    def __init__(self, path: Path) -> None:
        self.path = path

    def deliver(self, key: str, payload: Mapping[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"idempotency_key": key, "handoff": payload}, ensure_ascii=False, default=str
        )
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSink:
    """POSTs the handoff as JSON with ``X-Signature: sha256=<hmac>`` and ``Idempotency-Key``."""

    name = "webhook"

    def __init__(self, url: str, secret: str, timeout_s: float = 5.0) -> None:
        self.url = url
        self.secret = secret
        self.timeout_s = timeout_s

    def deliver(self, key: str, payload: Mapping[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False, default=str).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": key,
                "X-Signature": sign(self.secret, body),
            },
        )
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            if response.status >= 300:
                raise OSError(f"webhook answered {response.status}")


def deliver_due(store: Store, sinks: Mapping[str, Sink], now: datetime) -> tuple[int, int]:
    """Try every due outbox entry once; returns (delivered, failed)."""
    delivered = failed = 0
    for outbox_id, sink_name, key, payload in store.due_deliveries(now):
        sink = sinks.get(sink_name)
        if sink is None:
            store.delivery_failed(outbox_id, now, f"no sink named {sink_name} is configured")
            failed += 1
            continue
        try:
            sink.deliver(key, payload)
        except OSError as exc:  # URLError and HTTP failures are OSErrors
            log.warning("handoff.delivery.failed sink=%s key=%s error=%s", sink_name, key, exc)
            store.delivery_failed(outbox_id, now, str(exc))
            failed += 1
            continue
        store.delivery_done(outbox_id, now)
        delivered += 1
    return delivered, failed
