"""Fixtures for the console tests: one fake-embedder index per session, a fresh database per test,
and the console's runtime factory pointed at the fake embedder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import ui.console.runtime as console_runtime
from bot.config import load_settings
from bot.kb.embedder import FakeEmbedder
from bot.service.runtime import Runtime, build_runtime
from tests.ui.environment import Seeded, build_index, console_env, seed_store

FAKE_DIMENSION = 64


@dataclass
class Console:
    """A seeded console environment: what was seeded, and a runtime of its own on the same data
    (as another process, the API, would have) to check what the console wrote."""

    seeded: Seeded
    other: Runtime
    builds: list[object]


@pytest.fixture(scope="session")
def fake_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("console-index")
    build_index(work / "index", work, FakeEmbedder(FAKE_DIMENSION))
    return work / "index"


@pytest.fixture
def console(tmp_path: Path, fake_index: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    for key, value in console_env(tmp_path / "var", fake_index).items():
        monkeypatch.setenv(key, value)
    builds: list[object] = []

    def fake_build(settings: object) -> Runtime:
        builds.append(settings)
        return build_runtime(settings, embedder=FakeEmbedder(FAKE_DIMENSION))  # type: ignore[arg-type]

    monkeypatch.setattr(console_runtime, "build_runtime", fake_build)
    console_runtime.get_runtime.clear()
    other = build_runtime(load_settings(), embedder=FakeEmbedder(FAKE_DIMENSION))
    yield Console(seed_store(other), other, builds)
    console_runtime.get_runtime.clear()
