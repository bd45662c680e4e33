"""Retrieval evaluation: BM25, dense and hybrid over one index, plus the naive LangChain baseline.

Each question is scored at file level (gold files among the files of the passages) and, when its
passage texts are known, at evidence level (passages holding one of its evidence sentences; see
``evals.metrics.evidence_hit``)."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import AssistError
from bot.kb.retriever import Filters, Mode
from bot.kb.schema import Chunk
from bot.kb.service import KnowledgeBase
from evals.datasets import RetrievalQuestion
from evals.metrics import (
    abstention,
    evidence_mrr_at,
    evidence_ranks,
    evidence_recall_at,
    mrr_at,
    ndcg_at,
    ranked_files,
    recall_at,
)

MODES = ("hybrid", "bm25", "dense")
EVIDENCE_DEPTH = 10
"""Passages searched for evidence: the cut-off of evidence MRR (and the deepest evidence recall)."""

Hit = tuple[str, str]
"""A retrieved passage as (source, text)."""


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
    # 1-based ranks, among the first EVIDENCE_DEPTH passages, of those holding an evidence sentence;
    # None when the passage texts were not available (then the summary has no evidence figures).
    evidence_ranks: list[int] | None = field(default=None)


def evidence_text(chunk: Chunk) -> str:
    """The text of a passage that evidence is looked for in: what the retriever indexes (title,
    version and section path, then the chunk), so a sentence copied together with its heading
    ("Removed - H.263 ...") still matches."""
    return chunk.search_text


def _evidence_block(items: Sequence[Row]) -> dict[str, float]:
    """Evidence figures over the answerable questions that have evidence sentences."""
    scored = [
        r.evidence_ranks
        for r in items
        if not r.question.unanswerable and r.question.evidence and r.evidence_ranks is not None
    ]
    n = len(scored) or 1
    return {
        "evidence_n": len(scored),
        "evidence_recall@1": sum(evidence_recall_at(ranks, 1) for ranks in scored) / n,
        "evidence_recall@5": sum(evidence_recall_at(ranks, 5) for ranks in scored) / n,
        "evidence_mrr@10": sum(evidence_mrr_at(ranks, EVIDENCE_DEPTH) for ranks in scored) / n,
    }


def _summary(rows: Sequence[Row], k: int) -> dict[str, Any]:
    with_evidence = bool(rows) and all(r.evidence_ranks is not None for r in rows)

    def block(items: Sequence[Row]) -> dict[str, float]:
        answerable = [r for r in items if not r.question.unanswerable]
        n = len(answerable) or 1
        figures: dict[str, float] = {
            "n": len(items),
            f"recall@{k}": sum(
                recall_at(r.files, set(r.question.gold_files), k) for r in answerable
            )
            / n,
            "mrr@10": sum(mrr_at(r.files, set(r.question.gold_files), 10) for r in answerable) / n,
            "ndcg@10": sum(ndcg_at(r.files, set(r.question.gold_files), 10) for r in answerable)
            / n,
        }
        if with_evidence:
            figures.update(_evidence_block(items))
        return figures

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
        ranks = evidence_ranks(
            [evidence_text(p.chunk) for p in passages[:EVIDENCE_DEPTH]], q.evidence
        )
        rows.append(
            Row(q, files, abstained, text, [p.to_dict() for p in passages[:k]], seconds, ranks)
        )
        if tick:
            tick()
    return _summary(rows, k), rows


def evaluate_baseline(
    sources_for: Callable[[str, int], list[str]],
    questions: Sequence[RetrievalQuestion],
    k: int,
    tick: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """File-level figures of a retriever known only by the sources it returns (no evidence figures:
    see ``evaluate_baseline_rows`` for those)."""
    rows: list[Row] = []
    for q in questions:
        started = time.perf_counter()
        files = ranked_files(sources_for(q.question, 20))
        rows.append(Row(q, files, False, "", [], time.perf_counter() - started))
        if tick:
            tick()
    return _summary(rows, k)


def evaluate_baseline_rows(
    hits_for: Callable[[str, int], list[Hit]],
    questions: Sequence[RetrievalQuestion],
    k: int,
    tick: Callable[[], None] | None = None,
) -> tuple[dict[str, Any], list[Row]]:
    """Like ``evaluate_baseline`` for a retriever that returns (source, text) passages, so evidence
    figures are computed too. The baseline never abstains."""
    rows: list[Row] = []
    for q in questions:
        started = time.perf_counter()
        hits = hits_for(q.question, 20)
        seconds = time.perf_counter() - started
        files = ranked_files([source for source, _ in hits])
        ranks = evidence_ranks([text for _, text in hits[:EVIDENCE_DEPTH]], q.evidence)
        passages: list[dict[str, Any]] = [
            {"source": source, "text": text} for source, text in hits[:k]
        ]
        rows.append(Row(q, files, False, "", passages, seconds, ranks))
        if tick:
            tick()
    return _summary(rows, k), rows
