"""One turn, one transaction: the same final answer sent many times at once opens one handoff.

A real server process (two uvicorn workers) on SQLite and on PostgreSQL; for each of 10
sessions, 6 threads send the last answer of the contact questions together. Exactly one request
wins; the others get 409 (or, arriving after the winner committed, the "conversation has ended"
reply) and write no handoff, no part return and no outbox entry.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from bot.cluster import assist_exe, free_port
from bot.store.tables import HandoffRow, OutboxRow
from tests.conftest import ONNX_CACHE_ENV
from tests.integration.conftest import REPO
from tests.integration.test_scale_out import Server, wait_ready
from tests.pg import fresh_database

pytestmark = pytest.mark.integration
SESSIONS, SENDERS = 10, 6
ENGINEER = {"X-API-Key": "test-key"}
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Server, str]]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'var' / 'assist.db'}"
        else:
            url = stack.enter_context(fresh_database())
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("ASSIST_") or k == ONNX_CACHE_ENV
        }
        env.update(
            ASSIST_PATHS__DATA_DIR=str(tmp_path / "var"),
            ASSIST_INDEX__CHROMA_PATH=str(tmp_path / "index"),  # the race needs no documents
            ASSIST_DATABASE_URL=url,
            ASSIST_SERVER__ENGINEER_API_KEYS='["test-key"]',
            # every copy must reach a turn and win or lose it (200 or 409): no load shedding here;
            # tests/api/test_load_shedding.py covers the 503
            ASSIST_SERVER__MAX_INFLIGHT="0",
        )
        port, log = free_port(), tmp_path / "server.log"
        cmd = [assist_exe(), "serve", "--port", str(port), "--workers", "2"]
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        served = Server(f"http://127.0.0.1:{port}", proc, log)
        try:
            wait_ready(served)
            yield served, url
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def _to_last_answer(client: httpx.Client) -> tuple[str, dict[str, str]]:
    started = client.post("/api/v1/sessions", json={"access_code": "DEMO-1234"}).json()
    sid, auth = started["session_id"], {"Authorization": f"Bearer {started['token']}"}
    for body in (
        {"text": "the codec won't turn on at all"},
        {"text": "just get me a person please"},
        {"text": "it's me, Priya"},
        {"text": "617 555 0142"},
        {"text": "yes"},
    ):
        reply = client.post(f"/api/v1/sessions/{sid}/messages", json=body, headers=auth)
        assert reply.status_code == 200, reply.text
    assert reply.json()["state"]["step_id"] == "available", reply.json()
    return sid, auth


def test_concurrent_final_answers_open_exactly_one_handoff(server: tuple[Server, str]) -> None:
    served, url = server
    statuses: list[int] = []
    with httpx.Client(base_url=served.url, timeout=60) as client:
        sessions = [_to_last_answer(client) for _ in range(SESSIONS)]
        for sid, auth in sessions:
            barrier = threading.Barrier(SENDERS)

            def send(
                sid: str = sid, auth: dict[str, str] = auth, barrier: threading.Barrier = barrier
            ) -> None:
                with httpx.Client(base_url=served.url, timeout=60) as own:
                    barrier.wait()
                    reply = own.post(
                        f"/api/v1/sessions/{sid}/messages", json={"text": "yes"}, headers=auth
                    )
                    statuses.append(reply.status_code)

            threads = [threading.Thread(target=send) for _ in range(SENDERS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        queue = client.get("/api/v1/handoffs", headers=ENGINEER).json()
    engine = create_engine(url)
    with engine.connect() as db:
        handoffs = db.execute(select(HandoffRow.session_id, HandoffRow.id)).all()
        outbox = dict(
            db.execute(
                select(OutboxRow.idempotency_key, func.count()).group_by(OutboxRow.idempotency_key)
            ).all()
        )
    engine.dispose()
    per_session = {sid: [h for s, h in handoffs if s == sid] for sid, _ in sessions}
    figures = {
        "backend": url.split(":", 1)[0],
        "sessions": SESSIONS,
        "requests": len(statuses),
        "statuses": {str(code): statuses.count(code) for code in sorted(set(statuses))},
        "handoffs": len(handoffs),
        "outbox_rows": sum(outbox.values()),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"turn-race-{figures['backend']}.json").write_text(json.dumps(figures, indent=2))
    assert set(statuses) <= {200, 409} and statuses.count(200) >= SESSIONS, figures
    assert all(len(found) == 1 for found in per_session.values()), per_session
    assert len(queue) == len(handoffs) == SESSIONS, figures
    assert all(outbox.get(h) == 1 for _, h in handoffs), outbox  # one entry per sink (JSONL)
