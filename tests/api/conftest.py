from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.api.state import ServiceState
from bot.config import Settings
from bot.kb.embedder import FakeEmbedder
from bot.service.runtime import build_runtime

REPO = Path(__file__).resolve().parents[2]
ENGINEER = {"X-API-Key": "test-key"}


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    return Settings(
        paths={  # type: ignore[arg-type]
            "data_dir": tmp_path / "var",
            "accounts_dir": REPO / "knowledge/accounts",
            "flows_dir": REPO / "knowledge/flows",
            "releases_file": REPO / "knowledge/releases.yaml",
            "kcs_file": REPO / "knowledge/kcs.yaml",
        },
        server={"engineer_api_keys": ["test-key"], "stream_seconds": 0.05},  # type: ignore[arg-type]
    )


@pytest.fixture
def client(api_settings: Settings) -> Iterator[TestClient]:
    state = ServiceState(api_settings)
    state.runtime = build_runtime(api_settings, embedder=FakeEmbedder(), metrics=state.metrics)
    with TestClient(create_app(api_settings, state=state, start_background=False)) as c:
        yield c


def start(client: TestClient, code: str = "DEMO-1234") -> tuple[str, dict[str, str]]:
    r = client.post("/api/v1/sessions", json={"access_code": code})
    assert r.status_code == 201, r.text
    body = r.json()
    return body["session_id"], {"Authorization": f"Bearer {body['token']}"}


@pytest.fixture
def kb_client(api_settings: Settings, corpus: Path, tmp_path: Path) -> Iterator[TestClient]:
    """A client whose knowledge base holds the small test corpus (with an engineer bulletin)."""
    from bot.kb.schema import IndexLayout
    from bot.kb.service import KnowledgeBase
    from bot.kb.vectorstore import InMemoryVectorStore
    from ingest.pipeline import Ingestor

    state = ServiceState(api_settings)
    runtime = build_runtime(api_settings, embedder=FakeEmbedder(), metrics=state.metrics)
    store, root = InMemoryVectorStore(), tmp_path / "kb-index"
    Ingestor(IndexLayout(root), runtime.embedder, store).run([corpus])
    runtime.kb = runtime.assistant.conversation.kb = KnowledgeBase(
        root, runtime.embedder, store, abstain_threshold=0.0
    )
    state.runtime = runtime
    with TestClient(create_app(api_settings, state=state, start_background=False)) as c:
        yield c


HAND_OFF = (
    {"choice": "person"},
    {"text": "Dana"},
    {"text": "+1 617 555 0100"},
    {"choice": "yes"},
    {"choice": "yes"},
)


def hand_off(
    client: TestClient, code: str = "DEMO-1234", opening: str | None = None
) -> tuple[str, dict[str, str], str]:
    """A chat that asks for a person and answers the representative questions: (session id, auth
    headers, handoff id)."""
    sid, auth = start(client, code)
    url = f"/api/v1/sessions/{sid}/messages"
    if opening:
        client.post(url, json={"text": opening}, headers=auth)
    for body in HAND_OFF:
        last = client.post(url, json=body, headers=auth).json()
    assert last["state"]["status"] == "handed_off", last
    return sid, auth, last["state"]["handoff_id"]
