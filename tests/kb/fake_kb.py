"""A knowledge base over a folder with the fake embedder and an in-memory store: real ingest and
retrieval, no model, no threshold on the fake's similarities."""

from __future__ import annotations

from pathlib import Path

from bot.kb.embedder import FakeEmbedder
from bot.kb.schema import IndexLayout
from bot.kb.service import KnowledgeBase
from bot.kb.vectorstore import InMemoryVectorStore
from ingest.pipeline import Ingestor


def build(corpus: Path, root: Path) -> KnowledgeBase:
    store, embedder = InMemoryVectorStore(), FakeEmbedder()
    Ingestor(IndexLayout(root), embedder, store).run([corpus])
    return KnowledgeBase(root, embedder, store, abstain_threshold=0.0)
