"""Faults injected for real: an ingest killed with SIGKILL half way, PostgreSQL stopped and
restarted under a running service (a private server, so the machine's own is never touched)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.api.state import ServiceState
from bot.cluster import assist_exe, free_port
from bot.config import Settings
from bot.kb.embedder import Embedder
from bot.service.runtime import build_runtime
from tests.conftest import ONNX_CACHE_ENV
from tests.integration.conftest import REPO
from tests.pg import private_postgres

pytestmark = pytest.mark.integration
QUESTION = "Which firmware fixed the HDMI handshake on the CX-900?"


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("ASSIST_") or k == ONNX_CACHE_ENV
    }
    env["ASSIST_PATHS__DATA_DIR"] = str(data_dir)
    env["ASSIST_EMBEDDING__BATCH_SIZE"] = "16"  # 64 texts per upsert: many commits to land between
    return env


def _assist(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [assist_exe(), *args, "--json"], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_an_ingest_killed_half_way_leaves_the_old_index_answering(tmp_path: Path) -> None:
    docs, env = tmp_path / "docs", _env(tmp_path / "var")
    shutil.copytree(REPO / "knowledge/docs/cx-codec", docs / "cx-codec")
    first = _assist(env, "ingest", str(docs))
    before = _assist(env, "ask", QUESTION)
    assert before["passages"][0]["version"] == "9.4.1"

    for product in ("ax-audio", "tx-panel", "vx-camera", "wx-share"):
        shutil.copytree(REPO / "knowledge/docs" / product, docs / product)
    killed_at = None
    with subprocess.Popen(
        [assist_exe(), "ingest", str(docs)], env=env, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            stage, _, counts = line.strip().partition(" ")
            if stage == "embed" and "/" in counts:
                done, total = (int(n) for n in counts.split("/"))
                if 0 < done < total and done >= total * 0.3:
                    proc.send_signal(signal.SIGKILL)
                    killed_at = (done, total)
                    break
        proc.wait(timeout=60)
    assert killed_at is not None and proc.returncode == -signal.SIGKILL, "killed in the embed stage"

    during = _assist(env, "ask", QUESTION)
    assert during["passages"][0]["version"] == "9.4.1"
    sources = {p["source"] for p in during["passages"]}
    assert all(s.startswith("cx-codec/") for s in sources), "still the previous index"
    manifest = json.loads((tmp_path / "var/index/manifest.json").read_text())
    assert manifest["last_report"]["chunks_total"] == first["chunks_total"]

    rerun = _assist(env, "ingest", str(docs))
    added = rerun["chunks_total"] - first["chunks_total"]
    assert rerun["failed"] == [] and rerun["added"] > 0 and added > 0
    assert rerun["chunks_embedded"] < added, "vectors stored before the kill are reused"
    after = _assist(env, "ask", "PTZ camera not detected over USB", "--product", "vx-camera")
    assert after["passages"] and after["passages"][0]["product"] == "vx-camera"


def _turn(client: TestClient, sid: str, auth: dict[str, str], text: str) -> Any:
    return client.post(f"/api/v1/sessions/{sid}/messages", json={"text": text}, headers=auth)


def test_postgresql_restart_gives_503_then_recovers_without_a_service_restart(
    tmp_path: Path, bundled_index: Path, real_embedder: Embedder
) -> None:
    with private_postgres(free_port()) as pg:
        settings = Settings(
            database_url=pg.url,
            paths={  # type: ignore[arg-type]
                "data_dir": tmp_path / "var",
                "accounts_dir": REPO / "knowledge/accounts",
                "flows_dir": REPO / "knowledge/flows",
            },
            index={"chroma_path": bundled_index},  # type: ignore[arg-type]
        )
        state = ServiceState(settings)
        state.runtime = build_runtime(settings, embedder=real_embedder)
        with TestClient(create_app(settings, state=state, start_background=False)) as client:
            r = client.post("/api/v1/sessions", json={"access_code": "DEMO-1234"})
            sid, auth = r.json()["session_id"], {"Authorization": f"Bearer {r.json()['token']}"}
            assert _turn(client, sid, auth, QUESTION).status_code == 200

            pg.stop()
            down = _turn(client, sid, auth, "and on the CX-500?")
            assert down.status_code == 503
            assert down.json()["error"]["code"] == "store_unavailable"
            assert "temporarily unavailable" in down.json()["error"]["message"]
            assert (
                client.post("/api/v1/sessions", json={"access_code": "DEMO-1234"}).status_code
                == 503
            )
            ready = client.get("/readyz")
            assert ready.status_code == 503 and "database" in ready.json()["problem"]
            assert client.get("/healthz").status_code == 200  # alive: no restart wanted

            pg.start()  # the same service, the same connection pool
            assert client.get("/readyz").status_code == 200
            again = _turn(client, sid, auth, "and on the CX-500?")
            assert again.status_code == 200
            events = client.get(f"/api/v1/sessions/{sid}", headers=auth).json()["transcript"]
            users = [e["text"] for e in events if e["kind"] == "user"]
            assert users == [QUESTION, "and on the CX-500?"], "the failed turn left nothing behind"
        state.runtime.store.engine.dispose()


def test_a_service_started_before_its_database_becomes_ready_when_it_comes_up(
    tmp_path: Path, bundled_index: Path
) -> None:
    with private_postgres(free_port()) as pg:
        pg.stop()
        settings = Settings(
            database_url=pg.url,
            paths={  # type: ignore[arg-type]
                "data_dir": tmp_path / "var",
                "accounts_dir": REPO / "knowledge/accounts",
                "flows_dir": REPO / "knowledge/flows",
            },
            index={"chroma_path": bundled_index},  # type: ignore[arg-type]
        )
        state, stop = ServiceState(settings), threading.Event()
        starter = threading.Thread(target=state.start, kwargs={"retry_s": 0.5, "stop": stop})
        starter.start()
        try:
            deadline = time.monotonic() + 120
            while "retrying" not in (state.problem or "") and time.monotonic() < deadline:
                time.sleep(0.2)
            assert state.runtime is None and "database is unavailable" in (state.problem or "")
            pg.start()
            starter.join(timeout=120)
            assert state.runtime is not None and state.problem is None
        finally:
            state.close()
            starter.join(timeout=10)
