"""A runtime on the bundled flows and accounts, with the fake embedder and a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.kb.embedder import FakeEmbedder
from bot.service.runtime import Runtime, build_runtime

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    settings = Settings(
        paths={  # type: ignore[arg-type]
            "data_dir": tmp_path / "var",
            "accounts_dir": REPO / "knowledge/accounts",
            "flows_dir": REPO / "knowledge/flows",
            "releases_file": REPO / "knowledge/releases.yaml",
        }
    )
    built = build_runtime(settings, embedder=FakeEmbedder())
    yield built
    built.store.engine.dispose()
