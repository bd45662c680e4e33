"""Quality gates: the quick eval (bundled corpus, router, scenarios, escalation table) against the
checked-in floors in evals/floors.json. A figure below its floor fails `make test`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.kb.embedder import Embedder
from evals.report import headline, run_all
from tests.integration.conftest import REPO

pytestmark = pytest.mark.integration


def check_floors(figures: dict[str, float], floors: dict[str, Any]) -> list[str]:
    """Every floor that a figure falls below, as a readable line (empty: all gates pass)."""
    best_single = max(figures["bundled_bm25_recall@5"], figures["bundled_dense_recall@5"])
    derived = {
        **figures,
        "bundled_hybrid_minus_best_single_recall@5": figures["bundled_hybrid_recall@5"]
        - best_single,
    }
    return [
        f"{name}: {derived[name]:.4f} is below its floor {floor}"
        for name, floor in floors.items()
        if isinstance(floor, (int, float)) and derived[name] < floor
    ]


def test_a_figure_below_its_floor_fails_the_gate() -> None:
    figures = {
        "bundled_hybrid_recall@5": 0.85,
        "bundled_bm25_recall@5": 0.8,
        "bundled_dense_recall@5": 0.9,
        "router_accuracy": 0.99,
    }
    problems = check_floors(
        figures,
        {
            "bundled_hybrid_recall@5": 0.9,
            "router_accuracy": 0.95,
            "bundled_hybrid_minus_best_single_recall@5": 0.0,
        },
    )
    assert problems == [
        "bundled_hybrid_recall@5: 0.8500 is below its floor 0.9",
        "bundled_hybrid_minus_best_single_recall@5: -0.0500 is below its floor 0.0",
    ]


def test_quick_eval_meets_the_floors(
    tmp_path: Path, real_embedder: Embedder, bundled_index: Path
) -> None:
    floors = json.loads((REPO / "evals/floors.json").read_text())
    settings = Settings(
        paths={
            "data_dir": tmp_path,
            "flows_dir": REPO / "knowledge/flows",  # type: ignore[arg-type]
            "accounts_dir": REPO / "knowledge/accounts",
        }
    )
    report = run_all(
        settings, real_embedder, tmp_path / "reports", quick=True, bundled_index=bundled_index
    )
    figures = headline(report)
    assert check_floors(figures, floors) == []
    assert (Path(report["folder"]) / "report.md").is_file()
