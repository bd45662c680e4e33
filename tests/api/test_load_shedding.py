"""Load shedding over the real API: a worker serving its limit answers the next request 503
``overloaded`` with Retry-After, before doing any of its work; a resend once a slot is free works,
and the refused request left nothing behind."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.api.state import ServiceState
from bot.config import Settings
from bot.kb.embedder import FakeEmbedder
from bot.service.runtime import build_runtime
from tests.api.conftest import REPO, start


class GatedEmbedder(FakeEmbedder):
    """A model that stalls on questions about zebras until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def embed_query(self, text: str) -> list[float]:
        if "zebra" in text.lower():
            self.entered.set()
            self.release.wait(10)
        return super().embed_query(text)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]


def test_a_full_worker_sheds_the_next_request_and_loses_nothing(
    tmp_path: Path, corpus: Path
) -> None:
    from bot.kb.schema import IndexLayout
    from bot.kb.service import KnowledgeBase
    from bot.kb.vectorstore import InMemoryVectorStore
    from ingest.pipeline import Ingestor

    settings = Settings(
        paths={  # type: ignore[arg-type]
            "data_dir": tmp_path / "var",
            "accounts_dir": REPO / "knowledge/accounts",
            "flows_dir": REPO / "knowledge/flows",
        },
        server={"max_inflight": 1, "queue_wait_ms": 50, "retry_after_s": 2},  # type: ignore[arg-type]
    )
    embedder = GatedEmbedder()
    state = ServiceState(settings)
    runtime = build_runtime(settings, embedder=embedder)
    store, root = InMemoryVectorStore(), tmp_path / "kb-index"
    Ingestor(IndexLayout(root), embedder, store).run([corpus])
    runtime.kb = runtime.assistant.conversation.kb = KnowledgeBase(
        root, runtime.embedder, store, abstain_threshold=0.0
    )
    state.runtime = runtime
    app = create_app(settings, state=state, start_background=False)
    with TestClient(app) as client:
        sid_a, auth_a = start(client)
        sid_b, auth_b = start(client, "DEMOPLUS-5678")
        slow: dict[str, int] = {}

        def ask_slowly() -> None:
            r = client.post(
                f"/api/v1/sessions/{sid_a}/messages",
                json={"text": "what do the release notes say about zebra stripes on display 2?"},
                headers=auth_a,
            )
            slow["status"] = r.status_code

        worker = threading.Thread(target=ask_slowly)
        worker.start()
        assert embedder.entered.wait(10), "the slow question never reached the model"
        refused = client.post(
            f"/api/v1/sessions/{sid_b}/messages", json={"text": "hello"}, headers=auth_b
        )
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "2"
        assert refused.json()["error"]["code"] == "overloaded"
        assert refused.headers["X-Request-ID"]  # the refusal can be found in the logs
        assert client.get("/readyz").status_code in (200, 503)  # health is never shed
        assert client.get("/healthz").status_code == 200
        embedder.release.set()
        worker.join(10)
        assert slow["status"] == 200
        again = client.post(
            f"/api/v1/sessions/{sid_b}/messages", json={"text": "hello"}, headers=auth_b
        )
        assert again.status_code == 200
        transcript = client.get(f"/api/v1/sessions/{sid_b}", headers=auth_b).json()
        said = [e["text"] for e in transcript["transcript"] if e["kind"] == "user"]
        assert said == ["hello"]  # the refused message was never taken in
        assert "\nassist_shed_requests_total 1.0\n" in client.get("/metrics").text
    shedder = next(m for m in app.user_middleware if m.cls.__name__ == "LoadShedder")
    assert shedder.kwargs["limit"] == 1
