"""Service benchmarks: turn latency of the assistant (plain step vs knowledge-base step) and
concurrent users against a real multi-worker server on loopback. Bounded; never asserts."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from bot.cluster import free_port
from bot.config import Settings
from bot.kb.embedder import Embedder
from bot.service.outcome import UserChoice, UserText
from bot.service.runtime import build_runtime

REPO = Path(__file__).resolve().parents[1]
OPENING = "the second screen in room 1 says no signal"  # device and screen given up front
FLOW_PATH = [("text", "no"), ("text", "no, still black")]
KB_TURN = ("text", "yes, after the restart it came back")


def _ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q)) if values else 0.0


def wait_all_ready(base: str, proc: subprocess.Popen[bytes], timeout_s: float = 240) -> None:
    """Until /readyz answers 200 twenty times in a row: every worker of the server is warm."""
    deadline, streak = time.monotonic() + timeout_s, 0
    while time.monotonic() < deadline and streak < 20:
        if proc.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as r:
                streak = streak + 1 if r.status == 200 else 0
        except OSError:
            streak = 0
            time.sleep(0.5)


def bench_turns(
    data_dir: Path, index: Path, embedder: Embedder, sessions: int = 30
) -> dict[str, Any]:
    settings = Settings(
        paths={
            "data_dir": data_dir,
            "accounts_dir": REPO / "knowledge/accounts",  # type: ignore[arg-type]
            "flows_dir": REPO / "knowledge/flows",
        },
        index={"chroma_path": index},
    )  # type: ignore[arg-type]
    assistant = build_runtime(settings, embedder=embedder).assistant
    plain: list[float] = []
    kb_step: list[float] = []
    routed: list[float] = []
    for _ in range(sessions):
        sid = assistant.start("DEMO-1234").session_id
        t = time.perf_counter()
        assistant.reply(sid, UserText(OPENING))
        routed.append(time.perf_counter() - t)
        for kind, value in FLOW_PATH:
            t = time.perf_counter()
            assistant.reply(sid, UserChoice(value) if kind == "choice" else UserText(value))
            plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        assistant.reply(sid, UserText(KB_TURN[1]))
        kb_step.append(time.perf_counter() - t)
    return {
        "sessions": sessions,
        "plain_step_p50_ms": _ms(plain, 50),
        "plain_step_p95_ms": _ms(plain, 95),
        "kb_step_p50_ms": _ms(kb_step, 50),
        "kb_step_p95_ms": _ms(kb_step, 95),
        "routed_first_turn_p50_ms": _ms(routed, 50),
        "routed_first_turn_p95_ms": _ms(routed, 95),
    }


def call_json(
    url: str, body: dict[str, Any] | None = None, token: str | None = None, timeout: float = 30
) -> Any:
    """POST ``body`` (GET without one) with an optional bearer token; the JSON reply."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def bench_load(
    data_dir: Path,
    index: Path,
    users: int = 50,
    turns: int = 20,
    workers: int = 2,
    think_s: float = 1.0,
) -> dict[str, Any]:
    """``users`` concurrent chats of ``turns`` turns each (flow steps and questions) on loopback,
    each user pausing ``think_s`` between turns (0 measures saturation throughput)."""
    port = free_port()
    env = {
        **os.environ,
        "ASSIST_PATHS__DATA_DIR": str(data_dir),
        "ASSIST_INDEX__CHROMA_PATH": str(index),
        "ASSIST_PATHS__ACCOUNTS_DIR": str(REPO / "knowledge/accounts"),
        "ASSIST_PATHS__FLOWS_DIR": str(REPO / "knowledge/flows"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_all_ready(base, proc)
        script = [
            {"text": OPENING},
            {"text": "no"},
            {"text": "which firmware fixed the HDMI handshake on the CX-900?"},
            {"text": "no, still black"},
            {"text": "what changed in 4.2?"},
        ]
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def user() -> None:
            try:
                started = call_json(base + "/api/v1/sessions", {"access_code": "DEMO-1234"})
            except Exception as exc:
                with lock:
                    errors.append(repr(exc))
                return
            sid, token = started["session_id"], started["token"]
            for n in range(turns):
                body = script[n % len(script)]
                if n and n % len(script) == 0:
                    body = {"text": "start over"}
                if n and think_s:
                    time.sleep(think_s * (0.5 + random.random()))
                t = time.perf_counter()
                try:
                    call_json(f"{base}/api/v1/sessions/{sid}/messages", body, token)
                    with lock:
                        latencies.append(time.perf_counter() - t)
                except Exception as exc:
                    with lock:
                        errors.append(repr(exc)[:200])

        threads = [threading.Thread(target=user) for _ in range(users)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=600)
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {
        "users": users,
        "turns_per_user": turns,
        "workers": workers,
        "think_s": think_s,
        "turns": len(latencies),
        "errors": len(errors),
        "error_examples": errors[:3],
        "wall_s": wall,
        "turns_per_s": len(latencies) / wall if wall else 0.0,
        "p50_ms": _ms(latencies, 50),
        "p95_ms": _ms(latencies, 95),
    }
