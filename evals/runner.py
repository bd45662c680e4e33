"""Runs a retrieval eval end to end: ingest the corpus into its own index, then score each retriever."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.errors import ConfigError
from bot.kb.schema import IndexLayout
from bot.kb.service import KnowledgeBase, make_embedder, open_vector_store
from evals.datasets import RetrievalQuestion
from evals.retrieval import MODES, evaluate_baseline, evaluate_kb, index_dir_for
from ingest.pipeline import Ingestor


def run_retrieval_eval(
    settings: Settings,
    corpus: Path,
    questions: list[RetrievalQuestion],
    k: int,
    modes: list[str],
    index: Path | None = None,
    details: bool = False,
    show_progress: bool = True,
    embedder: Any = None,
) -> dict[str, Any]:
    from rich.console import Console
    from rich.progress import Progress

    unknown = [m for m in modes if m not in (*MODES, "naive")]
    if unknown or not modes:
        raise ConfigError(
            f"unknown retrieval mode(s) {unknown}; choose from hybrid,bm25,dense,naive"
        )
    if not corpus.is_dir():
        raise ConfigError(f"{corpus} is not a folder", setting="--corpus")
    root = index or index_dir_for(corpus, settings.paths.data_dir / "eval-index")
    embedder = embedder or make_embedder(settings)
    store = open_vector_store(settings, root, embedder)
    with Progress(console=Console(stderr=True), disable=not show_progress) as progress:
        stage_tasks: dict[str, Any] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in stage_tasks:
                stage_tasks[stage] = progress.add_task(f"ingest {stage}", total=total)
            progress.update(stage_tasks[stage], completed=done, total=total)

        ingest_report = Ingestor(
            IndexLayout(root),
            embedder,
            store,
            max_file_bytes=settings.index.max_file_bytes,
            progress=tick,
        ).run([corpus])
        kb = KnowledgeBase(
            root,
            embedder,
            store,
            abstain_threshold=settings.retrieval.abstain_threshold,
            doubt_threshold=settings.retrieval.doubt_threshold,
        )
        results: dict[str, Any] = {}
        rows_of_first: list[Any] = []
        for mode in modes:
            task = progress.add_task(f"eval {mode}", total=len(questions))

            def step(task: Any = task) -> None:
                progress.advance(task)

            if mode == "naive":
                from evals.baseline import NaiveBaseline

                baseline = NaiveBaseline(corpus, root / "naive-chroma", embedder)
                summary = evaluate_baseline(baseline.sources, questions, k, step)
                summary["build_seconds"] = round(baseline.seconds, 2)
                summary["chunks"] = baseline.chunk_count
                results[mode] = summary
                continue
            summary, rows = evaluate_kb(kb, questions, k, mode, step)  # type: ignore[arg-type]
            results[mode] = summary
            if not rows_of_first:
                rows_of_first = rows
    primary = results[modes[0]]
    report: dict[str, Any] = {
        "corpus": str(corpus),
        "questions_file_count": len(questions),
        "k": k,
        "model": embedder.name,
        "chunks": ingest_report.chunks_total,
        "ingest_failed": [{"source": s, "reason": r} for s, r in ingest_report.failed],
        "abstain_threshold": settings.retrieval.abstain_threshold,
        "mode": modes[0],
        f"recall@{k}": primary["overall"][f"recall@{k}"],
        "mrr@10": primary["overall"]["mrr@10"],
        f"ndcg@{k}": primary["overall"]["ndcg@10"],
        "overall": primary["overall"],
        "by_kind": primary["by_kind"],
        "abstention": primary["abstention"],
        "modes": results,
    }
    if details and rows_of_first:
        report["questions"] = [
            {
                "id": r.question.id,
                "kind": r.question.kind,
                "answer": r.answer,
                "abstained": r.abstained,
                "gold_files": list(r.question.gold_files),
                "passages": r.passages,
            }
            for r in rows_of_first
        ]
    return report
