"""Fixtures for the dialogue tests: the bundled flows, inline flows, and the real model (integration)."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.dialogue.loader import LoadResult, load_flow_text, load_flows
from bot.dialogue.router import Router
from bot.dialogue.schema import Flow

ROOT = Path(__file__).resolve().parents[2]
FLOWS_DIR = ROOT / "knowledge" / "flows"
DATASETS = ROOT / "evals" / "datasets"
AT = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def flow_from(text: str, file: str = "inline.yaml") -> Flow:
    """A flow written inline as YAML (Rasa style); raises its first definition error."""
    return load_flow_text(textwrap.dedent(text), file=file)


@pytest.fixture(scope="session")
def bundled() -> LoadResult:
    return load_flows(FLOWS_DIR)


@pytest.fixture(scope="session")
def bundled_flows(bundled: LoadResult) -> dict[str, Flow]:
    return bundled.by_id()


@pytest.fixture(scope="session")
def real_router(bundled: LoadResult) -> Router:
    """The router over the bundled flows with the real all-MiniLM-L6-v2 model, loaded once."""
    from bot.kb.embedder import SentenceTransformerEmbedder

    router = Router(bundled.flows, SentenceTransformerEmbedder())
    router.warm_up()
    return router
