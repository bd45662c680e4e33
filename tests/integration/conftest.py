"""Integration fixtures: the real packaged model, loaded once for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.kb.embedder import SentenceTransformerEmbedder

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def real_embedder() -> Iterator[SentenceTransformerEmbedder]:
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    yield embedder


@pytest.fixture(scope="session")
def bundled_index(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder
) -> Path:
    """The bundled knowledge base ingested once into embedded Chroma + BM25."""
    from bot.kb.schema import IndexLayout, collection_name
    from bot.kb.vectorstore import ChromaVectorStore
    from ingest.pipeline import Ingestor

    root = tmp_path_factory.mktemp("bundled-index")
    name = collection_name("kb", real_embedder.name, real_embedder.dimension)
    store = ChromaVectorStore.embedded(IndexLayout(root).chroma, name, real_embedder)
    report = Ingestor(IndexLayout(root), real_embedder, store).run([REPO / "knowledge" / "docs"])
    assert not report.failed, report.failed
    return root
