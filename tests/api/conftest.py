from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.api.state import ServiceState
from bot.config import Settings
from bot.kb.embedder import FakeEmbedder
from bot.runtime import build_runtime

REPO = Path(__file__).resolve().parents[2]
ENGINEER = {"X-API-Key": "test-key"}


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    return Settings(
        paths={  # type: ignore[arg-type]
            "data_dir": tmp_path / "var",
            "accounts_dir": REPO / "knowledge/accounts",
            "flows_dir": REPO / "knowledge/flows",
        },
        server={"engineer_api_keys": ["test-key"]},  # type: ignore[arg-type]
    )


@pytest.fixture
def client(api_settings: Settings) -> Iterator[TestClient]:
    state = ServiceState(api_settings)
    state.runtime = build_runtime(api_settings, embedder=FakeEmbedder())
    with TestClient(create_app(api_settings, state=state, start_background=False)) as c:
        yield c


def start(client: TestClient, code: str = "DEMO-1234") -> tuple[str, dict[str, str]]:
    r = client.post("/api/v1/sessions", json={"access_code": code})
    assert r.status_code == 201, r.text
    body = r.json()
    return body["session_id"], {"Authorization": f"Bearer {body['token']}"}
