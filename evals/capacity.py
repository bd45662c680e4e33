"""Capacity curve (``make capacity``): throughput and latency against the number of site users.

For each set-up (the embedded default: one worker, SQLite, embedded Chroma; the scale-out set-up:
``--workers`` workers, PostgreSQL, a ``chroma run`` server) one server is started and the soak's
users (about a second between turns) run for ``--step`` seconds at each of 10, 25, 50, 100 and 150
users. Per step: requests/s, p50/p95 of served requests, p95 as users felt it (waits after a 503
included), errors, requests shed with 503 + Retry-After, worker CPU and RSS. The knee is the
last step with p95 under 300 ms, no errors and under 1% shed. Writes
bench/results/capacity-<date>.{json,md,png}. Never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from evals.soak import Load, _rss_mb, parse_overrides, serving

USERS = (10, 25, 50, 100, 150)
P95_GOAL_MS = 300.0
TICK_S = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK_S  # utime + stime


def step(base: str, pids: list[int], users: int, seconds: float, think_s: float) -> dict[str, Any]:
    cpu0 = {p: _cpu_s(p) for p in pids}
    load = Load(base, users, seconds, think_s)
    threads = [threading.Thread(target=load.user, args=(n,)) for n in range(users)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.monotonic() - load.t0
    lat = np.array([lat for _, lat in load.turns]) * 1000
    felt = np.array(load.waits) * 1000
    served = len(lat)
    return {
        "users": users,
        "requests_per_s": served / wall,
        "p50_ms": float(np.percentile(lat, 50)) if served else 0.0,
        "p95_ms": float(np.percentile(lat, 95)) if served else 0.0,
        "felt_p95_ms": float(np.percentile(felt, 95)) if len(felt) else 0.0,
        "errors": len(load.errors),
        "error_examples": [e for _, e in load.errors[:3]],
        "shed": load.shed,
        "shed_pct": 100 * load.shed / max(1, served + load.shed),
        "cpu_pct": sum(_cpu_s(p) - cpu0[p] for p in pids) / wall * 100,  # of one core
        "rss_mb": sum(_rss_mb(p) or 0.0 for p in pids),
    }


def knee(steps: list[dict[str, Any]]) -> int | None:
    """The most users served with p95 under the goal, no errors and under 1% shed."""
    good = [
        s["users"]
        for s in steps
        if s["p95_ms"] < P95_GOAL_MS and s["errors"] == 0 and s["shed_pct"] < 1
    ]
    return max(good) if good else None


def run(
    setups: list[str],
    workers: int,
    seconds: float,
    think_s: float,
    work: Path,
    overrides: dict[str, str],
    label: str = "",
) -> Any:
    results: dict[str, Any] = {
        "date": date.today().isoformat(),
        "label": label,
        "settings": overrides,
        "step_s": seconds,
        "setups": {},
    }
    for setup in setups:
        folder = work / setup
        folder.mkdir(parents=True, exist_ok=True)
        scale_out = setup == "scale-out"
        with serving(workers, folder, scale_out, overrides) as (base, pids):
            steps = []
            for users in USERS:
                print(f"capacity: {setup}, {users} users for {seconds:g} s", flush=True)
                steps.append(step(base, pids, users, seconds, think_s))
                s = steps[-1]
                print(
                    f"  {s['requests_per_s']:.1f} req/s  p50 {s['p50_ms']:.0f} ms  p95 "
                    f"{s['p95_ms']:.0f} ms  errors {s['errors']}  shed {s['shed']}",
                    flush=True,
                )
        results["setups"][setup] = {
            "workers": workers if scale_out else 1,
            "steps": steps,
            "knee_users": knee(steps),
        }
    return results


def write(results: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    label = f"-{results['label']}" if results["label"] else ""
    stem = out / f"capacity-{results['date']}{label}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"# Capacity {results['date']} {results['label']}".rstrip(), ""]
    if results["settings"]:
        lines += [
            "Server settings: " + ", ".join(f"`{k}={v}`" for k, v in results["settings"].items()),
            "",
        ]
    for name, setup in results["setups"].items():
        lines += [
            f"## {name} ({setup['workers']} worker(s)); knee: {setup['knee_users'] or 'none'} "
            f"users (p95 < {P95_GOAL_MS:.0f} ms, 0 errors, < 1% shed)",
            "",
            "| users | req/s | p50 ms | p95 ms | p95 felt ms | errors | shed (503) | CPU % | RSS MB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for s in setup["steps"]:
            mark = " ◀ knee" if s["users"] == setup["knee_users"] else ""
            lines.append(
                f"| {s['users']}{mark} | {s['requests_per_s']:.1f} | {s['p50_ms']:.0f} | "
                f"{s['p95_ms']:.0f} | {s['felt_p95_ms']:.0f} | {s['errors']} | "
                f"{s['shed']} ({s['shed_pct']:.1f}%) | {s['cpu_pct']:.0f} | {s['rss_mb']:.0f} |"
            )
        lines.append("")
    lines.append(
        f"Each step {results['step_s']:g} s, users pausing about a second between turns; CPU is "
        "the workers' share of one core (200% = both cores); the load generator runs on the same "
        "machine."
    )
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    _plot(results, stem.with_suffix(".png"))
    return stem


def _plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (rate, lat) = plt.subplots(1, 2, figsize=(11, 4))
    for name, setup in results["setups"].items():
        users = [s["users"] for s in setup["steps"]]
        rate.plot(users, [s["requests_per_s"] for s in setup["steps"]], "o-", label=name)
        lat.plot(users, [s["p95_ms"] for s in setup["steps"]], "o-", label=f"{name} p95")
        lat.plot(users, [s["p50_ms"] for s in setup["steps"]], "x--", label=f"{name} p50")
    knees: dict[int, list[str]] = {}
    for name, setup in results["setups"].items():
        if setup["knee_users"]:
            knees.setdefault(setup["knee_users"], []).append(name)
    for knee_at, names in knees.items():  # one line and one label where knees coincide
        lat.axvline(knee_at, linestyle=":", color="grey")
        lat.annotate(f" knee: {', '.join(names)}", (knee_at, 20), rotation=90, color="grey")
    lat.axhline(P95_GOAL_MS, color="red", linewidth=0.8)
    rate.set(xlabel="users", ylabel="requests/s", title="Throughput")
    lat.set(xlabel="users", ylabel="ms", title="Latency of served requests")
    rate.legend()
    lat.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--setups", default="embedded,scale-out")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--step", type=float, default=45.0, help="Seconds per user count.")
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument(
        "--set", action="append", default=[], help="ASSIST_NAME=value for the server"
    )
    parser.add_argument(
        "--label", default="", help="Added to the result file names (before, after)"
    )
    parser.add_argument("--work", type=Path, default=Path("var/capacity"))
    args = parser.parse_args()
    results = run(
        args.setups.split(","),
        args.workers,
        args.step,
        args.think,
        args.work,
        parse_overrides(args.set),
        args.label,
    )
    print(write(results, args.out).with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
