"""The naive retriever a user would build first: LangChain's RecursiveCharacterTextSplitter (1000/200)
plus Chroma similarity search through langchain-chroma, with the same embedding model."""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from bot.kb.embedder import Embedder
from ingest.loaders import load_file
from ingest.walk import walk


class _LangChainEmbeddings:
    """Our embedder as a LangChain ``Embeddings`` (duck-typed: the two methods it calls)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._embedder.embed_query(text)


class NaiveBaseline:
    def __init__(self, corpus: Path, workdir: Path, embedder: Embedder) -> None:
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.seconds = 0.0
        started = time.perf_counter()
        docs: list[Document] = []
        candidates, _, _ = walk(corpus, 50_000_000)
        for cand in candidates:
            try:
                text = load_file(cand.path, cand.source).text
            except Exception:  # the naive pipeline just drops what it cannot read
                continue
            docs.append(Document(page_content=text, metadata={"source": cand.source}))
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        chunks = splitter.split_documents(docs)
        self.chunk_count = len(chunks)
        self._store = self._build(chunks, workdir, embedder)
        self.seconds = time.perf_counter() - started

    @staticmethod
    def _build(chunks: Sequence[object], workdir: Path, embedder: Embedder) -> object:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        if workdir.exists():
            shutil.rmtree(workdir)
        client = chromadb.PersistentClient(
            path=str(workdir), settings=ChromaSettings(anonymized_telemetry=False)
        )
        store = Chroma(
            client=client,
            collection_name="naive",
            embedding_function=_LangChainEmbeddings(embedder),  # type: ignore[arg-type]
            collection_metadata={"hnsw:space": "cosine"},
        )
        batch = 2000
        for start in range(0, len(chunks), batch):
            store.add_documents(list(chunks[start : start + batch]))  # type: ignore[arg-type]
        return store

    def sources(self, question: str, k: int) -> list[str]:
        hits = self._store.similarity_search(question, k=k)  # type: ignore[attr-defined]
        return [str(d.metadata["source"]) for d in hits]
