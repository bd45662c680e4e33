"""``GET /metrics`` over the real app: a conversation moves the domain's counters by what it did
(turns, a knowledge-base answer, a handoff with its route and priority, the outbox delivery made
by the real delivery thread), the HTTP histograms are labelled by route template, nothing that
identifies a chat shows, and the endpoint is open, token-guarded or off as configured. Worker
processes' counts add up through prometheus_client's multiprocess folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.api.app import create_app
from bot.api.state import ServiceState
from bot.config import Settings
from bot.metrics import MULTIPROC_ENV, Metrics
from bot.service.notify import deliver_due
from tests.api.conftest import ENGINEER, HAND_OFF, REPO, start

MESSAGES = "/api/v1/sessions/{session_id}/messages"
QUESTION = "which firmware fixed CX-4821?"


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, by name and labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, frozenset(s.labels.items()))] = s.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value (0 when absent: a counter that never moved)."""
    return samples(text).get((name, frozenset(labels.items())), 0.0)


def total(text: str, name: str, **labels: str) -> float:
    """The sum over every sample of ``name`` whose labels include ``labels``."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples(text).items() if n == name and want <= ls)


def scrape(client: TestClient, headers: Mapping[str, str] | None = None) -> str:
    r = client.get("/metrics", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


def _converse(client: TestClient) -> dict[str, Any]:
    """A question the notes answer, then a request for a person through to the handoff."""
    sid, auth = start(client)
    url = f"/api/v1/sessions/{sid}/messages"
    answered = client.post(url, json={"text": QUESTION}, headers=auth).json()
    assert answered["messages"][0]["citations"], answered  # the knowledge base answered
    for body in HAND_OFF:
        last = client.post(url, json=body, headers=auth).json()
    assert last["state"]["status"] == "handed_off", last
    handoff_id = last["state"]["handoff_id"]
    handoff = client.get(f"/api/v1/handoffs/{handoff_id}", headers=ENGINEER).json()
    return {"session_id": sid, "auth": auth, "handoff": handoff}


def test_a_conversation_moves_the_counters_by_what_it_did(kb_client: TestClient) -> None:
    before = scrape(kb_client)
    assert total(before, "assist_turns_total") == 0
    assert total(before, "assist_handoffs_total") == 0
    assert value(before, "assist_kb_answers_total", result="answered") == 0

    done = _converse(kb_client)

    after = scrape(kb_client)
    decision = done["handoff"]["record"]["decision"]
    route, priority = decision["route"], done["handoff"]["priority"]
    assert value(after, "assist_handoffs_total", route=route, priority=priority) == 1
    assert total(after, "assist_handoffs_total") == 1
    assert total(after, "assist_turns_total") == 1 + len(HAND_OFF)
    assert value(after, "assist_turns_total", reply="answer") == 1
    assert value(after, "assist_turns_total", reply="handoff") == 1
    assert value(after, "assist_kb_answers_total", result="answered") == 1
    assert value(after, "assist_kb_answers_total", result="abstained") == 0
    # latency by route template: every turn, none of the session ids
    turns = {"handler": MESSAGES, "method": "POST"}
    assert value(after, "http_request_duration_seconds_count", **turns) == 1 + len(HAND_OFF)
    assert value(after, "http_request_duration_seconds_bucket", le="+Inf", **turns) == 6
    assert value(after, "http_requests_total", status="2xx", **turns) == 1 + len(HAND_OFF)
    assert done["session_id"] not in after and done["handoff"]["id"] not in after
    assert "DEMO-1234" not in after and done["auth"]["Authorization"][7:] not in after


def test_the_delivery_threads_counts_show_in_metrics(kb_client: TestClient) -> None:
    runtime = kb_client.app.state.service.runtime  # type: ignore[attr-defined]
    _converse(kb_client)
    assert total(scrape(kb_client), "assist_outbox_deliveries_total") == 0
    runtime.delivery.start()  # the worker's own thread, as `assist serve` runs it
    try:
        runtime.delivery.wake()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            text = scrape(kb_client)
            if value(text, "assist_outbox_deliveries_total", sink="jsonl", result="delivered"):
                break
            time.sleep(0.05)
    finally:
        runtime.delivery.stop()
    assert value(text, "assist_outbox_deliveries_total", sink="jsonl", result="delivered") == 1
    assert total(text, "assist_outbox_dead_letters_total") == 0


class Refusing:
    name = "webhook"

    def deliver(self, key: str, payload: Mapping[str, Any]) -> None:
        raise OSError("connection refused")


def test_a_last_failed_attempt_counts_a_dead_letter(kb_client: TestClient) -> None:
    runtime = kb_client.app.state.service.runtime  # type: ignore[attr-defined]
    runtime.sinks["webhook"] = Refusing()
    runtime.assistant.conversation.sinks = ("webhook",)
    _converse(kb_client)
    now = datetime.now(UTC)
    assert deliver_due(
        runtime.store.outbox, runtime.sinks, now, max_attempts=1, metrics=runtime.metrics
    ) == (0, 1)
    text = scrape(kb_client)
    assert value(text, "assist_outbox_deliveries_total", sink="webhook", result="failed") == 1
    assert value(text, "assist_outbox_dead_letters_total", sink="webhook") == 1


def test_wrong_access_codes_past_the_limit_count_as_rate_limited(client: TestClient) -> None:
    codes = [
        client.post("/api/v1/sessions", json={"access_code": f"DEMO-{n:04d}"}).status_code
        for n in range(12)
    ]
    assert codes == [401] * 10 + [429] * 2
    text = scrape(client)
    assert value(text, "assist_rate_limited_total", scope="access_code") == 2
    assert (
        value(text, "http_requests_total", handler="/api/v1/sessions", method="POST", status="4xx")
        == 12
    )


def _app(settings: Settings) -> Iterator[TestClient]:
    """An app still warming up (no runtime): /metrics answers before the model is loaded."""
    with TestClient(
        create_app(settings, state=ServiceState(settings), start_background=False)
    ) as c:
        yield c


def _settings(tmp_path: Path, production: bool = False, **server: Any) -> Settings:
    return Settings(
        paths={  # type: ignore[arg-type]
            "data_dir": tmp_path / "var",
            "accounts_dir": REPO / "knowledge/accounts",
            "flows_dir": REPO / "knowledge/flows",
        },
        server={"engineer_api_keys": ["k" * 40], "access_code_key": "c" * 40, **server},  # type: ignore[arg-type]
        environment="production" if production else "development",
    )


TOKEN = "m" * 40


@pytest.mark.parametrize(
    ("production", "token", "sent", "status"),
    [
        (False, None, None, 200),  # development without a token: open
        (True, None, None, 404),  # production without a token: off
        (True, None, f"Bearer {TOKEN}", 404),
        (True, TOKEN, None, 401),
        (True, TOKEN, "Bearer " + "x" * 40, 401),
        (True, TOKEN, f"Basic {TOKEN}", 401),
        (True, TOKEN, f"Bearer {TOKEN}", 200),
        (False, TOKEN, None, 401),  # a token set guards development too
    ],
)
def test_who_may_read_metrics(
    tmp_path: Path, production: bool, token: str | None, sent: str | None, status: int
) -> None:
    server = {"metrics_token": token} if token else {}
    for c in _app(_settings(tmp_path, production, **server)):
        headers = {"Authorization": sent} if sent else {}
        r = c.get("/metrics", headers=headers)
        assert r.status_code == status, r.text
        assert ("assist_turns_total" in r.text) == (status == 200)


def test_production_refuses_a_short_metrics_token(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="metrics_token"):
        _settings(tmp_path, production=True, metrics_token="short")


_CHILD = """
import sys
from bot.metrics import Metrics
m = Metrics()
m.handoff("live_transfer", "P1")
m.turn("answer")
m.turn("answer")
print(m.multiprocess_dir)
"""


def test_worker_processes_counts_add_up_in_one_exposition(tmp_path: Path) -> None:
    """As with `assist serve --workers 2`: two processes count into the folder named in the
    environment before they start; a reader of that folder sees both."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, MULTIPROC_ENV: str(folder)}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == str(folder)
    assert len(list(folder.glob("counter_*.db"))) == 2  # one file per process
    text = Metrics(multiprocess_dir=folder).exposition().decode()
    assert value(text, "assist_handoffs_total", route="live_transfer", priority="P1") == 2
    assert value(text, "assist_turns_total", reply="answer") == 4
