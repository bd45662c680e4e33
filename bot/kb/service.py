"""The knowledge base as the rest of the assistant sees it: open, warm up, search, ask.

``KnowledgeBase.open`` reads the live index generation once; ``reload()`` picks up a new ingest,
and a search notices a generation another process published (an ``assist ingest``, a KCS article
published on another worker) within ``refresh_s`` seconds.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.errors import InvalidQueryError
from bot.kb.answer import Answer, compose_extractive, refusal
from bot.kb.embedder import Embedder, SentenceTransformerEmbedder
from bot.kb.lexical import LexicalIndex, current_generation
from bot.kb.lexicon import common_words
from bot.kb.onnx_embedder import OnnxEmbedder
from bot.kb.releases import compose_release
from bot.kb.retriever import Filters, HybridRetriever, Mode, RetrievalParams, SearchResult
from bot.kb.schema import Chunk, IndexLayout, collection_name
from bot.kb.vectorstore import ChromaVectorStore, VectorStore
from bot.kb.versions import in_family


def open_vector_store(settings: Settings, root: Path, embedder: Embedder) -> VectorStore:
    """The configured Chroma (embedded folder under the index root, or a server), with our embedder."""
    name = collection_name(settings.index.collection, embedder.name, embedder.dimension)
    if settings.index.chroma_mode == "http":
        return ChromaVectorStore.http(
            settings.index.chroma_host, settings.index.chroma_port, name, embedder
        )
    return ChromaVectorStore.embedded(IndexLayout(root).chroma, name, embedder)


def make_embedder(settings: Settings) -> Embedder:
    """The configured encoder (``ASSIST_EMBEDDING__BACKEND``), not yet loaded."""
    if settings.embedding.backend == "torch":
        return SentenceTransformerEmbedder.from_settings(settings.embedding)
    return OnnxEmbedder.from_settings(settings.embedding, settings.models_dir)


class KnowledgeBase:
    """Search and grounded answers over one index folder."""

    def __init__(
        self,
        root: Path,
        embedder: Embedder,
        store: VectorStore,
        *,
        params: RetrievalParams | None = None,
        abstain_threshold: float = 0.44,
        doubt_threshold: float = 0.61,
        max_question_chars: int = 2000,
        chat_model: Any = None,
    ) -> None:
        self.layout = IndexLayout(root)
        self.embedder = embedder
        self.store = store
        self.params = params or RetrievalParams()
        self.abstain_threshold = abstain_threshold
        self.doubt_threshold = doubt_threshold
        self.max_question_chars = max_question_chars
        self.chat_model = chat_model  # a LangChain chat model, or None for extractive answers
        self._lock = threading.Lock()
        self._common = common_words()  # everyday English, read once: see bot.kb.lexicon
        self._generation: str | None = None
        self._retriever = self._load()
        self._sources: tuple[HybridRetriever, dict[str, list[Chunk]]] | None = None
        self.refresh_s = 5.0  # how often a search looks at the live generation's pointer
        self._looked = time.monotonic()

    @classmethod
    def from_settings(
        cls, settings: Settings, root: Path | None = None, embedder: Embedder | None = None
    ) -> KnowledgeBase:
        root = root or settings.chroma_dir
        embedder = embedder or make_embedder(settings)
        r = settings.retrieval
        params = RetrievalParams(r.candidates, r.rrf_k, r.bm25_weight, r.dense_weight)
        chat_model = None
        if settings.llm.provider:
            from bot.kb.llm import make_chat_model

            chat_model = make_chat_model(settings.llm)
        return cls(
            root,
            embedder,
            open_vector_store(settings, root, embedder),
            params=params,
            abstain_threshold=r.abstain_threshold,
            doubt_threshold=r.doubt_threshold,
            max_question_chars=r.max_question_chars,
            chat_model=chat_model,
        )

    def _load(self) -> HybridRetriever:
        folder = current_generation(self.layout)
        lexical = LexicalIndex.load(folder) if folder else LexicalIndex([])
        self._generation = folder.name if folder else None
        return HybridRetriever(lexical, self.store, self.embedder, self.params, self._common)

    def _follow(self) -> None:
        """Reload when another process made a new generation live (looked at most every
        ``refresh_s`` seconds: one small file read)."""
        now = time.monotonic()
        if now - self._looked < self.refresh_s:
            return
        self._looked = now
        pointer = self.layout.current_pointer
        try:
            live = pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None
        except OSError:
            return
        if live != self._generation:
            self.reload()

    def reload(self) -> None:
        retriever = self._load()
        with self._lock:
            self._retriever = retriever

    @property
    def retriever(self) -> HybridRetriever:
        return self._retriever

    def document(self, source: str, audience: str = "customer") -> list[Chunk]:
        """The indexed chunks of the document ``source`` (the key citations carry), in document
        order; only ``customer`` chunks unless ``audience`` is ``engineer`` (as the retriever masks).
        A lookup in the live chunk table only: ``source`` never touches the file system."""
        self._follow()
        retriever = self._retriever
        index = self._sources
        if index is None or index[0] is not retriever:
            by_source: dict[str, list[Chunk]] = {}
            for chunk in retriever.chunks:
                by_source.setdefault(chunk.source, []).append(chunk)
            for chunks in by_source.values():
                chunks.sort(key=lambda c: c.position)
            index = self._sources = (retriever, by_source)
        chunks = index[1].get(source, [])
        if audience == "engineer":
            return list(chunks)
        return [c for c in chunks if c.audience == "customer"]

    def warm_up(self) -> None:
        """Load the model and the vector index now: the first search then costs what the rest do
        (Chroma reads its index into memory on the first query, over a second at 100k chunks)."""
        self.embedder.warm_up()
        self.store.query(self.embedder.embed_query("warm up"), 1)

    def _check(self, question: str) -> str:
        text = question.strip()
        if not text:
            raise InvalidQueryError("the question is empty")
        if len(text) > self.max_question_chars:
            raise InvalidQueryError(
                f"the question is {len(text)} characters; the limit is {self.max_question_chars}"
            )
        return text

    def search(
        self, question: str, k: int = 5, filters: Filters | None = None, mode: Mode = "hybrid"
    ) -> SearchResult:
        self._follow()
        return self._retriever.search(self._check(question), k, filters, mode)

    def _release_product(self, result: SearchResult, filters: Filters) -> str | None:
        """The product whose release a "what changed" question means: the one filtered on or named,
        else the only one with that version, else the best passage's."""
        analysis = result.analysis
        if filters.product:
            return filters.product
        if len(analysis.products) == 1:
            return analysis.products[0]
        retriever = self._retriever
        candidates = list(analysis.products) or sorted({c.product for c in retriever.chunks})
        having = [
            p
            for p in candidates
            if any(in_family(v, k) for v in analysis.versions for k in retriever.versions(p))
        ]
        if len(having) == 1:
            return having[0]
        return result.passages[0].chunk.product if result.passages else None

    def ask(
        self, question: str, k: int = 5, filters: Filters | None = None, mode: Mode = "hybrid"
    ) -> Answer:
        filters = filters or Filters()
        result = self.search(question, k, filters, mode)
        answer = refusal(question, result, self.doubt_threshold)
        if answer is None:
            product = self._release_product(result, filters)
            answer = compose_release(question, result, self._retriever, product, filters.audience)
        if answer is None:
            answer = compose_extractive(question, result, self.abstain_threshold)
        if self.chat_model is not None:
            from bot.kb.llm import compose_with_llm

            return compose_with_llm(self.chat_model, question, answer)
        return answer
