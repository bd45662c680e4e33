"""Evidence-level floors on the frozen test splits (questions never tuned on): a hit is a top-5
passage holding an evidence sentence. The bundled split runs in `make test`; the open-source split
needs the shared corpus ingested (about three minutes) and runs with the slow suites."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.kb.embedder import Embedder
from bot.kb.schema import IndexLayout, collection_name
from bot.kb.service import KnowledgeBase
from bot.kb.vectorstore import ChromaVectorStore
from evals.datasets import load_retrieval_questions
from evals.evidence_report import corpora
from evals.retrieval import Row, evaluate_kb
from tests.integration.conftest import REPO

pytestmark = pytest.mark.integration
FLOORS = json.loads((REPO / "evals/floors.json").read_text())["test_split"]


def figures(kb: KnowledgeBase, dataset: Path) -> dict[str, float]:
    questions = load_retrieval_questions(dataset)
    out: dict[str, float] = {}
    for mode in ("hybrid", "bm25", "dense"):
        _, rows = evaluate_kb(kb, questions, 5, mode)  # type: ignore[arg-type]
        out[f"{mode}_evidence_recall@5"] = _evidence_recall(rows)
        if mode == "hybrid":
            unanswerable = [r for r in rows if r.question.unanswerable]
            answerable = [r for r in rows if not r.question.unanswerable]
            out["abstention_recall"] = sum(r.abstained for r in unanswerable) / len(unanswerable)
            out["false_abstention"] = sum(r.abstained for r in answerable) / len(answerable)
    return out


def _evidence_recall(rows: Sequence[Row]) -> float:
    scored = [r for r in rows if r.question.evidence and r.evidence_ranks is not None]
    return sum(1 for r in scored if r.evidence_ranks and min(r.evidence_ranks) <= 5) / len(scored)


def check(corpus: str, got: dict[str, float]) -> list[str]:
    floors = FLOORS[corpus]
    problems = [
        f"{corpus} {name}: {got[name]:.3f} is below its floor {floor}"
        for name, floor in floors.items()
        if name != "false_abstention_max" and got[name] < floor
    ]
    if got["false_abstention"] > floors["false_abstention_max"]:
        problems.append(f"{corpus} false abstention {got['false_abstention']:.3f} is above its cap")
    best_single = max(got["bm25_evidence_recall@5"], got["dense_evidence_recall@5"])
    if got["hybrid_evidence_recall@5"] < best_single:
        problems.append(f"{corpus}: hybrid is below its best single retriever ({best_single:.3f})")
    return problems


def test_bundled_test_split_meets_its_evidence_floors(
    real_embedder: Embedder, bundled_index: Path
) -> None:
    name = collection_name("kb", real_embedder.name, real_embedder.dimension)
    store = ChromaVectorStore.embedded(IndexLayout(bundled_index).chroma, name, real_embedder)
    kb = KnowledgeBase(bundled_index, real_embedder, store)
    got = figures(kb, REPO / "evals/datasets/bundled_kb.test.jsonl")
    assert check("bundled", got) == [], got


@pytest.mark.slow
def test_open_source_test_split_meets_its_evidence_floors(
    tmp_path: Path, real_embedder: Embedder
) -> None:
    from ingest.pipeline import Ingestor

    spec = next(c for c in corpora() if c.name == "opensource-av")
    if not spec.folder.is_dir():
        pytest.skip(f"the shared corpus is not at {spec.folder}")
    settings = load_settings()
    name = collection_name(settings.index.collection, real_embedder.name, real_embedder.dimension)
    store = ChromaVectorStore.embedded(IndexLayout(tmp_path).chroma, name, real_embedder)
    Ingestor(IndexLayout(tmp_path), real_embedder, store).run([spec.folder])
    kb = KnowledgeBase(tmp_path, real_embedder, store)
    got = figures(kb, spec.datasets["test"])
    assert check("opensource-av", got) == [], got


def test_a_hybrid_below_its_best_single_retriever_fails_the_gate() -> None:
    got = {
        "hybrid_evidence_recall@5": 0.91,
        "bm25_evidence_recall@5": 0.93,
        "dense_evidence_recall@5": 0.7,
        "abstention_recall": 0.9,
        "false_abstention": 0.2,
    }
    problems = check("bundled", got)
    assert any("best single" in p for p in problems)
    assert any("false abstention" in p for p in problems)
