"""The service's Prometheus metrics: one ``Metrics`` per app, owning its own ``CollectorRegistry``
(so two apps in one process, as in the tests, never share or clash), passed to whatever counts.

The HTTP metrics (``http_request_duration_seconds`` and the rest) are recorded into the same
registry by prometheus-fastapi-instrumentator; the domain's counters are here:

``assist_turns_total{reply}``                    site users' turns saved, by the kind of reply
``assist_handoffs_total{route,priority}``        handoffs opened
``assist_kb_answers_total{result}``              knowledge-base answers shown: answered|abstained
``assist_outbox_deliveries_total{sink,result}``  delivery attempts: delivered|failed
``assist_outbox_dead_letters_total{sink}``       entries that used up their attempts
``assist_rate_limited_total{scope}``             requests refused by a failed-attempts limit
``assist_shed_requests_total``                   requests answered 503 ``overloaded``

With several worker processes (``assist serve --workers N``) ``PROMETHEUS_MULTIPROC_DIR`` names
a folder every worker writes its values to, and ``exposition`` reads all of them: any worker
answers ``/metrics`` for the whole server. The folder must be set before prometheus_client is
first imported in the worker (``assist serve`` sets it before the workers start).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
KB_RESULTS = ("answered", "abstained")


class Metrics:
    """Counters of one app; ``exposition()`` is the text ``GET /metrics`` serves."""

    def __init__(self, multiprocess_dir: Path | str | None = None) -> None:
        found = multiprocess_dir or os.environ.get(MULTIPROC_ENV) or None
        self.multiprocess_dir = Path(found) if found else None
        self.registry = CollectorRegistry()
        r = self.registry
        self._turns = Counter(
            "assist_turns", "Site users' turns saved, by kind of reply.", ["reply"], registry=r
        )
        self._handoffs = Counter(
            "assist_handoffs", "Handoffs opened.", ["route", "priority"], registry=r
        )
        self._kb = Counter(
            "assist_kb_answers", "Knowledge-base answers shown in chat.", ["result"], registry=r
        )
        self._deliveries = Counter(
            "assist_outbox_deliveries",
            "Outbox delivery attempts.",
            ["sink", "result"],
            registry=r,
        )
        self._dead = Counter(
            "assist_outbox_dead_letters", "Outbox entries out of attempts.", ["sink"], registry=r
        )
        self._limited = Counter(
            "assist_rate_limited", "Requests refused by a rate limit.", ["scope"], registry=r
        )
        self._shed = Counter(
            "assist_shed_requests", "Requests answered 503 overloaded.", registry=r
        )
        for result in KB_RESULTS:  # present at 0 from the start, so rates need no first event
            self._kb.labels(result)

    def turn(self, reply: str) -> None:
        self._turns.labels(reply).inc()

    def handoff(self, route: str, priority: str) -> None:
        self._handoffs.labels(route, priority).inc()

    def kb_answer(self, abstained: bool) -> None:
        self._kb.labels(KB_RESULTS[abstained]).inc()

    def delivery(self, sink: str, delivered: bool, dead: bool = False) -> None:
        self._deliveries.labels(sink, "delivered" if delivered else "failed").inc()
        if dead:
            self._dead.labels(sink).inc()

    def rate_limited(self, scope: str) -> None:
        self._limited.labels(scope).inc()

    def shed(self) -> None:
        self._shed.inc()

    def exposition(self) -> bytes:
        """The Prometheus text format: this process's registry, or in multiprocess mode every
        worker's values merged."""
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=str(self.multiprocess_dir))
        return generate_latest(merged)


def fresh_multiprocess_dir(data_dir: Path) -> Path:
    """A new, empty folder for one server's worker files: ``<data_dir>/metrics/serve-*`` (two
    servers sharing a data folder never mix their counts)."""
    parent = data_dir / "metrics"
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="serve-", dir=parent)).resolve()
