"""Where a worker's time goes under load (``make profile``): py-spy samples every worker of the
scale-out set-up while the soak's users chat, then the samples are summed by area (the model, BM25,
the Chroma client, the database, JSON and validation, the web framework, the assistant's own code)
and by function. Writes bench/results/profile-<date>.md; the raw stacks stay in the work folder."""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
from collections import Counter
from datetime import date
from pathlib import Path

from evals.soak import Load, parse_overrides, serving

# first match from the innermost frame outwards decides a sample's area
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("model (torch, sentence-transformers)", ("torch/", "sentence_transformers/", "transformers/")),
    ("BM25 (bm25s, numpy)", ("bm25s/", "numpy/", "scipy/")),
    ("vector store client (chromadb, httpx)", ("chromadb/", "httpx/", "httpcore/")),
    ("database (SQLAlchemy, psycopg, sqlite3)", ("sqlalchemy/", "psycopg", "sqlite3/")),
    ("JSON and validation (pydantic, json)", ("pydantic", "json/", "orjson")),
    ("web framework (uvicorn, starlette, fastapi, anyio)", ("uvicorn/", "starlette/", "fastapi/", "anyio/", "asyncio/")),
    ("assistant code (bot/)", ("(bot/", "/bot/")),
)  # fmt: skip


def area(stack: list[str]) -> str:
    for frame in reversed(stack):
        for name, needles in AREAS:
            if any(n in frame for n in needles):
                return name
    return "other (threads, imports, stdlib)"


def read_raw(path: Path) -> list[tuple[list[str], int]]:
    samples = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            samples.append((stack.split(";"), int(count)))
    return samples


def summarise(files: list[Path]) -> tuple[Counter[str], Counter[str], int]:
    areas: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    total = 0
    for path in files:
        for stack, count in read_raw(path):
            total += count
            areas[area(stack)] += count
            functions[stack[-1]] += count
    return areas, functions, total


def run(
    users: int,
    seconds: float,
    workers: int,
    work: Path,
    out: Path,
    overrides: dict[str, str],
    label: str = "",
) -> Path:
    spy = Path(sys.executable).with_name("py-spy")
    raws: list[Path] = []
    stem = f"profile-{date.today().isoformat()}" + (f"-{label}" if label else "")
    with serving(workers, work, True, overrides) as (base, pids):
        load = Load(base, users, seconds, 1.0)
        threads = [threading.Thread(target=load.user, args=(n,)) for n in range(users)]
        for th in threads:
            th.start()
        recorders = []
        for pid in pids:
            raw = work / f"{stem}-worker{len(raws) + 1}.txt"  # raw stacks stay out of git
            raws.append(raw)
            recorders.append(
                subprocess.Popen(
                    [str(spy), "record", "--pid", str(pid), "--duration", str(int(seconds - 10)),
                     "--rate", "50", "--gil", "--format", "raw", "--nonblocking", "-o", str(raw)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )  # fmt: skip
        for th in threads:
            th.join()
        for rec in recorders:
            rec.wait(timeout=60)
    areas, functions, total = summarise([r for r in raws if r.is_file()])
    lat = sorted(lat for _, lat in load.turns)
    p95 = lat[int(0.95 * (len(lat) - 1))] * 1000 if lat else 0.0
    lines = [
        f"# Profile {date.today().isoformat()} {label}".rstrip(),
        "",
        f"{users} users, {seconds:g} s, {workers} workers (PostgreSQL, chroma run); "
        f"{len(lat)} requests, p95 {p95:.0f} ms, errors {len(load.errors)}, shed {load.shed}. "
        f"py-spy at 50 Hz on every worker, samples of the thread holding the GIL only (Python work, not waits): {total} samples. "
        f"Server settings: {overrides or 'defaults'}.",
        "",
        "| area | share of samples |",
        "|---|---|",
        *(f"| {name} | {100 * n / max(1, total):.1f}% |" for name, n in areas.most_common()),
        "",
        "| function (innermost frame) | share |",
        "|---|---|",
        *(
            f"| `{name[:110]}` | {100 * n / max(1, total):.1f}% |"
            for name, n in functions.most_common(15)
        ),
    ]
    path = out / f"{stem}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument(
        "--set", action="append", default=[], help="ASSIST_NAME=value for the server"
    )
    parser.add_argument(
        "--label", default="", help="Added to the result file names (before, after)"
    )
    parser.add_argument("--work", type=Path, default=Path("var/profile"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    overrides = parse_overrides(args.set)
    path = run(args.users, args.seconds, args.workers, args.work, args.out, overrides, args.label)
    print(path.read_text())


if __name__ == "__main__":
    main()
