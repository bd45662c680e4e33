"""The contract every VectorStore passes: in memory, Chroma embedded, and (integration tier) a real
``chroma run`` server reached over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.kb.embedder import FakeEmbedder
from bot.kb.vectorstore import ChromaVectorStore, InMemoryVectorStore, VectorStore
from tests.kb.chroma_server import chroma_server

Factory = Callable[[Path], VectorStore]
FACTORIES: dict[str, Factory] = {
    "memory": lambda tmp: InMemoryVectorStore(),
    "chroma-embedded": lambda tmp: ChromaVectorStore.embedded(
        tmp / "chroma", "contract", FakeEmbedder()
    ),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as address:
        yield address


@pytest.fixture(
    params=[*sorted(FACTORIES), pytest.param("chroma-server", marks=pytest.mark.integration)]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> VectorStore:
    if request.param == "chroma-server":
        host, port = request.getfixturevalue("server")
        name = f"contract-{uuid.uuid4().hex[:8]}"
        return ChromaVectorStore.http(host, port, name, FakeEmbedder())
    return FACTORIES[request.param](tmp_path)


def _fill(store: VectorStore) -> FakeEmbedder:
    e = FakeEmbedder()
    texts = [
        "hdmi handshake display two",
        "echo far end hears themselves",
        "panel connecting forever",
    ]
    store.upsert(
        ["a", "b", "c"],
        e.embed_documents(texts),
        [{"product": "codec"}, {"product": "audio"}, {"product": "panel"}],
    )
    return e


def test_upsert_query_and_count(store: VectorStore) -> None:
    e = _fill(store)
    assert store.count() == 3 and store.ids() == {"a", "b", "c"}
    hits = store.query(e.embed_query("hdmi handshake display"), 2)
    assert hits[0][0] == "a" and hits[0][1] > hits[1][1]


def test_upsert_is_idempotent_and_delete_removes(store: VectorStore) -> None:
    e = _fill(store)
    store.upsert(["a"], e.embed_documents(["hdmi handshake display two"]), [{"product": "codec"}])
    assert store.count() == 3
    store.delete(["a", "missing"])
    assert store.ids() == {"b", "c"}


def test_where_filters(store: VectorStore) -> None:
    e = _fill(store)
    only = store.query(e.embed_query("hdmi"), 5, {"product": "panel"})
    assert [i for i, _ in only] == ["c"]
    several = store.query(e.embed_query("hdmi"), 5, {"product": ["panel", "audio"]})
    assert {i for i, _ in several} == {"b", "c"}


def test_reopen_keeps_vectors(tmp_path: Path) -> None:
    first = ChromaVectorStore.embedded(tmp_path / "c", "reopen", FakeEmbedder())
    _fill(first)
    again = ChromaVectorStore.embedded(tmp_path / "c", "reopen", FakeEmbedder())
    assert again.count() == 3
