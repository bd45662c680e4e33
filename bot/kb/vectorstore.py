"""Dense vector stores behind one protocol: Chroma (embedded or server) and an in-memory one for tests.

Vectors are computed by our ``Embedder`` and passed in; Chroma is still given our embedder as its
embedding function, also when a collection is reopened, so it never falls back to its default (which
would download ONNX weights).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from bot.errors import StoreUnavailableError
from bot.kb.embedder import Embedder

if TYPE_CHECKING:
    from pathlib import Path

Where = Mapping[str, str | Sequence[str]]


class VectorStore(Protocol):
    """Stores unit vectors by id with flat string metadata; nearest neighbours by cosine."""

    def upsert(
        self,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]],
        metadatas: Sequence[dict[str, Any]],
    ) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def ids(self) -> set[str]: ...

    def count(self) -> int: ...

    def query(
        self, vector: Sequence[float], k: int, where: Where | None = None
    ) -> list[tuple[str, float]]: ...

    def ping(self) -> None: ...


def _matches(meta: Mapping[str, Any], where: Where | None) -> bool:
    if not where:
        return True
    for key, wanted in where.items():
        if isinstance(wanted, str):
            if meta.get(key) != wanted:
                return False
        elif meta.get(key) not in wanted:
            return False
    return True


class InMemoryVectorStore:
    """Exact search over numpy arrays; the reference implementation for the contract tests."""

    def __init__(self) -> None:
        self._vectors: dict[str, np.ndarray] = {}
        self._meta: dict[str, dict[str, Any]] = {}

    def upsert(
        self,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        for i, v, m in zip(ids, vectors, metadatas, strict=True):
            self._vectors[i] = np.asarray(v, dtype=np.float32)
            self._meta[i] = dict(m)

    def delete(self, ids: Sequence[str]) -> None:
        for i in ids:
            self._vectors.pop(i, None)
            self._meta.pop(i, None)

    def ids(self) -> set[str]:
        return set(self._vectors)

    def count(self) -> int:
        return len(self._vectors)

    def query(
        self, vector: Sequence[float], k: int, where: Where | None = None
    ) -> list[tuple[str, float]]:
        q = np.asarray(vector, dtype=np.float32)
        scored = [
            (i, float(v @ q)) for i, v in self._vectors.items() if _matches(self._meta[i], where)
        ]
        scored.sort(key=lambda t: t[1], reverse=True)
        return scored[:k]

    def ping(self) -> None:
        return None


def _chroma_where(where: Where | None) -> dict[str, Any] | None:
    if not where:
        return None
    clauses: list[dict[str, Any]] = []
    for key, wanted in where.items():
        if isinstance(wanted, str):
            clauses.append({key: {"$eq": wanted}})
        else:
            clauses.append({key: {"$in": list(wanted)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _embedding_function(embedder: Embedder) -> Any:
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class _OurEmbeddings(EmbeddingFunction[Documents]):
        """Chroma's view of our embedder (never Chroma's default)."""

        def __init__(self) -> None:
            self._embedder = embedder

        def __call__(self, input: Documents) -> Embeddings:
            return [np.asarray(v, dtype=np.float32) for v in embedder.embed_documents(list(input))]

        @staticmethod
        def name() -> str:
            return "protelecom-assist"

        def get_config(self) -> dict[str, Any]:
            return {"model": embedder.name}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> _OurEmbeddings:
            return _OurEmbeddings()  # bound to the embedder this store was opened with

        def default_space(self) -> str:  # type: ignore[override]
            return "cosine"

    return _OurEmbeddings()


class ChromaVectorStore:
    """Chroma adapter: a PersistentClient folder (embedded) or a ``chroma run`` server (http)."""

    def __init__(self, client: Any, collection_name: str, embedder: Embedder) -> None:
        self._client = client
        self._name = collection_name
        self._collection = client.get_or_create_collection(
            name=collection_name,
            embedding_function=_embedding_function(embedder),
            metadata={"hnsw:space": "cosine"},
        )

    @classmethod
    def embedded(cls, path: Path, collection_name: str, embedder: Embedder) -> ChromaVectorStore:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
        return cls(client, collection_name, embedder)

    @classmethod
    def http(
        cls, host: str, port: int, collection_name: str, embedder: Embedder
    ) -> ChromaVectorStore:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        try:
            client = chromadb.HttpClient(
                host=host, port=port, settings=ChromaSettings(anonymized_telemetry=False)
            )
            return cls(client, collection_name, embedder)
        except Exception as exc:  # connection errors come in several types
            raise StoreUnavailableError(
                f"Chroma server at {host}:{port} is unreachable: {exc}", backend="chroma"
            ) from exc

    def upsert(
        self,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        batch = 1000
        for start in range(0, len(ids), batch):
            end = start + batch
            self._collection.upsert(
                ids=list(ids[start:end]),
                embeddings=[list(map(float, v)) for v in vectors[start:end]],
                metadatas=list(metadatas[start:end]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        batch = 1000
        for start in range(0, len(ids), batch):
            self._collection.delete(ids=list(ids[start : start + batch]))

    def ids(self) -> set[str]:
        try:
            return set(self._collection.get(include=[])["ids"])
        except Exception as exc:
            raise StoreUnavailableError(f"Chroma is unreachable: {exc}", backend="chroma") from exc

    def count(self) -> int:
        try:
            return int(self._collection.count())
        except Exception as exc:
            raise StoreUnavailableError(f"Chroma is unreachable: {exc}", backend="chroma") from exc

    def query(
        self, vector: Sequence[float], k: int, where: Where | None = None
    ) -> list[tuple[str, float]]:
        n = min(k, self.count())
        if n == 0:
            return []
        try:
            res = self._collection.query(
                query_embeddings=[list(map(float, vector))],
                n_results=n,
                where=_chroma_where(where),
                include=["distances"],
            )
        except Exception as exc:
            raise StoreUnavailableError(f"Chroma query failed: {exc}", backend="chroma") from exc
        return [
            (i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)
        ]

    def ping(self) -> None:
        try:
            self._client.heartbeat()
        except Exception as exc:
            raise StoreUnavailableError(f"Chroma is unreachable: {exc}", backend="chroma") from exc
