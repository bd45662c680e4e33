"""The knowledge base for engineers' own LangChain code: a retriever and an answer runnable.

Usage::

    from bot.config import load_settings
    from bot.kb.langchain_seam import KnowledgeBaseRetriever, answer_runnable
    from bot.kb.service import KnowledgeBase
    kb = KnowledgeBase.from_settings(load_settings())
    docs = KnowledgeBaseRetriever(kb=kb, k=3).invoke("which release fixed CX-4821?")
    reply = answer_runnable(kb).invoke("which release fixed CX-4821?")  # Answer.to_dict()

Both are thin: the retriever is ``KnowledgeBase.search`` (same passages, same order) and the
runnable is ``KnowledgeBase.ask`` (extractive, or the configured chat model checked against the
passages), so filters, audience masking and failing closed behave exactly as in the assistant.
Errors are not swallowed: an empty or oversized question raises ``InvalidQueryError`` and a version
filter that matches nothing raises ``VersionNotFoundError`` (naming the nearest versions), both
``AssistError``\\ s, through ``invoke``, ``batch`` and ``ainvoke`` alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import Field

from bot.kb.answer import citation_for
from bot.kb.retriever import Filters, Mode
from bot.kb.schema import Passage
from bot.kb.service import KnowledgeBase

MetadataValue = str | int | float | bool | None


def passage_metadata(n: int, passage: Passage) -> dict[str, MetadataValue]:
    """The citation of passage ``[n]`` as flat, Chroma-compatible metadata (scalars or None)."""
    c = passage.chunk
    citation = citation_for(n, passage)
    return {
        "n": n,
        "title": citation.title,
        "source": citation.source,
        "version": citation.version,
        "section": citation.section,
        "product": c.product,
        "doc_type": c.doc_type,
        "audience": c.audience,
        "chunk_id": c.id,
        "score": float(passage.score),  # plain floats: a store may hand back numpy scalars
        "similarity": float(passage.similarity),
    }


def passage_documents(passages: list[Passage]) -> list[Document]:
    """LangChain documents of ranked passages: the chunk text, its citation as metadata."""
    return [
        Document(page_content=p.chunk.text, metadata=passage_metadata(n, p), id=p.chunk.id)
        for n, p in enumerate(passages, start=1)
    ]


class KnowledgeBaseRetriever(BaseRetriever):
    """``KnowledgeBase.search`` as a LangChain retriever.

    Returns the passages best first, as ``Document``\\ s whose metadata is the citation (``n`` the
    1-based rank, ``title``, ``source``, ``version``, ``section``) plus ``product``, ``doc_type``,
    ``audience``, ``chunk_id``, ``score`` and ``similarity``. ``filters`` are hard filters; without
    them (or with ``Filters()``) only ``customer`` documents are returned, as for a site user; pass
    ``Filters(audience="engineer")`` to see engineer-only documents too.

    The search's notices (semantic search down, a version the question names that no document
    speaks of) are not carried on documents: use ``answer_runnable`` or ``KnowledgeBase.search``
    when they matter. ``InvalidQueryError`` and ``VersionNotFoundError`` propagate.
    """

    kb: Any  # a KnowledgeBase (Any: anything with its ``search``)
    k: int = Field(default=5, ge=1)
    filters: Filters | None = None
    mode: Mode = "hybrid"

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        result = self.kb.search(query, self.k, self.filters, self.mode)
        return passage_documents(result.passages)


def _question(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("question"), str):
        return str(value["question"])
    raise TypeError(
        f"expected a question string or a mapping with a 'question' string, got {type(value).__name__}"
    )


def answer_runnable(
    kb: KnowledgeBase, k: int = 5, filters: Filters | None = None, mode: Mode = "hybrid"
) -> Runnable[str | Mapping[str, Any], dict[str, Any]]:
    """``KnowledgeBase.ask`` as a runnable named ``knowledge_base_answer``.

    Input: a question string, or a mapping with a ``"question"`` key. Output: ``Answer.to_dict()``
    (``answer``, ``abstained``, ``citations``, ``passages``, ``evidence``, ``notices``,
    ``composer``). The knowledge base's own chat model, if any, composes the answer and is checked
    against the passages as usual; ``batch`` runs questions on a thread pool (limit it with
    ``config={"max_concurrency": n}``).
    """

    def ask(question: str | Mapping[str, Any]) -> dict[str, Any]:
        return kb.ask(_question(question), k, filters, mode).to_dict()

    return RunnableLambda(ask, name="knowledge_base_answer")
