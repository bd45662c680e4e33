"""Integration fixtures: the real packaged model, loaded once for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.kb.embedder import Embedder

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def real_embedder() -> Iterator[Embedder]:
    """The embedder the product runs by default (ONNX Runtime over the packaged model)."""
    from bot.kb.onnx_embedder import OnnxEmbedder
    from tests.conftest import ONNX_CACHE

    embedder = OnnxEmbedder(cache_dir=ONNX_CACHE)
    embedder.warm_up()
    yield embedder


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> Path:
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


@dataclass(frozen=True)
class ServerIndex:
    """The bundled knowledge base ingested into a running ``chroma run`` server; ``data_dir``
    holds the BM25 generations and the manifest (``<data_dir>/index``), as a worker expects."""

    data_dir: Path
    host: str
    port: int


@pytest.fixture(scope="session")
def server_index(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder
) -> Iterator[ServerIndex]:
    from bot.cluster import chroma_server
    from bot.kb.schema import IndexLayout, collection_name
    from bot.kb.vectorstore import ChromaVectorStore
    from ingest.pipeline import Ingestor

    data_dir = tmp_path_factory.mktemp("server-index")
    with chroma_server(data_dir / "chroma-server", log=data_dir / "chroma.log") as (host, port):
        name = collection_name("kb", real_embedder.name, real_embedder.dimension)
        store = ChromaVectorStore.http(host, port, name, real_embedder)
        layout = IndexLayout(data_dir / "index")
        report = Ingestor(layout, real_embedder, store).run([REPO / "knowledge" / "docs"])
        assert not report.failed, report.failed
        yield ServerIndex(data_dir, host, port)
