"""What a hostile or careless user tried, against a real `assist serve` with 2 workers on SQLite.
Each test reproduces one finding of the hardening review and checks it now holds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.cluster import assist_exe, free_port
from tests.conftest import ONNX_CACHE_ENV
from tests.integration.conftest import REPO
from tests.integration.test_scale_out import wait_ready

pytestmark = pytest.mark.integration
HAND_OFF = ("talk to a person", "Sam Rivera", "617 555 0100", "yes", "yes")


@dataclass
class Served:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    data: Path
    env: dict[str, str]


def _env(data: Path, **extra: str) -> dict[str, str]:
    return {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("ASSIST_") or k == ONNX_CACHE_ENV
        },
        "ASSIST_PATHS__DATA_DIR": str(data),
        "ASSIST_PATHS__ACCOUNTS_DIR": str(REPO / "knowledge/accounts"),
        "ASSIST_PATHS__FLOWS_DIR": str(REPO / "knowledge/flows"),
        # the attacks come in bursts; they must meet the limits under test, not load shedding
        "ASSIST_SERVER__MAX_INFLIGHT": "0",
        **extra,
    }


def _start(env: dict[str, str], log: Path, workers: int = 2) -> Served:
    port = free_port()
    cmd = [assist_exe(), "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Served(f"http://127.0.0.1:{port}", proc, log, Path(env["ASSIST_PATHS__DATA_DIR"]), env)


def _ready(served: Served, timeout_s: float = 180, in_a_row: int = 12) -> None:
    wait_ready(served, timeout_s, in_a_row)  # type: ignore[arg-type]  # the same three fields


def _stop(served: Served) -> None:
    served.proc.terminate()
    served.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def server(bundled_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("red-team")
    shutil.copytree(bundled_index, data / "index")
    env = _env(data, ASSIST_SERVER__MAX_SESSION_MESSAGES="40")
    served = _start(env, data / "serve.log")
    try:
        _ready(served)
        yield served
    finally:
        _stop(served)


def _session(url: str, code: str = "DEMO-1234") -> tuple[str, dict[str, str]]:
    r = httpx.post(url + "/api/v1/sessions", json={"access_code": code}, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()["session_id"], {"Authorization": f"Bearer {r.json()['token']}"}


def test_4_an_ended_or_full_session_takes_no_more_writes(server: Served) -> None:
    sid, auth = _session(server.url)
    url = f"{server.url}/api/v1/sessions/{sid}/messages"
    for text in HAND_OFF:
        httpx.post(url, json={"text": text}, headers=auth, timeout=60)

    def flood(_: int) -> int:
        body = {"text": "x" * 4000}
        return httpx.post(url, json=body, headers=auth, timeout=60).status_code

    with ThreadPoolExecutor(8) as pool:  # 8 connections, as in the finding
        codes = list(pool.map(flood, range(80)))
    assert codes.count(200) <= 40 - len(HAND_OFF) and codes.count(429) >= 40, codes
    body = httpx.get(f"{server.url}/api/v1/sessions/{sid}", headers=auth, timeout=30)
    assert len(body.content) < 200_000  # was 2.27 MB: 100,000 characters are the most kept


def test_8_readiness_names_parts_not_paths_and_logs_keep_no_query_tokens(server: Served) -> None:
    ready = httpx.get(server.url + "/readyz", timeout=10)
    assert ready.status_code == 200 and str(server.data) not in ready.text
    secret = "SeCrEtToKeN" + "x" * 20
    r = httpx.get(f"{server.url}/api/v1/sessions/abc?token={secret}&access_code=DEMO-1234")
    assert r.status_code == 401
    bad = httpx.get(
        server.url + "/api/v1/handoffs?status=everything", headers={"X-API-Key": "dev-engineer-key"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    time.sleep(0.5)
    log = server.log.read_text()
    assert "/api/v1/sessions/abc?token=[redacted]" in log
    assert secret not in log and "DEMO-1234" not in log


def test_1_2_a_spoofed_forwarded_for_gets_no_fresh_bucket_and_workers_share_the_count(
    server: Served,
) -> None:
    codes = []
    for n in range(24):  # spread over both workers, a new "address" each time
        r = httpx.post(
            server.url + "/api/v1/sessions",
            json={"access_code": f"DEMO-{n:04d}X"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
            timeout=30,
        )
        codes.append(r.status_code)
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}, codes
    # the right code from the same (real) address waits too: the guesser cannot tell
    right = httpx.post(server.url + "/api/v1/sessions", json={"access_code": "DEMO-1234"})
    assert right.status_code == 429


def test_3_production_refuses_weak_engineer_keys_and_any_origin(tmp_path: Path) -> None:
    strong = {"ASSIST_SERVER__ACCESS_CODE_KEY": "c" * 40, "ASSIST_ENVIRONMENT": "production"}
    for extra, words in (
        ({"ASSIST_SERVER__ENGINEER_API_KEYS": '[""]'}, "at least 32 characters"),
        ({"ASSIST_SERVER__ENGINEER_API_KEYS": '["k"]'}, "at least 32 characters"),
        (
            {
                "ASSIST_SERVER__ENGINEER_API_KEYS": json.dumps(["k" * 32]),
                "ASSIST_SERVER__CORS_ORIGINS": '["*"]',
            },
            "cors_origins",
        ),
    ):
        env = _env(tmp_path, **strong, **extra)
        done = subprocess.run(
            [assist_exe(), "serve", "--port", str(free_port())],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode != 0 and words in done.stderr, done.stderr[-2000:]
        assert "Traceback" not in done.stderr


def test_5_a_symlink_loop_is_one_failed_file_and_the_rest_ingests(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.md").write_text("# Good\n\nThe zebra setting is under Settings.\n")
    (docs / "a.md").symlink_to(docs / "b.md")
    (docs / "b.md").symlink_to(docs / "a.md")
    env = _env(tmp_path / "var")
    done = subprocess.run(
        [assist_exe(), "ingest", str(docs), "--json"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert "Traceback" not in done.stderr
    assert report["added"] == 1 and report["chunks_total"] == 1, report
    failed = {f["source"]: f["reason"] for f in report["failed"]}
    assert failed == {"a.md": "symlink loop", "b.md": "symlink loop"}, report


def test_6_a_corrupt_index_reports_failed_and_recovers_once_restored(
    bundled_index: Path, tmp_path: Path
) -> None:
    data = tmp_path / "var"
    shutil.copytree(bundled_index, data / "index")
    chroma = next((data / "index").rglob("chroma.sqlite3"))
    good = chroma.read_bytes()
    chroma.write_bytes(b"this is not a database" * 100)
    served = _start(_env(data), tmp_path / "serve.log", workers=1)
    try:
        deadline, body = time.monotonic() + 120, {}
        while time.monotonic() < deadline:
            try:
                r = httpx.get(served.url + "/readyz", timeout=5)
                body = r.json()
                if r.status_code == 503 and body.get("status") == "failed":
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        assert body.get("status") == "failed", body
        assert "index" in (body.get("problem") or "") and str(data) not in json.dumps(body)
        chroma.write_bytes(good)  # restored: no restart needed
        _ready(served, timeout_s=150, in_a_row=1)
    finally:
        _stop(served)


def test_7_a_deleted_sqlite_file_is_noticed_and_refused(
    bundled_index: Path, tmp_path: Path
) -> None:
    data = tmp_path / "var"
    shutil.copytree(bundled_index, data / "index")
    served = _start(_env(data), tmp_path / "serve.log")
    try:
        _ready(served)
        sid, auth = _session(served.url)
        (data / "assist.db").unlink()
        ready = httpx.get(served.url + "/readyz", timeout=10)
        assert ready.status_code == 503 and "database" in ready.json()["problem"]
        for _ in range(6):  # whichever worker answers
            r = httpx.post(served.url + "/api/v1/sessions", json={"access_code": "DEMO-1234"})
            assert r.status_code == 503 and r.json()["error"]["code"] == "store_unavailable"
            r = httpx.post(
                f"{served.url}/api/v1/sessions/{sid}/messages",
                json={"text": "hello"},
                headers=auth,
            )
            assert r.status_code == 503
        assert not (data / "assist.db").exists()  # nothing written into a new file silently
    finally:
        _stop(served)
