"""The LangChain seam: the retriever is ``KnowledgeBase.search``, the runnable ``KnowledgeBase.ask``."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda

from bot.errors import InvalidQueryError, VersionNotFoundError
from bot.kb.embedder import FakeEmbedder
from bot.kb.langchain_seam import KnowledgeBaseRetriever, answer_runnable
from bot.kb.retriever import Filters
from bot.kb.schema import IndexLayout
from bot.kb.service import KnowledgeBase
from bot.kb.vectorstore import InMemoryVectorStore
from ingest.pipeline import Ingestor
from tests.conftest import ENGINEER_ONLY_NOTE, write

QUESTION = "which firmware fixed the HDMI handshake CX-4821 on display 2?"
POWER = "power supply NV-PSU-180-B replacement CX-9999 monitor"
_CITE = re.compile(r"\[(\d+)\]")


def kb_with(tmp_path: Path, corpus: Path, model: object = None) -> KnowledgeBase:
    """The small test corpus (with the engineer bulletin and an engineer-only release note)."""
    write(corpus, *ENGINEER_ONLY_NOTE)
    store, embedder = InMemoryVectorStore(), FakeEmbedder()
    report = Ingestor(IndexLayout(tmp_path / "index"), embedder, store).run([corpus])
    assert not report.failed, report.failed
    return KnowledgeBase(
        tmp_path / "index", embedder, store, abstain_threshold=0.0, chat_model=model
    )


@pytest.fixture
def kb(tmp_path: Path, corpus: Path) -> KnowledgeBase:
    return kb_with(tmp_path, corpus)


@pytest.mark.parametrize(
    ("question", "k", "filters", "mode"),
    [
        (QUESTION, 5, None, "hybrid"),
        ("panel connecting certificate", 3, None, "bm25"),
        ("display standby", 4, Filters(product="codec"), "dense"),
        (POWER, 8, Filters(audience="engineer"), "hybrid"),
    ],
)
def test_retriever_returns_the_searchs_passages_in_order(
    kb: KnowledgeBase, question: str, k: int, filters: Filters | None, mode: str
) -> None:
    retriever = KnowledgeBaseRetriever(kb=kb, k=k, filters=filters, mode=mode)  # type: ignore[arg-type]
    docs = retriever.invoke(question)
    passages = kb.search(question, k, filters, mode).passages  # type: ignore[arg-type]
    assert passages, "the corpus should answer every question here"
    assert all(isinstance(d, Document) for d in docs)
    assert [d.metadata["source"] for d in docs] == [p.chunk.source for p in passages]
    assert [d.page_content for d in docs] == [p.chunk.text for p in passages]
    assert [d.metadata["chunk_id"] for d in docs] == [p.chunk.id for p in passages]
    assert [d.id for d in docs] == [p.chunk.id for p in passages]
    assert [d.metadata["n"] for d in docs] == list(range(1, len(passages) + 1))
    assert [d.metadata["score"] for d in docs] == [p.score for p in passages]


def test_documents_carry_the_citation_as_flat_metadata(kb: KnowledgeBase) -> None:
    docs = KnowledgeBaseRetriever(kb=kb).invoke(QUESTION)
    top = kb.search(QUESTION).passages[0]
    assert docs[0].metadata == {
        "n": 1,
        "title": top.chunk.title,
        "source": top.chunk.source,
        "version": top.chunk.version,
        "section": top.chunk.section,
        "product": "codec",
        "doc_type": top.chunk.doc_type,
        "audience": "customer",
        "chunk_id": top.chunk.id,
        "score": top.score,
        "similarity": top.similarity,
    }
    assert docs[0].metadata["version"] == "9.4.1" and docs[0].metadata["section"]
    for doc in docs:  # what Chroma (and langchain_chroma) accepts as metadata
        assert set(doc.metadata) >= {"n", "title", "source", "version", "section", "score"}
        assert "notices" not in doc.metadata and "quote" not in doc.metadata
        for key, value in doc.metadata.items():
            assert value is None or type(value) in (str, int, float, bool), (key, type(value))
    versionless = KnowledgeBaseRetriever(kb=kb, k=1).invoke("panel lock kiosk mode")
    assert versionless[0].metadata["source"] == "panel/guides/lock.rst"
    assert versionless[0].metadata["version"] is None


def test_a_customer_retriever_never_returns_engineer_documents(kb: KnowledgeBase) -> None:
    engineer = KnowledgeBaseRetriever(kb=kb, k=20, filters=Filters(audience="engineer"))
    found = engineer.invoke(POWER)
    engineer_only = {d.metadata["source"] for d in found if d.metadata["audience"] == "engineer"}
    assert engineer_only == {"codec/bulletins/sb-01.md", ENGINEER_ONLY_NOTE[0]}  # they exist
    for filters in (None, Filters(), Filters(product="codec")):
        customer = KnowledgeBaseRetriever(kb=kb, k=20, filters=filters).invoke(POWER)
        assert customer, filters
        assert {d.metadata["audience"] for d in customer} == {"customer"}
        assert not engineer_only & {d.metadata["source"] for d in customer}
        assert not any("NV-PSU-180-B" in d.page_content for d in customer)


def test_product_and_version_filters_are_honoured(kb: KnowledgeBase) -> None:
    panel = KnowledgeBaseRetriever(kb=kb, k=10, filters=Filters(product="panel")).invoke(QUESTION)
    assert panel and {d.metadata["product"] for d in panel} == {"panel"}
    exact = KnowledgeBaseRetriever(
        kb=kb, k=10, filters=Filters(product="codec", version="9.4.0")
    ).invoke("display standby known issues")
    assert exact and {d.metadata["version"] for d in exact} == {"9.4.0"}
    ranged = KnowledgeBaseRetriever(kb=kb, k=10, filters=Filters(version="9.4.0..9.4.1"))
    assert {d.metadata["version"] for d in ranged.invoke("fixed")} <= {"9.4.0", "9.4.1"}
    how_to = KnowledgeBaseRetriever(kb=kb, filters=Filters(doc_type="how_to")).invoke("lock")
    assert how_to and {d.metadata["doc_type"] for d in how_to} == {"how_to"}


def test_errors_propagate_as_assist_errors(kb: KnowledgeBase) -> None:
    missing = KnowledgeBaseRetriever(kb=kb, filters=Filters(product="codec", version="9.9"))
    with pytest.raises(VersionNotFoundError) as err:
        missing.invoke("anything")
    assert "9.4.1" in err.value.nearest
    # a version only the engineer-only note speaks of fails closed for a customer
    with pytest.raises(VersionNotFoundError):
        KnowledgeBaseRetriever(kb=kb, filters=Filters(version="9.6.0")).invoke("fixed")
    assert KnowledgeBaseRetriever(
        kb=kb, filters=Filters(version="9.6.0", audience="engineer")
    ).invoke("fixed")
    with pytest.raises(InvalidQueryError):
        KnowledgeBaseRetriever(kb=kb).invoke("   ")
    with pytest.raises(VersionNotFoundError):
        answer_runnable(kb, filters=Filters(product="codec", version="9.9")).invoke(QUESTION)
    with pytest.raises(TypeError):
        answer_runnable(kb).invoke({"query": QUESTION})


def test_retriever_is_a_langchain_retriever_that_batches_and_awaits(kb: KnowledgeBase) -> None:
    retriever = KnowledgeBaseRetriever(kb=kb, k=3)
    assert isinstance(retriever, BaseRetriever) and retriever.filters is None
    questions = [QUESTION, "TX-612 panel connecting", "panel lock kiosk mode"]
    batched = retriever.batch(questions)
    assert [[d.id for d in docs] for docs in batched] == [
        [p.chunk.id for p in kb.search(q, 3).passages] for q in questions
    ]
    assert batched[1][0].metadata["version"] == "2.2.0"
    awaited = asyncio.run(retriever.ainvoke(QUESTION))
    assert [d.id for d in awaited] == [d.id for d in batched[0]]
    with pytest.raises(ValueError):
        KnowledgeBaseRetriever(kb=kb, mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        KnowledgeBaseRetriever(kb=kb, k=0)


def test_answer_runnable_is_kb_ask(kb: KnowledgeBase) -> None:
    runnable = answer_runnable(kb)
    assert runnable.get_name() == "knowledge_base_answer"
    expected = kb.ask(QUESTION)
    out = runnable.invoke(QUESTION)
    assert out == expected.to_dict()
    assert out["answer"] == expected.text and not out["abstained"] and "CX-4821" in out["answer"]
    assert out["composer"] == "extractive"
    assert [c["source"] for c in out["citations"]] == [c.source for c in expected.citations]
    assert runnable.invoke({"question": QUESTION}) == out
    engineer = answer_runnable(kb, k=3, filters=Filters(audience="engineer"))
    bulletin = engineer.invoke("power supply NV-PSU-180-B replacement")
    assert bulletin["passages"][0]["doc_type"] == "service_bulletin"
    assert len(bulletin["passages"]) <= 3
    assert "NV-PSU-180-B" not in str(runnable.invoke("power supply NV-PSU-180-B replacement"))
    missing = runnable.invoke("what changed in codec 9.9?")  # fails closed, as kb.ask does
    assert missing["abstained"] and "9.4.1" in missing["answer"]


def test_answer_runnable_composes_and_batches(kb: KnowledgeBase) -> None:
    chain = RunnableLambda(str.strip) | answer_runnable(kb)
    out = chain.invoke(f"  {QUESTION}\n")
    assert out["answer"] == kb.ask(QUESTION).text
    questions = [QUESTION, "which release fixed TX-612?", "does the codec support bluetooth?"]
    batched = answer_runnable(kb).batch(questions)
    assert [o["answer"] for o in batched] == [kb.ask(q).text for q in questions]
    assert "2.2.0" in batched[1]["answer"]
    dicts = answer_runnable(kb).batch([{"question": q} for q in questions])
    assert dicts == batched


def test_a_chat_model_answer_cites_only_the_given_passages(tmp_path: Path, corpus: Path) -> None:
    reply = (
        "CX-4821, the missing signal on the second display after standby, is fixed in 9.4.1 [1]. "
        "The 9.4.1 patch note describes the same HDMI handshake fix [2]."
    )
    invented = "It was fixed in 9.4.1 [1]. Upgrade the codec [7]."
    model = FakeListChatModel(responses=[reply, invented])
    kb = kb_with(tmp_path, corpus, model)
    runnable = answer_runnable(kb)

    out = runnable.invoke({"question": QUESTION})
    assert out["composer"] == "llm" and out["answer"] == reply and not out["abstained"]
    cited = {c["n"] for c in out["citations"]}
    assert cited == {1, 2}
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", out["answer"]) if s.strip()]
    assert len(sentences) == 2
    for sentence in sentences:  # every sentence cites, and only passages it was given
        numbers = {int(n) for n in _CITE.findall(sentence)}
        assert numbers and numbers <= cited, sentence
    for citation in out["citations"]:  # [n] is the n-th passage the model saw
        assert citation["source"] == out["passages"][citation["n"] - 1]["source"]

    fallback = runnable.invoke(QUESTION)  # [7] names no passage: the extractive answer instead
    assert fallback["composer"] == "extractive" and invented not in fallback["answer"]
    assert "[7]" not in fallback["answer"]
    fallback_cited = {c["n"] for c in fallback["citations"]}
    assert {int(n) for n in _CITE.findall(fallback["answer"])} == fallback_cited
    assert fallback_cited <= set(range(1, len(fallback["passages"]) + 1))
