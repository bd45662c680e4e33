"""The embedding backends side by side, in one run (``make bench``, part ``backends``).

For each backend (torch, onnx, onnx-int8): encode throughput on a fixed sample of real chunks,
query-embedding p50, mean cosine to the torch (fp32) vectors, a first ingest of the open-source
corpus timed against the naive LangChain pipeline (torch, as a LangChain user would run it) built in
the same run, and hybrid evidence recall@5 on each corpus's frozen test split.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from bot.config import Settings
from bot.kb.embedder import Embedder, SentenceTransformerEmbedder
from bot.kb.lexical import LexicalIndex, current_generation
from bot.kb.schema import IndexLayout, collection_name
from bot.kb.service import KnowledgeBase, make_embedder
from bot.kb.vectorstore import ChromaVectorStore
from evals.datasets import load_retrieval_questions
from evals.evidence_report import corpora
from evals.retrieval import evaluate_kb
from ingest.pipeline import Ingestor

BACKENDS = ("torch", "onnx", "onnx-int8")
SAMPLE = 512
QUERY_SAMPLE = 60


def _embedder(backend: str, models: Path) -> Embedder:
    settings = Settings(embedding={"backend": backend, "cache_dir": models})  # type: ignore[arg-type]
    embedder = make_embedder(settings)
    embedder.warm_up()
    return embedder


def _ingest(corpus: Path, embedder: Embedder, root: Path) -> tuple[KnowledgeBase, float, int]:
    layout = IndexLayout(root)
    name = collection_name("kb", embedder.name, embedder.dimension)
    store = ChromaVectorStore.embedded(layout.chroma, name, embedder)
    started = time.perf_counter()
    report = Ingestor(layout, embedder, store).run([corpus])
    seconds = time.perf_counter() - started
    return KnowledgeBase(root, embedder, store), seconds, report.chunks_total


def _evidence_recall(kb: KnowledgeBase, dataset: Path) -> float:
    summary, _ = evaluate_kb(kb, load_retrieval_questions(dataset), 5, "hybrid")
    return float(summary["overall"]["evidence_recall@5"])


def _sample_texts(root: Path) -> list[str]:
    folder = current_generation(IndexLayout(root))
    assert folder is not None
    texts = [c.search_text for c in LexicalIndex.load(folder).chunks]
    return random.Random(5).sample(texts, min(SAMPLE, len(texts)))


def _query_p50_ms(embedder: Embedder, queries: list[str]) -> float:
    timings = []
    for q in queries:
        started = time.perf_counter()
        embedder.embed_query(q)
        timings.append(time.perf_counter() - started)
    return float(np.percentile(np.asarray(timings) * 1000, 50))


def bench_backends(work: Path, models: Path) -> dict[str, Any]:
    specs = [c for c in corpora() if c.folder.is_dir()]
    open_source = next((c for c in specs if c.name == "opensource-av"), specs[0])
    from evals.baseline import NaiveBaseline

    reference = SentenceTransformerEmbedder()
    reference.warm_up()
    print(f"bench backends: naive LangChain ingest of {open_source.name} (torch)", flush=True)
    naive = NaiveBaseline(open_source.folder, work / "naive", reference)
    sample: list[str] = []
    truth: np.ndarray | None = None
    rows = []
    for backend in BACKENDS:
        print(f"bench backends: {backend}", flush=True)
        embedder = _embedder(backend, models)
        recall: dict[str, float] = {}
        ingest_s = 0.0
        chunks = 0
        for spec in [open_source, *[c for c in specs if c is not open_source]]:
            root = work / f"{backend}-{spec.name}"
            kb, seconds, count = _ingest(spec.folder, embedder, root)
            if spec is open_source:
                ingest_s, chunks = seconds, count
                if not sample:
                    sample = _sample_texts(root)
                    truth = np.asarray(reference.embed_documents(sample))
            recall[spec.name] = _evidence_recall(kb, spec.datasets["test"])
        started = time.perf_counter()
        vectors = np.asarray(embedder.embed_documents(sample))
        encode_s = time.perf_counter() - started
        assert truth is not None
        queries = [f"{q} {i}" for i, q in enumerate(sample[:QUERY_SAMPLE])]
        queries = [q[:200] for q in queries]
        rows.append(
            {
                "backend": backend,
                "encode_chunks_per_s": len(sample) / encode_s,
                "query_p50_ms": _query_p50_ms(embedder, queries),
                "mean_cosine_to_fp32": float((vectors * truth).sum(axis=1).mean()),
                "min_cosine_to_fp32": float((vectors * truth).sum(axis=1).min()),
                "evidence_recall@5_test": recall,
                "ingest_s": ingest_s,
                "ingest_chunks": chunks,
                "ingest_to_naive_ratio": ingest_s / naive.seconds,
            }
        )
    return {
        "corpus": open_source.name,
        "naive_s": naive.seconds,
        "naive_chunks": naive.chunk_count,
        "sample": len(sample),
        "rows": rows,
    }


def table(result: dict[str, Any], serving: list[dict[str, Any]]) -> list[str]:
    """The issue's table: one row per backend; serving memory is the default backend's."""
    corpora_names = sorted(result["rows"][0]["evidence_recall@5_test"]) if result["rows"] else []
    rss = ", ".join(
        f"{r['chunks'] // 1000}k: {r['rss_after_1000_mb']:.0f} MB" for r in serving if r
    )
    lines = [
        "",
        f"Embedding backends (encode: {result['sample']} chunks of {result['corpus']}; ingest: "
        f"first ingest of {result['corpus']} against the naive LangChain pipeline, "
        f"{result['naive_s']:.0f} s for {result['naive_chunks']} chunks, in the same run)",
        "",
        "| backend | encode chunks/s | query p50 ms | mean cosine to fp32 | "
        + " | ".join(f"evidence R@5 test {n}" for n in corpora_names)
        + " | ingest s | ingest / naive | serving RSS (after 1,000 queries) |",
        "|---|---|---|---|" + "---|" * len(corpora_names) + "---|---|---|",
    ]
    for r in result["rows"]:
        recall = " | ".join(f"{r['evidence_recall@5_test'][n]:.3f}" for n in corpora_names)
        lines.append(
            f"| {r['backend']} | {r['encode_chunks_per_s']:.1f} | {r['query_p50_ms']:.1f} | "
            f"{r['mean_cosine_to_fp32']:.4f} | {recall} | {r['ingest_s']:.0f} | "
            f"{r['ingest_to_naive_ratio']:.2f} | {rss if r['backend'] == 'onnx' else ''} |"
        )
    return lines
