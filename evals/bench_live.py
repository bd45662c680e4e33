"""Live chat latency: an engineer's message to the site user's open event stream, with 50 live
chats at once on loopback. Once on the embedded default (one worker, SQLite) and once on two
workers sharing PostgreSQL, where the user's stream may sit on the other worker (LISTEN/NOTIFY).
Bounded; never asserts."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bot.cluster import drop_database, ensure_database, free_port
from evals.bench_service import wait_all_ready

REPO = Path(__file__).resolve().parents[1]
TO_LIVE = (
    "the codec won't turn on",
    "talk to a person",
    "Priya",
    "+1 617 555 0142",
    "yes",
    "yes please",
)


class _UserStream:
    """One site user's server-sent-events stream, reconnecting after ``after`` like the widget."""

    def __init__(self, base: str, session_id: str, token: str, after: int) -> None:
        self.url = f"{base}/api/v1/sessions/{session_id}/events"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.after = after
        self.arrived: dict[str, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                with httpx.stream(
                    "GET", self.url, params={"after": self.after}, headers=self.headers, timeout=60
                ) as r:
                    for line in r.iter_lines():
                        if line.startswith("data: ") and '"seq"' in line:
                            event = json.loads(line[6:])
                            self.after = max(self.after, event["seq"])
                            if event.get("kind") == "engineer":
                                self.arrived[event["text"]] = time.perf_counter()
                        if self.stop.is_set():
                            return
            except httpx.TransportError:
                time.sleep(0.2)


def _live_chat(client: httpx.Client, base: str) -> tuple[str, str, str, int]:
    started = client.post(base + "/api/v1/sessions", json={"access_code": "DEMOPLUS-5678"}).json()
    sid, token = started["session_id"], started["token"]
    auth = {"Authorization": f"Bearer {token}"}
    for text in TO_LIVE:
        last = client.post(
            f"{base}/api/v1/sessions/{sid}/messages", json={"text": text}, headers=auth
        ).json()
    seq = max(
        e["seq"]
        for e in client.get(f"{base}/api/v1/sessions/{sid}", headers=auth).json()["transcript"]
    )
    return sid, token, last["state"]["handoff_id"], seq


def bench_live(
    data_dir: Path, index: Path, chats: int = 50, rounds: int = 6, workers: int = 1,
    database_url: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """``chats`` live chats claimed by one engineer, who writes ``rounds`` messages into each
    (from 4 threads); the time from the POST to the user's stream receiving the message."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ASSIST_")},
        "ASSIST_PATHS__DATA_DIR": str(data_dir),
        "ASSIST_INDEX__CHROMA_PATH": str(index),
        "ASSIST_PATHS__ACCOUNTS_DIR": str(REPO / "knowledge/accounts"),
        "ASSIST_PATHS__FLOWS_DIR": str(REPO / "knowledge/flows"),
        "ASSIST_NOTIFY__JSONL": "false",
    }
    if database_url:
        env["ASSIST_DATABASE_URL"] = database_url
    cmd = [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    streams: list[_UserStream] = []
    try:
        wait_all_ready(base, proc)
        with httpx.Client(timeout=60) as client, ThreadPoolExecutor(4) as pool:
            live = list(pool.map(lambda _: _live_chat(client, base), range(chats)))
            login = {"email": "dana@protelecom.example", "password": "dana-dev-password"}
            token = client.post(base + "/api/v1/engineer/login", json=login).json()["token"]
            dana = {"Authorization": f"Bearer {token}"}
            for _, _, handoff_id, _ in live:
                client.post(f"{base}/api/v1/handoffs/{handoff_id}/claim", json={}, headers=dana)
            streams = [_UserStream(base, sid, tok, seq) for sid, tok, _, seq in live]
            for stream in streams:
                stream.thread.start()
            time.sleep(2)  # every stream open
            sent: dict[str, tuple[int, float]] = {}
            lock = threading.Lock()

            def write(item: tuple[int, int]) -> None:
                n, r = item
                text = f"engineer message {r} to chat {n}"
                t = time.perf_counter()
                with lock:
                    sent[text] = (n, t)
                client.post(
                    f"{base}/api/v1/engineer/cases/{live[n][2]}/messages",
                    json={"text": text},
                    headers=dana,
                )
                time.sleep(0.05)

            t0 = time.perf_counter()
            list(pool.map(write, [(n, r) for r in range(rounds) for n in range(chats)]))
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and sum(len(s.arrived) for s in streams) < len(sent):
                time.sleep(0.1)
            wall = time.perf_counter() - t0
    finally:
        for stream in streams:
            stream.stop.set()
        proc.terminate()
        proc.wait(timeout=60)
    lags = [
        streams[n].arrived[text] - t for text, (n, t) in sent.items() if text in streams[n].arrived
    ]
    ms = np.asarray(lags) * 1000
    return {
        "chats": chats,
        "workers": workers,
        "database": "postgresql" if database_url else "sqlite",
        "messages": len(sent),
        "received": len(lags),
        "messages_per_s": len(sent) / wall if wall else 0.0,
        "p50_ms": float(np.percentile(ms, 50)) if lags else 0.0,
        "p95_ms": float(np.percentile(ms, 95)) if lags else 0.0,
        "max_ms": float(ms.max()) if lags else 0.0,
    }


def bench_live_all(work: Path, index: Path) -> list[dict[str, Any]]:
    """The embedded default, then two workers on PostgreSQL when one answers on 127.0.0.1."""
    results = [bench_live(work / "live-sqlite", index)]
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/assist_bench_{secrets.token_hex(3)}"
    try:
        ensure_database(url)
    except Exception as exc:  # no PostgreSQL here: the embedded figure stands alone
        print(f"bench: live on PostgreSQL skipped ({exc})", flush=True)
        return results
    try:
        subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            env={**os.environ, "ASSIST_DATABASE_URL": url},
            check=True,
            capture_output=True,
        )
        results.append(bench_live(work / "live-pg", index, workers=2, database_url=url))
    finally:
        drop_database(url)
    return results
