"""The answer understander on the two answer tables: the one its rules were tuned on, and the
held-out one written apart from any tuning. Floors, not hopes: a change that reads fewer replies
right fails here."""

from __future__ import annotations

from pathlib import Path

from bot.service.runtime import load_bundled_flows
from evals.answers import evaluate_answers

REPO = Path(__file__).resolve().parents[2]
TUNING = REPO / "evals/datasets/answers.jsonl"
HOLDOUT = REPO / "evals/datasets/answers.holdout.jsonl"


def test_the_tuning_table_is_read_right() -> None:
    report = evaluate_answers(TUNING, load_bundled_flows(REPO / "knowledge/flows"))
    assert report["rows"] >= 300
    assert report["accuracy"]["accuracy"] >= 0.95, report["wrong"]
    assert report["not_understood_on_clear_replies"] <= 2, report["wrong"]


def test_the_held_out_table_is_read_right() -> None:
    report = evaluate_answers(HOLDOUT, load_bundled_flows(REPO / "knowledge/flows"))
    assert report["rows"] >= 160
    assert report["accuracy"]["accuracy"] >= 0.86
