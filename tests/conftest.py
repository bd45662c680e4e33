"""Shared fixtures. Unit tests may not open network sockets; every test writes under tmp_path."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.config import Settings
from bot.kb.embedder import FakeEmbedder
from bot.store.store import NewHandoff, Store

_real_connect = socket.socket.connect


def pytest_configure(config: pytest.Config) -> None:
    # Session- and module-scoped fixtures (servers, indexes) run outside the per-test environment.
    __import__("os").environ[ONNX_CACHE_ENV] = str(ONNX_CACHE)
    # No per-example time limit: the machines are shared, and speed is the benchmarks' business.
    hypothesis_settings.register_profile("assist", deadline=None)
    hypothesis_settings.load_profile("assist")


@pytest.fixture(autouse=True)
def _no_network_in_unit_tests(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if request.node.get_closest_marker("integration"):
        return

    def guarded(self: socket.socket, address: object) -> None:
        if self.family == socket.AF_UNIX:
            return _real_connect(self, address)  # type: ignore[arg-type]
        raise RuntimeError(f"unit tests may not open network sockets (tried {address!r})")

    monkeypatch.setattr(socket.socket, "connect", guarded)


# The ONNX export of the packaged model, shared by every test and every server a test starts
# (exporting takes seconds and a torch import); a file lock serialises parallel workers.
ONNX_CACHE = Path(__file__).resolve().parents[1] / ".pytest_cache" / "onnx-models"
ONNX_CACHE_ENV = "ASSIST_EMBEDDING__CACHE_DIR"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(__import__("os").environ):
        if key.startswith("ASSIST_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv(ONNX_CACHE_ENV, str(ONNX_CACHE))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(paths={"data_dir": tmp_path / "var"})  # type: ignore[arg-type]


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder(dimension=64)


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[Path]:
    """A small corpus in every format: two codec releases, a changelog, a guide, a bulletin."""
    root = tmp_path / "docs"
    write(
        root,
        "codec/release-notes/9.4.1.md",
        "---\ntitle: Codec 9.4.1 Release Notes\nproduct: codec\ndoc_type: release_notes\n"
        'versions: ["9.4.1"]\nreleased: 2026-06-08\naudience: customer\n---\n'
        "# Codec 9.4.1 Release Notes\n\n## Fixed issues\n\n"
        "- CX-4821: The second display showed no signal after waking from standby (HDMI handshake).\n"
        "- CX-4838: Call statistics froze after 60 minutes.\n\n"
        "## Known issues\n\n- CX-4809: Far-end camera control is slow on H.323 calls.\n",
    )
    write(
        root,
        "codec/release-notes/9.4.0.md",
        "---\ntitle: Codec 9.4.0 Release Notes\nproduct: codec\ndoc_type: release_notes\n"
        'versions: ["9.4.0"]\nreleased: 2026-05-11\n---\n'
        "# Codec 9.4.0 Release Notes\n\n## New features\n\n"
        "- CEC display standby after a configurable idle time.\n\n## Known issues\n\n"
        "- CX-4821: Display 2 may show no signal after the display wakes from standby.\n",
    )
    write(
        root,
        "panel/CHANGELOG.md",
        "---\ntitle: Panel Changelog\nproduct: panel\ndoc_type: release_notes\n---\n"
        "# Changelog\n\n## [2.2.0] - 2026-06-01\n\n### Fixed\n\n"
        "- TX-612: The panel showed Connecting forever after the codec certificate was renewed.\n\n"
        "## [2.1.0] - 2026-02-23\n\n### Added\n\n- Room booking on the panel home screen.\n",
    )
    write(
        root,
        "panel/guides/lock.rst",
        "Panel lock\n==========\n\n:product: panel\n:doc_type: how_to\n:audience: customer\n\n"
        "Enabling the lock\n-----------------\n\nOpen Settings > Security and choose Lock. "
        "Hold the top-right corner for five seconds to leave kiosk mode.\n",
    )
    write(
        root,
        "codec/security/advisory.html",
        '<html><head><title>NSA-2026-03</title><meta name="product" content="codec">'
        '<meta name="doc_type" content="security_advisory"><meta name="versions" content="9.4.0">'
        "</head><body><h1>NSA-2026-03 web admin cross-site scripting</h1>"
        "<p>Affects 9.0.0 to 9.3.0. Fixed in 9.4.0. Upgrade to 9.4.0 or later.</p>"
        "<script>alert(1)</script></body></html>",
    )
    write(
        root,
        "codec/patch-notes/9.4.1.txt",
        "Title: Codec 9.4.1 Patch Note\nProduct: codec\nDoc-Type: patch_notes\nVersions: 9.4.1\n\n"
        "Fixed\n=====\n\nCX-4821: HDMI handshake on Display 2 after standby.\n",
    )
    write(
        root,
        "codec/bulletins/sb-01.md",
        "---\ntitle: SB-01 power supply\nproduct: codec\ndoc_type: service_bulletin\naudience: engineer\n---\n"
        "# SB-01\n\nReplace power supply NV-PSU-180-A with NV-PSU-180-B on units CX9-0001 to CX9-0999.\n",
    )
    yield root


# An engineer-only release note of a version no customer document mentions (for audience tests).
ENGINEER_ONLY_NOTE = (
    "codec/internal/9.6.0.md",
    "---\ntitle: Codec 9.6.0 internal build\nproduct: codec\ndoc_type: release_notes\n"
    'audience: engineer\nversions: ["9.6.0"]\n---\n# 9.6.0\n\n## Fixed\n\n'
    "- CX-9999: Internal fix for the power supply monitor.\n",
)


def queued_handoff(
    store: Store,
    handoff_id: str,
    at: datetime,
    deliveries: list[str],
    session_id: str | None = None,
) -> None:
    """A plain P2 network handoff for tests of what happens to it later (outbox, moves)."""
    store.add_handoff(
        NewHandoff(handoff_id, "s", "P2", "network", {"id": handoff_id}, "", (), deliveries),
        at,
        session_id=session_id,
    )
