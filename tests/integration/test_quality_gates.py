"""Quality gates: headline retrieval figures on the bundled corpus against the checked-in floors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Settings
from bot.kb.embedder import SentenceTransformerEmbedder
from evals.datasets import load_retrieval_questions
from evals.runner import run_retrieval_eval
from tests.integration.conftest import REPO

pytestmark = pytest.mark.integration


def test_bundled_retrieval_meets_floors(
    tmp_path: Path, real_embedder: SentenceTransformerEmbedder
) -> None:
    floors = json.loads((REPO / "evals/floors.json").read_text())
    questions = load_retrieval_questions(REPO / "evals/datasets/bundled_kb.jsonl")
    settings = Settings(paths={"data_dir": tmp_path})  # type: ignore[arg-type]
    report = run_retrieval_eval(
        settings,
        REPO / "knowledge/docs",
        questions,
        5,
        ["hybrid", "bm25", "dense"],
        show_progress=False,
        embedder=real_embedder,
    )
    modes = report["modes"]
    hybrid = modes["hybrid"]["overall"]
    best_single = max(modes["bm25"]["overall"]["recall@5"], modes["dense"]["overall"]["recall@5"])
    assert hybrid["recall@5"] >= floors["bundled_hybrid_recall@5"]
    assert hybrid["mrr@10"] >= floors["bundled_hybrid_mrr@10"]
    assert hybrid["recall@5"] - best_single >= floors["bundled_hybrid_minus_best_single_recall@5"]
