"""Benchmarks (``make bench``): figures with a baseline measured in the same run, never assertions.

Writes bench/results/<date>.json and .md. Scale tests use synthetic chunks with random unit vectors
(what is measured is the search path, not the model).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from bot.config import Settings
from bot.kb.embedder import Embedder
from bot.kb.lexical import LexicalIndex, current_generation
from bot.kb.retriever import Filters
from bot.kb.schema import IndexLayout, collection_name
from bot.kb.service import KnowledgeBase, make_embedder
from bot.kb.vectorstore import ChromaVectorStore
from evals.bench_backends import bench_backends, table
from evals.bench_live import bench_live_all
from evals.bench_service import bench_load, bench_turns
from evals.synthetic import QUERIES, build_synthetic_index
from ingest.pipeline import Ingestor

PARTS = ("ingest", "turns", "load", "live", "scale", "serving", "backends")


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def bench_ingest(corpus: Path, embedder: Embedder, work: Path) -> dict[str, Any]:
    print(f"bench: ingest {corpus}", flush=True)
    layout = IndexLayout(work / f"ingest-{corpus.resolve().name}-{len(str(corpus))}")
    name = collection_name("kb", embedder.name, embedder.dimension)
    store = ChromaVectorStore.embedded(layout.chroma, name, embedder)
    started = time.perf_counter()
    report = Ingestor(layout, embedder, store).run([corpus])
    first = time.perf_counter() - started
    folder = current_generation(layout)
    assert folder is not None
    texts = [c.search_text for c in LexicalIndex.load(folder).chunks]
    started = time.perf_counter()
    embedder.embed_documents(texts)
    raw = time.perf_counter() - started
    started = time.perf_counter()
    Ingestor(layout, embedder, store).run([corpus])
    again = time.perf_counter() - started
    from evals.baseline import NaiveBaseline

    naive = NaiveBaseline(corpus, layout.root / "naive", embedder)
    return {
        "index": str(layout.root),
        "corpus": str(corpus),
        "chunks": report.chunks_total,
        "pipeline_chunks_per_s": report.chunks_total / first,
        "raw_encode_chunks_per_s": len(texts) / raw,
        "pipeline_overhead_ratio": first / raw,
        "first_ingest_s": first,
        "reingest_unchanged_s": again,
        "reingest_ratio": again / first,
        "naive_baseline_s": naive.seconds,
        "naive_chunks": naive.chunk_count,
        "ours_to_naive_time_ratio": first / naive.seconds,
    }


def bench_scale(n: int, embedder: Embedder, work: Path) -> dict[str, Any]:
    root = work / f"scale-{n}"
    started = time.perf_counter()
    store = build_synthetic_index(root, n, embedder)
    build = time.perf_counter() - started
    kb = KnowledgeBase(root, embedder, store)
    for q in QUERIES:
        kb.search(q)
    timings = []
    for _ in range(10):
        for q in QUERIES:
            t = time.perf_counter()
            kb.search(q, filters=Filters(audience="customer"))
            timings.append(time.perf_counter() - t)
    embed_only = []
    for q in QUERIES * 5:
        t = time.perf_counter()
        embedder.embed_query(q)
        embed_only.append(time.perf_counter() - t)
    return {
        "chunks": n,
        "build_s": build,
        "search_p50_ms": _pct(timings, 50),
        "search_p95_ms": _pct(timings, 95),
        "query_embed_p50_ms": _pct(embed_only, 50),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--scale", type=int, action="append")
    parser.add_argument(
        "--work", type=Path, help="keep the built indexes here and reuse them (default: a temp dir)"
    )
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"comma list of {','.join(PARTS)}; results merge into today's file",
    )
    args = parser.parse_args()
    corpora = args.corpus or [Path("knowledge/docs")]
    shared = Path("../shared/corpora/opensource-av/docs")
    if not args.corpus and shared.is_dir():
        corpora.append(shared)
    settings = Settings()
    embedder = make_embedder(settings)  # the default backend
    embedder.warm_up()
    work = args.work or Path(tempfile.mkdtemp(prefix="assist-bench-"))
    results: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": __import__("os").cpu_count(),
        },
        "ingest": [],
        "scale": [],
    }
    parts = set(args.parts.split(","))
    stem = args.out / results["date"]
    if parts != set(PARTS) and stem.with_suffix(".json").is_file():
        previous = json.loads(stem.with_suffix(".json").read_text())
        results.update({k: v for k, v in previous.items() if k not in ("date", "machine")})
    try:
        if "ingest" in parts:
            results["ingest"] = [bench_ingest(c, embedder, work) for c in corpora]
        if parts & {"turns", "load", "live"}:
            layout = IndexLayout(work / "bundled")
            name = collection_name("kb", embedder.name, embedder.dimension)
            store = ChromaVectorStore.embedded(layout.chroma, name, embedder)
            Ingestor(layout, embedder, store).run([Path("knowledge/docs")])
            if "turns" in parts:
                print("bench: turn latency", flush=True)
                results["turns"] = bench_turns(work / "turns", layout.root, embedder)
            if "load" in parts:
                print("bench: 50 concurrent users x 20 turns, 2 workers", flush=True)
                results["load"] = bench_load(work / "load", layout.root)
                results["load_saturation"] = bench_load(work / "load0", layout.root, think_s=0.0)
            if "live" in parts:
                print("bench: 50 live chats, engineer message to the user's stream", flush=True)
                results["live"] = bench_live_all(work, layout.root)
        if "serving" in parts:
            from evals.serving_memory import bench_serving_memory

            results["serving"] = []
            for n in args.scale or [10_000, 100_000]:
                print(f"bench: serving worker memory at {n} chunks", flush=True)
                results["serving"].append(bench_serving_memory(n, work))
        if "backends" in parts:
            results["backends"] = bench_backends(work / "backends", settings.models_dir)
        if "scale" in parts:
            results["scale"] = []
            for n in args.scale or [10_000, 100_000]:
                print(f"bench: retrieval at {n} chunks", flush=True)
                results["scale"].append(bench_scale(n, embedder, work))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2))
    lines = [
        f"# Benchmarks {results['date']}",
        "",
        f"Machine: {results['machine']}",
    ]
    if results["ingest"]:
        lines += [
            "",
            "| corpus | chunks | pipeline chunks/s | raw encode chunks/s | overhead | re-ingest / first | ours / naive time |",
            "|---|---|---|---|---|---|---|",
        ]
    for r in results["ingest"]:
        lines.append(
            f"| {r['corpus']} | {r['chunks']} | {r['pipeline_chunks_per_s']:.1f} | "
            f"{r['raw_encode_chunks_per_s']:.1f} | {r['pipeline_overhead_ratio']:.2f}x | "
            f"{r['reingest_ratio']:.3f} | {r['ours_to_naive_time_ratio']:.2f} |"
        )
    if results["scale"]:
        lines += [
            "",
            "| chunks | search p50 ms | search p95 ms | query embed p50 ms | peak RSS MB |",
            "|---|---|---|---|---|",
        ]
    for r in results["scale"]:
        lines.append(
            f"| {r['chunks']} | {r['search_p50_ms']:.1f} | {r['search_p95_ms']:.1f} | "
            f"{r['query_embed_p50_ms']:.1f} | {r['peak_rss_mb']:.0f} |"
        )
    for r in results.get("live", []):
        lines.append("")
        lines.append(
            f"Live chat: {r['chats']} chats, {r['workers']} worker(s) on {r['database']}: engineer "
            f"message to the user's stream p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
            f"max {r['max_ms']:.0f} ms ({r['received']} of {r['messages']} received)."
        )
    if "turns" in results and "load" in results:  # absent when only other parts ran
        t, load, sat = results["turns"], results["load"], results.get("load_saturation")
        lines += [
            "",
            "| turn | p50 ms | p95 ms |",
            "|---|---|---|",
            f"| plain flow step | {t['plain_step_p50_ms']:.1f} | {t['plain_step_p95_ms']:.1f} |",
            f"| step that consults the knowledge base | {t['kb_step_p50_ms']:.1f} | {t['kb_step_p95_ms']:.1f} |",
            f"| first turn (routing) | {t['routed_first_turn_p50_ms']:.1f} | {t['routed_first_turn_p95_ms']:.1f} |",
            "",
            f"Load: {load['users']} users x {load['turns_per_user']} turns, {load['workers']} workers: "
            f"{load['turns_per_s']:.1f} turns/s, p50 {load['p50_ms']:.0f} ms, p95 {load['p95_ms']:.0f} ms, "
            f"{load['errors']} errors (each user pauses about {load.get('think_s', 0)} s between turns).",
        ]
        if sat:
            lines.append(
                f"Saturation (no pauses): {sat['turns_per_s']:.1f} turns/s, p50 {sat['p50_ms']:.0f} ms, "
                f"p95 {sat['p95_ms']:.0f} ms, {sat['errors']} errors."
            )
    if results.get("backends"):
        lines += table(results["backends"], results.get("serving", []))
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
