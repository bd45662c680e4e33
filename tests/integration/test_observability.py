"""`assist serve --workers 2` for real: /metrics on any worker adds up what both workers counted
(turns, the handoff, the delivery thread's delivery, the HTTP requests), the log is JSON lines
from both processes with the access line's query credentials redacted, and the workers' metrics
folder is gone once the server stops."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from bot.cluster import assist_exe, free_port
from tests.api.test_metrics import total, value
from tests.conftest import ONNX_CACHE_ENV
from tests.integration.conftest import REPO

pytestmark = pytest.mark.integration
HAND_OFF = ("talk to a person", "Sam Rivera", "617 555 0100", "yes", "yes")


def _start_session(
    url: str, proc: subprocess.Popen[bytes], timeout_s: float = 240
) -> tuple[str, dict[str, str], int]:
    """A session once both workers are warm (12 starts in a row succeed); the starts answered."""
    deadline, streak, made = time.monotonic() + timeout_s, 0, 0
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            r = httpx.post(url + "/api/v1/sessions", json={"access_code": "DEMO-1234"}, timeout=30)
        except httpx.TransportError:  # not listening yet
            time.sleep(0.5)
            continue
        made += 1
        streak = streak + 1 if r.status_code == 201 else 0
        if streak >= 12:
            body = r.json()
            return body["session_id"], {"Authorization": f"Bearer {body['token']}"}, made
        time.sleep(0.05 if r.status_code == 201 else 0.5)
    raise AssertionError("the workers never became ready")


def test_two_workers_answer_metrics_for_both(tmp_path: Path) -> None:
    data = tmp_path / "var"
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ASSIST_", "PROMETHEUS_")) or k == ONNX_CACHE_ENV
        },
        "ASSIST_PATHS__DATA_DIR": str(data),
        "ASSIST_PATHS__ACCOUNTS_DIR": str(REPO / "knowledge/accounts"),
        "ASSIST_PATHS__FLOWS_DIR": str(REPO / "knowledge/flows"),
        "ASSIST_SERVER__MAX_INFLIGHT": "0",
    }
    port, log = free_port(), tmp_path / "serve.log"
    url = f"http://127.0.0.1:{port}"
    cmd = [assist_exe(), "serve", "--port", str(port), "--workers", "2"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        sid, auth, starts = _start_session(url, proc)
        for text in HAND_OFF:
            r = httpx.post(
                f"{url}/api/v1/sessions/{sid}/messages", json={"text": text}, headers=auth
            )
            assert r.status_code == 200, r.text
        assert r.json()["state"]["status"] == "handed_off"
        httpx.get(f"{url}/api/v1/sessions/abc?token=SeCrEt{'x' * 20}&access_code=DEMO-1234")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the delivery thread of whichever worker wrote it
            text = httpx.get(url + "/metrics").text
            if value(text, "assist_outbox_deliveries_total", sink="jsonl", result="delivered"):
                break
            time.sleep(0.5)
        folders = list((data / "metrics").glob("serve-*"))
        assert len(folders) == 1 and len(list(folders[0].glob("counter_*.db"))) == 2
    finally:
        proc.terminate()
        proc.wait(timeout=60)

    assert value(text, "assist_outbox_deliveries_total", sink="jsonl", result="delivered") == 1
    assert total(text, "assist_turns_total") == len(HAND_OFF)
    assert total(text, "assist_handoffs_total") == 1
    starts_counted = total(text, "http_requests_total", handler="/api/v1/sessions")
    assert starts_counted == starts  # every start, whichever worker took it
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    served_by = {line["pid"] for line in lines if line["event"] == "http.access"}
    assert len(served_by) == 2, served_by  # both workers served: the sums above span both
    access = [line for line in lines if line["event"] == "http.access"]
    assert any(line["path"].startswith("/api/v1/sessions/abc?token=[redacted]&") for line in access)
    assert "SeCrEt" not in log.read_text() and "DEMO-1234" not in log.read_text()
    turns = [line for line in lines if line["event"] == "turn.done"]
    assert len(turns) == len(HAND_OFF) and all(t["session_id"] == sid for t in turns)
    assert not (data / "metrics" / folders[0].name).exists()  # removed when the server stopped
