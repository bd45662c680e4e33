"""Memory of a real serving worker at scale (``python -m evals.serving_memory``).

For each size: writes an index folder of n synthetic chunks (random unit vectors in embedded Chroma,
one lexical generation), starts ``assist serve`` on it (one worker, SQLite, the bundled accounts and
flows), reads the worker's resident memory from /proc once /readyz answers, sends 1,000 engineer
searches over HTTP (the bench questions with random words of the synthetic vocabulary added, so the
query cache answers few of them), and reads it again. Writes
bench/results/serving-memory-<date>.{json,md}. Figures only, never assertions.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from bot.cluster import assist_exe, free_port
from bot.config import DEV_ENGINEER_KEY
from bot.kb.schema import IndexLayout
from evals.synthetic import COMMON_WORDS, QUERIES, VOCABULARY_SIZE

REPO = Path(__file__).resolve().parents[1]
QUERY_COUNT = 1000
READY_TIMEOUT_S = 900.0


def proc_memory(pid: int) -> dict[str, float]:
    """Resident memory of a process in MB: VmRSS (now), VmHWM (peak), RssAnon and RssFile (the
    part backed by files, such as memory-mapped indexes, which the kernel can drop and share)."""
    wanted = {"VmRSS", "VmHWM", "RssAnon", "RssFile"}
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in wanted:
            found[key] = int(value.split()[0]) / 1024
    return found


def questions(count: int, seed: int = 11) -> list[str]:
    """``count`` search texts: a bench question plus two to four words of the synthetic
    vocabulary, so nearly every one is new to the server's query cache."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        extra = [f"w{int(w)}" for w in rng.integers(0, VOCABULARY_SIZE, int(rng.integers(1, 4)))]
        extra.append(str(rng.choice(COMMON_WORDS)))
        out.append(f"{QUERIES[i % len(QUERIES)]} {' '.join(extra)}")
    return out


def _build_index(root: str, n: int) -> None:
    """Runs in a child process, so the server opens a Chroma folder no other process holds."""
    from bot.kb.embedder import SentenceTransformerEmbedder
    from evals.synthetic import build_synthetic_index

    build_synthetic_index(Path(root), n, SentenceTransformerEmbedder())


def build_index(root: Path, n: int) -> None:
    child = multiprocessing.get_context("spawn").Process(target=_build_index, args=(str(root), n))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"building the {n}-chunk index failed (exit {child.exitcode})")


def _get(url: str, headers: dict[str, str] | None = None, timeout: float = 60) -> Any:
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def _wait_ready(base: str, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline, said = time.monotonic() + READY_TIMEOUT_S, ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"assist serve exited with {proc.returncode} while starting")
        try:
            return dict(_get(base + "/readyz", timeout=5))
        except urllib.error.HTTPError as exc:  # 503 while starting, or a start-up being retried
            status = exc.read().decode(errors="replace")
            if status != said:
                print(f"serving-memory: /readyz {exc.code} {status}", flush=True)
                said = status
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"assist serve not ready after {READY_TIMEOUT_S:g} s")


@contextmanager
def serving(index: Path, data_dir: Path, log: Path) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """One ``assist serve`` worker on ``index``; yields its base URL, pid and /readyz body."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSIST_")}
    env.update(
        {
            "ASSIST_PATHS__DATA_DIR": str(data_dir),
            "ASSIST_INDEX__CHROMA_PATH": str(index),
            "ASSIST_PATHS__ACCOUNTS_DIR": str(REPO / "knowledge/accounts"),
            "ASSIST_PATHS__FLOWS_DIR": str(REPO / "knowledge/flows"),
            "ASSIST_PATHS__RELEASES_FILE": str(REPO / "knowledge/releases.yaml"),
            "ASSIST_LOG_LEVEL": "WARNING",
        }
    )
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [assist_exe(), "serve", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        yield base, proc.pid, _wait_ready(base, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def bench_serving_memory(n: int, work: Path) -> dict[str, Any]:
    """RSS of one ``assist serve`` worker over ``n`` synthetic chunks, once ready and after 1,000
    searches, with the searches' latency as the client saw it."""
    root = work / f"serving-{n}"
    index, data = root / "index", root / "data"
    data.mkdir(parents=True, exist_ok=True)
    if IndexLayout(index).current_pointer.is_file():
        print(f"serving-memory: reusing the {n:,}-chunk index in {index}", flush=True)
    else:
        print(f"serving-memory: building {n:,} chunks", flush=True)
        started = time.perf_counter()
        build_index(index, n)
        print(f"serving-memory: built in {time.perf_counter() - started:.0f} s", flush=True)
    headers = {"X-API-Key": DEV_ENGINEER_KEY}
    with serving(index, data, root / "serve.log") as (base, pid, ready):
        if ready.get("chunks") != n:
            raise RuntimeError(f"the server loaded {ready.get('chunks')} chunks, not {n}")
        at_ready = proc_memory(pid)
        print(f"serving-memory: ready, RSS {at_ready['VmRSS']:.0f} MB", flush=True)
        timings = []
        for i, q in enumerate(questions(QUERY_COUNT), 1):
            t = time.perf_counter()
            _get(f"{base}/api/v1/search?{urllib.parse.urlencode({'q': q})}", headers)
            timings.append(time.perf_counter() - t)
            if i == 1:  # Chroma reads its vector index into memory on the first search
                first = proc_memory(pid)
                print(
                    f"serving-memory: first search {timings[0] * 1000:.0f} ms, "
                    f"RSS {first['VmRSS']:.0f} MB",
                    flush=True,
                )
            if i % 200 == 0:
                rss = proc_memory(pid)["VmRSS"]
                print(f"serving-memory: {i} searches, RSS {rss:.0f} MB", flush=True)
        after = proc_memory(pid)
    ms = np.asarray(timings) * 1000
    return {
        "chunks": n,
        "rss_ready_mb": round(at_ready["VmRSS"], 1),
        "rss_after_first_mb": round(first["VmRSS"], 1),
        "first_search_ms": round(timings[0] * 1000, 1),
        "rss_after_1000_mb": round(after["VmRSS"], 1),
        "hwm_mb": round(after["VmHWM"], 1),
        "anon_after_1000_mb": round(after["RssAnon"], 1),
        "file_after_1000_mb": round(after["RssFile"], 1),
        "search_p50_ms": round(float(np.percentile(ms, 50)), 1),
        "search_p95_ms": round(float(np.percentile(ms, 95)), 1),
    }


def write(results: list[dict[str, Any]], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"serving-memory-{date.today().isoformat()}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2))
    lines = [
        f"# Serving memory {date.today().isoformat()}",
        "",
        "One `assist serve` worker (embedded Chroma, SQLite) over synthetic chunks; "
        f"{QUERY_COUNT:,} engineer searches over HTTP.",
        "",
        "| chunks | RSS ready MB | after 1st search MB | after searches MB | peak (HWM) MB | anon MB "
        "| file-backed MB | search p50 ms | search p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['chunks']:,} | {r['rss_ready_mb']:.0f} | {r['rss_after_first_mb']:.0f} | "
            f"{r['rss_after_1000_mb']:.0f} | "
            f"{r['hwm_mb']:.0f} | {r['anon_after_1000_mb']:.0f} | {r['file_after_1000_mb']:.0f} | "
            f"{r['search_p50_ms']:.1f} | {r['search_p95_ms']:.1f} |"
        )
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)
    return stem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, action="append", help="repeatable; 10000, 100000")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument(
        "--work",
        type=Path,
        help="folder for the indexes, kept and reused by the next run (default: a temporary one)",
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="assist-serving-memory-"))
    try:
        results = [bench_serving_memory(n, work) for n in args.chunks or [10_000, 100_000]]
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    write(results, args.out)


if __name__ == "__main__":
    main()
