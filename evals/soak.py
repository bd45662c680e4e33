"""Soak (``make soak``): the scale-out set-up under steady load for minutes, on loopback.

Starts a `chroma run` server, a fresh PostgreSQL database and ``assist serve --workers N``, then
keeps ``users`` site users chatting (fault-isolation flows, release-note questions and the odd
hand-off to a person, each user pausing about a second between turns) for ``minutes``. Samples
every worker's resident memory; writes bench/results/soak-<date>.{json,md,png}. Never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from bot.cluster import (
    assist_exe,
    chroma_server,
    drop_database,
    ensure_database,
    free_port,
    worker_env,
)
from evals.bench_service import call_json

REPO = Path(__file__).resolve().parents[1]
MAX_RESENDS = 5  # a user sends a turn refused with 503 + Retry-After again, up to this often
SCRIPTS: list[list[dict[str, str]]] = [
    [  # a fault-isolation flow, typed as people do
        {"text": "the second screen in room 1 says no signal"},
        {"text": "no"},
        {"text": "did that, still black"},
    ],
    [  # release-note questions
        {"text": "which firmware fixed the HDMI handshake on the CX-900?"},
        {"text": "what changed in 4.2?"},
        {"text": "the panel shows connecting after the certificate renewal"},
    ],
    [  # a hand-off to a person
        {"text": "can I talk to a person"},
        {"text": "it's Dana Whitfield"},
        {"text": "my mobile is +1 617 555 0100"},
        {"text": "yes"},
        {"text": "yes"},
    ],
]


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [
        int(c)
        for c in children
        if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()
    ]


class Load:
    """The users' threads and what they measured, per minute."""

    def __init__(self, base: str, users: int, seconds: float, think_s: float) -> None:
        self.base, self.users, self.seconds, self.think_s = base, users, seconds, think_s
        self.lock = threading.Lock()
        self.turns: list[tuple[float, float]] = []  # (time since start, latency)
        self.errors: list[tuple[float, str]] = []
        self.handoffs = 0
        self.shed = 0  # 503 overloaded answers (waited out and sent again: not errors)
        self.waits: list[float] = []  # a turn's time including its waits after 503s
        self.t0 = time.monotonic()

    def _turn(self, url: str, body: dict[str, str] | None, token: str | None = None) -> Any:
        first = time.monotonic()
        for _ in range(MAX_RESENDS + 1):
            started = time.monotonic()
            try:
                result = call_json(url, body, token, timeout=60)
            except urllib.error.HTTPError as exc:
                if exc.code == 503 and exc.headers.get("Retry-After"):
                    with self.lock:
                        self.shed += 1
                    time.sleep(float(exc.headers["Retry-After"]))
                    continue
                return self._failed(started, exc)
            except OSError as exc:
                return self._failed(started, exc)
            now = time.monotonic()
            with self.lock:
                self.turns.append((started - self.t0, now - started))
                self.waits.append(now - first)
            return result
        return self._failed(first, RuntimeError(f"still overloaded after {MAX_RESENDS} resends"))

    def _failed(self, started: float, exc: BaseException) -> None:
        with self.lock:
            self.errors.append((started - self.t0, repr(exc)[:200]))
        return None

    def user(self, n: int) -> None:
        rng = random.Random(n)
        time.sleep(rng.random() * 5)  # users arrive over the first seconds, not in one burst
        while time.monotonic() - self.t0 < self.seconds:
            code = "DEMO-1234" if n % 2 else "DEMOPLUS-5678"
            started = self._turn(self.base + "/api/v1/sessions", {"access_code": code})
            if started is None:
                time.sleep(1)
                continue
            sid, token = started["session_id"], started["token"]
            script = SCRIPTS[0 if rng.random() < 0.5 else 1 if rng.random() < 0.85 else 2]
            for body in script:
                if time.monotonic() - self.t0 >= self.seconds:
                    return
                time.sleep(self.think_s * (0.5 + rng.random()))
                turn = self._turn(f"{self.base}/api/v1/sessions/{sid}/messages", body, token)
                if turn and turn["state"]["status"] == "handed_off":
                    with self.lock:
                        self.handoffs += 1


@contextmanager
def serving(
    workers: int, work: Path, scale_out: bool = True, overrides: dict[str, str] | None = None
) -> Iterator[tuple[str, list[int]]]:
    """A ready ``assist serve`` over the bundled knowledge base: the scale-out set-up (a throwaway
    PostgreSQL database and a ``chroma run`` server) or the embedded default (SQLite, embedded
    Chroma, one worker). ``overrides``: ASSIST_* settings for the server (a before/after run).
    Yields the base URL and the worker pids."""
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSIST_")}
    base_env.update(overrides or {})
    with ExitStack() as stack:
        if scale_out:
            db_name = f"assist_soak_{secrets.token_hex(3)}"
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db_name}"
            ensure_database(url)
            stack.callback(drop_database, url)
            chroma = stack.enter_context(
                chroma_server(work / "chroma-server", log=work / "chroma.log")
            )
            env = worker_env(base_env, data_dir=work, database_url=url, chroma=chroma)
            steps = [["db", "upgrade"], ["accounts", "import", str(REPO / "knowledge/accounts")]]
        else:
            env = {**base_env, "ASSIST_PATHS__DATA_DIR": str(work)}
            steps, workers = [], 1
        for step in [*steps, ["ingest", str(REPO / "knowledge/docs")]]:
            print("soak: assist " + " ".join(step[:2]), flush=True)
            subprocess.run([assist_exe(), *step], env=env, check=True, capture_output=True)
        port = free_port()
        with (work / "serve.log").open("wb") as log:
            server = subprocess.Popen(
                [assist_exe(), "serve", "--port", str(port), "--workers", str(workers)],
                env={**env, "ASSIST_LOG_LEVEL": "WARNING"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, workers)
            yield base, _workers(server.pid) if workers > 1 else [server.pid]
        finally:
            server.terminate()
            server.wait(timeout=60)


def run_soak(
    minutes: float, users: int, workers: int, think_s: float, work: Path
) -> dict[str, Any]:
    with serving(workers, work) as (base, pids):
        load = Load(base, users, minutes * 60, think_s)
        threads = [threading.Thread(target=load.user, args=(n,)) for n in range(users)]
        for th in threads:
            th.start()
        memory: list[dict[str, Any]] = []
        while any(th.is_alive() for th in threads):
            elapsed = time.monotonic() - load.t0
            memory.append({"t_s": round(elapsed, 1), **{str(p): _rss_mb(p) for p in pids}})
            print(f"soak: {elapsed:5.0f} s  turns {len(load.turns)}  errors {len(load.errors)}")
            time.sleep(10)
        for th in threads:
            th.join()
        memory.append(
            {"t_s": round(time.monotonic() - load.t0, 1), **{str(p): _rss_mb(p) for p in pids}}
        )
    return _summary(load, memory, pids, minutes, users, workers, think_s)


def _wait_ready(base: str, workers: int) -> None:
    deadline, streak = time.monotonic() + 300, 0
    while streak < 10 * workers and time.monotonic() < deadline:
        try:
            call_json(base + "/readyz")
            streak += 1
        except OSError:
            streak = 0
            time.sleep(0.5)


def _summary(
    load: Load,
    memory: list[dict[str, Any]],
    pids: list[int],
    minutes: float,
    users: int,
    workers: int,
    think_s: float,
) -> dict[str, Any]:
    latencies = [lat for _, lat in load.turns]
    per_minute = []
    for m in range(int(np.ceil(minutes))):
        lats = [lat for t, lat in load.turns if m * 60 <= t < (m + 1) * 60]
        errs = sum(1 for t, _ in load.errors if m * 60 <= t < (m + 1) * 60)
        per_minute.append(
            {
                "minute": m + 1,
                "turns": len(lats),
                "errors": errs,
                "p95_ms": float(np.percentile(lats, 95) * 1000) if lats else 0.0,
            }
        )
    growth = {}
    for pid in map(str, pids):
        at_1 = next((s[pid] for s in memory if s["t_s"] >= 60 and s[pid]), None)
        end = memory[-1][pid]
        growth[pid] = {
            "rss_minute_1_mb": at_1,
            "rss_end_mb": end,
            "growth_pct": (end - at_1) / at_1 * 100 if at_1 and end else None,
        }
    wall = minutes * 60
    return {
        "minutes": minutes,
        "users": users,
        "workers": workers,
        "think_s": think_s,
        "database": "PostgreSQL (a throwaway database)",
        "vector_store": "chroma run server",
        "requests": len(latencies),
        "errors": len(load.errors),
        "shed": load.shed,
        "error_examples": [e for _, e in load.errors[:5]],
        "handoffs": load.handoffs,
        "requests_per_s": len(latencies) / wall,
        "p50_ms": float(np.percentile(latencies, 50) * 1000) if latencies else 0.0,
        "p95_ms": float(np.percentile(latencies, 95) * 1000) if latencies else 0.0,
        "per_minute": per_minute,
        "worker_memory": growth,
        "memory_samples": memory,
    }


def write(result: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"soak-{date.today().isoformat()}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# Soak {date.today().isoformat()}",
        "",
        f"{result['users']} users, {result['minutes']:g} min, {result['workers']} workers, "
        f"{result['database']}, {result['vector_store']}, think time ~{result['think_s']:g} s.",
        "",
        f"- requests: {result['requests']} ({result['requests_per_s']:.1f}/s), errors: "
        f"{result['errors']}, shed (503, sent again): {result['shed']}, "
        f"hand-offs made: {result['handoffs']}",
        f"- latency p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms",
        "",
        "| minute | requests | errors | p95 ms |",
        "|---|---|---|---|",
        *(
            f"| {m['minute']} | {m['turns']} | {m['errors']} | {m['p95_ms']:.0f} |"
            for m in result["per_minute"]
        ),
        "",
        "| worker pid | RSS at minute 1 (MB) | RSS at end (MB) | growth |",
        "|---|---|---|---|",
        *(
            f"| {pid} | {g['rss_minute_1_mb']:.0f} | {g['rss_end_mb']:.0f} | "
            f"{g['growth_pct']:+.1f}% |"
            for pid, g in result["worker_memory"].items()
            if g["growth_pct"] is not None
        ),
    ]
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    _plot(result, stem.with_suffix(".png"))
    return stem


def _plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (mem, rate) = plt.subplots(1, 2, figsize=(11, 4))
    samples = result["memory_samples"]
    for pid in result["worker_memory"]:
        mem.plot([s["t_s"] / 60 for s in samples], [s[pid] for s in samples], label=f"worker {pid}")
    mem.set(xlabel="minute", ylabel="RSS (MB)", title="Worker memory")
    mem.legend()
    minutes = [m["minute"] for m in result["per_minute"]]
    rate.bar(minutes, [m["turns"] / 60 for m in result["per_minute"]], color="tab:blue")
    rate.set(xlabel="minute", ylabel="requests/s", title="Throughput (p95 ms above bars)")
    for m in result["per_minute"]:
        rate.annotate(
            f"{m['p95_ms']:.0f}", (m["minute"], m["turns"] / 60), ha="center", va="bottom"
        )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``--set ASSIST_SERVER__MAX_INFLIGHT=0`` pairs as a dict (only ASSIST_* names)."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.startswith("ASSIST_"):
            raise SystemExit(f"--set takes ASSIST_NAME=value, got {pair!r}")
        out[name] = value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=1.0, help="Mean pause between turns (s).")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--work", type=Path, default=Path("var/soak"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    result = run_soak(args.minutes, args.users, args.workers, args.think, args.work)
    stem = write(result, args.out)
    print(stem.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
