"""Retrieval evaluation: BM25, dense and hybrid over one index, plus the naive LangChain baseline."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import AssistError
from bot.kb.retriever import Filters, Mode
from bot.kb.service import KnowledgeBase
from evals.datasets import RetrievalQuestion
from evals.metrics import abstention, mrr_at, ndcg_at, ranked_files, recall_at

MODES = ("hybrid", "bm25", "dense")


def index_dir_for(corpus: Path, base: Path) -> Path:
    """A stable per-corpus index folder, so repeated evals re-ingest incrementally."""
    digest = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:12]
    return base / f"{corpus.resolve().name}-{digest}"


@dataclass
class Row:
    question: RetrievalQuestion
    files: list[str]
    abstained: bool
    answer: str
    passages: list[dict[str, Any]]
    seconds: float


def _summary(rows: Sequence[Row], k: int) -> dict[str, Any]:
    def block(items: Sequence[Row]) -> dict[str, float]:
        answerable = [r for r in items if not r.question.unanswerable]
        n = len(answerable) or 1
        return {
            "n": len(items),
            f"recall@{k}": sum(
                recall_at(r.files, set(r.question.gold_files), k) for r in answerable
            )
            / n,
            "mrr@10": sum(mrr_at(r.files, set(r.question.gold_files), 10) for r in answerable) / n,
            "ndcg@10": sum(ndcg_at(r.files, set(r.question.gold_files), 10) for r in answerable)
            / n,
        }

    by_kind: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_kind[r.question.kind].append(r)
    latencies = sorted(r.seconds for r in rows)
    answerable = [r for r in rows if not r.question.unanswerable] or list(rows)
    curve = [
        sum(recall_at(r.files, set(r.question.gold_files), n) for r in answerable)
        / max(1, len(answerable))
        for n in range(1, 11)
    ]
    return {
        "recall_curve": curve,
        "latencies_ms": [round(1000 * x, 2) for x in latencies],
        "overall": block(rows),
        "by_kind": {kind: block(items) for kind, items in sorted(by_kind.items())},
        "abstention": abstention(
            [r.abstained for r in rows], [r.question.unanswerable for r in rows]
        ),
        "latency_ms": {
            "p50": 1000 * latencies[len(latencies) // 2] if latencies else 0.0,
            "p95": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
            if latencies
            else 0.0,
        },
    }


def evaluate_kb(
    kb: KnowledgeBase,
    questions: Sequence[RetrievalQuestion],
    k: int,
    mode: Mode = "hybrid",
    tick: Callable[[], None] | None = None,
) -> tuple[dict[str, Any], list[Row]]:
    rows: list[Row] = []
    for q in questions:
        started = time.perf_counter()
        try:
            answer = kb.ask(
                q.question, k=max(k, 10), filters=Filters(audience="engineer"), mode=mode
            )  # type: ignore[arg-type]
            passages = answer.passages
            abstained, text = answer.abstained, answer.text
        except AssistError as exc:
            passages, abstained, text = [], True, str(exc)
        seconds = time.perf_counter() - started
        files = ranked_files([p.chunk.source for p in passages])
        rows.append(Row(q, files, abstained, text, [p.to_dict() for p in passages[:k]], seconds))
        if tick:
            tick()
    return _summary(rows, k), rows


def evaluate_baseline(
    sources_for: Callable[[str, int], list[str]],
    questions: Sequence[RetrievalQuestion],
    k: int,
    tick: Callable[[], None] | None = None,
) -> dict[str, Any]:
    rows: list[Row] = []
    for q in questions:
        started = time.perf_counter()
        files = ranked_files(sources_for(q.question, 20))
        rows.append(Row(q, files, False, "", [], time.perf_counter() - started))
        if tick:
            tick()
    return _summary(rows, k)
