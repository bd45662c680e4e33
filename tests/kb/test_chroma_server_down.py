"""Chroma server down: readiness fails, knowledge answers fall back to BM25 and say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import StoreUnavailableError
from bot.kb.embedder import FakeEmbedder
from bot.kb.schema import IndexLayout
from bot.kb.service import KnowledgeBase
from bot.kb.vectorstore import ChromaVectorStore
from ingest.pipeline import Ingestor
from tests.kb.chroma_server import chroma_server

pytestmark = pytest.mark.integration


def test_answers_survive_the_chroma_server_going_down(tmp_path: Path, corpus: Path) -> None:
    embedder = FakeEmbedder()
    with chroma_server(tmp_path / "server") as (host, port):
        store = ChromaVectorStore.http(host, port, "down-test", embedder)
        Ingestor(IndexLayout(tmp_path / "index"), embedder, store).run([corpus])
        kb = KnowledgeBase(tmp_path / "index", embedder, store)
        assert kb.ask("TX-612 panel connecting certificate renewed").notices == []
    with pytest.raises(StoreUnavailableError):
        kb.store.ping()  # what /readyz checks
    answer = kb.ask("TX-612 panel connecting certificate renewed")
    assert not answer.abstained and "keyword search only" in answer.text
    assert answer.passages[0].chunk.version == "2.2.0"
