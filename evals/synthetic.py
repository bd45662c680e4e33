"""Synthetic knowledge bases for the scale benchmarks: chunks with a Zipf-distributed vocabulary and
random unit vectors, written as a real index folder (embedded Chroma + one lexical generation), so
what is measured is the search path and the serving process, not the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.kb.embedder import Embedder
from bot.kb.lexical import LexicalIndex, publish_generation
from bot.kb.schema import Chunk, IndexLayout, collection_name
from bot.kb.vectorstore import ChromaVectorStore

# The benchmarks' questions (their words are mixed into the synthetic chunks).
QUERIES = [
    "which firmware fixed the HDMI handshake on the CX-900?",
    "what changed in 4.2?",
    "panel shows connecting after certificate renewal",
    "far end hears an echo",
    "how do I pair the WX-B button",
    "does the CX-500 decode AV1",
]
VOCABULARY_SIZE = 30_000
COMMON_WORDS = (
    "hdmi",
    "codec",
    "display",
    "echo",
    "camera",
    "firmware",
    "panel",
    "network",
    "audio",
    "fixed",
)


def synthetic_chunks(n: int, dim: int, seed: int = 7) -> tuple[list[Chunk], np.ndarray]:
    """Chunks with a Zipf-distributed vocabulary of 30,000 words (real text is sparse: most words
    are rare), the bench queries' words mixed in, and random unit vectors."""
    rng = np.random.default_rng(seed)
    vocabulary = np.array([f"w{i}" for i in range(VOCABULARY_SIZE)])
    common = np.array(COMMON_WORDS)
    chunks = []
    for i in range(n):
        ranks = np.minimum(rng.zipf(1.3, 60), len(vocabulary)) - 1
        words = list(vocabulary[ranks]) + list(rng.choice(common, 3))
        text = " ".join(words) + f" ISSUE-{i}"
        chunks.append(
            Chunk(
                f"s{i:07d}",
                text,
                f"synthetic/{i // 50}.md",
                "Synthetic",
                f"p{i % 5}",
                "release_notes",
                "customer",
                f"1.{i % 40}.0",
                "Fixed issues",
            )
        )
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return chunks, vectors


def build_synthetic_index(
    root: Path, n: int, embedder: Embedder, collection: str = "kb"
) -> ChromaVectorStore:
    """Write ``n`` synthetic chunks under ``root`` as ``assist ingest`` would lay them out: vectors
    into the embedded Chroma collection the server opens for ``embedder``, and a live lexical
    generation. The embedder is only named, never run (the vectors are random)."""
    chunks, vectors = synthetic_chunks(n, embedder.dimension)
    layout = IndexLayout(root)
    store = ChromaVectorStore.embedded(
        layout.chroma, collection_name(collection, embedder.name, embedder.dimension), embedder
    )
    store.upsert([c.id for c in chunks], vectors.tolist(), [c.chroma_metadata() for c in chunks])
    publish_generation(layout, LexicalIndex(chunks))
    return store
