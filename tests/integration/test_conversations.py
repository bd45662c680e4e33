"""Whole conversations over the REST API, typed in free text by a simulated user
(evals/datasets/conversations.yaml): the right device, the contract's route and dates, the
representative, nothing asked twice, nothing misunderstood, safety first, the contract state
before the contact questions. Every scenario must pass; the failures are listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.kb.embedder import Embedder
from evals.conversations import load_scenarios, run_suite
from tests.integration.conftest import REPO

pytestmark = pytest.mark.integration
DATASET = REPO / "evals/datasets/conversations.yaml"


def test_the_suite_is_big_enough_to_mean_something() -> None:
    scenarios = load_scenarios(DATASET)
    assert len(scenarios) >= 80
    assert len({s.id for s in scenarios}) == len(scenarios)
    assert len({s.site for s in scenarios}) >= 4


def test_every_conversation_ends_as_the_rules_say(
    tmp_path: Path, real_embedder: Embedder, bundled_index: Path
) -> None:
    settings = Settings(
        paths={  # type: ignore[arg-type]
            "data_dir": tmp_path / "var",
            "flows_dir": REPO / "knowledge/flows",
            "accounts_dir": REPO / "knowledge/accounts",
            "releases_file": REPO / "knowledge/releases.yaml",
        }
    )
    report, _ = run_suite(settings, real_embedder, bundled_index, DATASET)
    assert report["failed"] == [], f"{report['passed']}/{report['scenarios']} passed"
