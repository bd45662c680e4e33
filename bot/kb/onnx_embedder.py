"""The ONNX Runtime embedder: the packaged model's vectors without torch at encode time.

Texts are tokenised with the model's own ``tokenizer.json`` (the Rust tokenizer sentence-transformers
uses), sorted by length and batched, so a batch pads only to its own longest text. The model file
is exported once into the data folder (``bot.kb.onnx_export``); loading happens in ``warm_up()``.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.errors import ModelUnavailableError
from bot.kb.embedder import OFFLINE_ENV, packaged_model_path
from bot.kb.onnx_export import OUTPUT, Variant, exported_model

if TYPE_CHECKING:
    from bot.config import EmbeddingSettings

DEFAULT_MAX_TOKENS = 256


class OnnxEmbedder:
    """Same protocol as ``SentenceTransformerEmbedder``; thread-safe lazy load."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        cache_dir: Path,
        variant: Variant = "fp32",
        batch_size: int = 64,
        threads: int = 0,
    ) -> None:
        self._model_path = Path(model_path) if model_path else None
        self._cache_dir = cache_dir
        self._variant = variant
        self._batch_size = batch_size
        self._threads = threads
        self._loaded: tuple[Any, Any] | None = None  # (session, tokenizer)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: EmbeddingSettings, cache_dir: Path) -> OnnxEmbedder:
        variant: Variant = "int8" if settings.backend == "onnx-int8" else "fp32"
        return cls(
            settings.model,
            cache_dir=cache_dir,
            variant=variant,
            batch_size=settings.batch_size,
            threads=settings.threads,
        )

    @property
    def source(self) -> Path:
        return self._model_path or packaged_model_path()

    @property
    def name(self) -> str:
        """fp32 vectors equal the torch model's, so both share an index; int8 ones get their own."""
        base = self._model_path.name if self._model_path else "all-MiniLM-L6-v2"
        return base if self._variant == "fp32" else f"{base}-int8"

    @functools.cached_property
    def dimension(self) -> int:
        """Read once from the model folder (every encode sizes its output with it)."""
        pooling = self.source / "1_Pooling" / "config.json"
        try:
            return int(json.loads(pooling.read_text())["word_embedding_dimension"])
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailableError(
                f"cannot read the embedding dimension from {pooling}: {exc}; "
                "ASSIST_EMBEDDING__MODEL must be a local sentence-transformers folder "
                "(a hub name is never downloaded)",
                setting="ASSIST_EMBEDDING__MODEL",
            ) from exc

    @property
    def is_warm(self) -> bool:
        return self._loaded is not None

    def warm_up(self) -> None:
        self._load()

    def _load(self) -> tuple[Any, Any]:
        if self._loaded is not None:
            return self._loaded
        with self._lock:
            if self._loaded is None:
                self._loaded = self._open()
        return self._loaded

    def _open(self) -> tuple[Any, Any]:
        os.environ.update(OFFLINE_ENV)
        source = self.source
        if not (source / "tokenizer.json").is_file():
            raise ModelUnavailableError(
                f"no tokenizer.json in {source}; set ASSIST_EMBEDDING__MODEL to a local "
                "sentence-transformers folder or ASSIST_EMBEDDING__BACKEND=torch",
                setting="ASSIST_EMBEDDING__MODEL",
            )
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_file = exported_model(source, self._cache_dir, self._variant)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self._threads  # 0: one per core
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=_max_tokens(source))
        tokenizer.no_padding()
        return session, tokenizer

    def _encode(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids), reverse=True)
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            batch = order[start : start + self._batch_size]
            width = len(encodings[batch[0]].ids)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, i in enumerate(batch):
                tokens = encodings[i].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[batch] = session.run([OUTPUT], feeds)[0]
        return out.tolist()  # type: ignore[no-any-return]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._encode(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]


def _max_tokens(source: Path) -> int:
    config = source / "sentence_bert_config.json"
    try:
        return int(json.loads(config.read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return DEFAULT_MAX_TOKENS
