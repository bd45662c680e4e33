"""A loaded generation holds each thing once: chunk texts in the chunk table only, repeated field
values once, the BM25 matrices memory-mapped, and the corpus's words in the BM25 vocabulary only
(the product vocabulary asks the lexical index which chunks use a word)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.kb.embedder import FakeEmbedder
from bot.kb.lexical import LexicalIndex, current_generation, publish_generation
from bot.kb.retriever import HybridRetriever
from bot.kb.schema import Chunk, IndexLayout
from bot.kb.vectorstore import InMemoryVectorStore
from bot.kb.vocabulary import ProductVocabulary, WordTable


def _chunks() -> list[Chunk]:
    def chunk(i: int, text: str, audience: str = "customer", product: str = "codec") -> Chunk:
        return Chunk(
            f"c{i}",
            text,
            f"notes/{product}.md",
            f"{product.title()} release notes",
            product,
            "release_notes",
            audience,
            "9.4.1",
            "Fixed issues",
            doc_versions=("9.4.0", "9.4.1"),
            position=i,
        )

    return [
        chunk(0, "HDMI handshake fixed on display 2 (CX-4821)"),
        chunk(1, "Echo cancellation tuned for large rooms"),
        chunk(2, "Field service: reseat the HDMI board", audience="engineer"),
        chunk(3, "Panel shows connecting after certificate renewal", product="panel"),
    ]


def _loaded(tmp_path: Path) -> LexicalIndex:
    layout = IndexLayout(tmp_path / "index")
    publish_generation(layout, LexicalIndex(_chunks()))
    folder = current_generation(layout)
    assert folder is not None
    return LexicalIndex.load(folder)


def test_a_loaded_table_holds_repeated_values_once(tmp_path: Path) -> None:
    first, second = _loaded(tmp_path).chunks[:2]
    assert first == _chunks()[0]
    for name in ("source", "title", "product", "version", "section", "doc_versions"):
        assert getattr(first, name) is getattr(second, name), name
    assert not hasattr(first, "__dict__")  # slotted: no per-chunk dict


def test_bm25_is_memory_mapped_and_keeps_no_corpus(tmp_path: Path) -> None:
    index = _loaded(tmp_path)
    bm25 = index._bm25
    assert all(isinstance(bm25.scores[k], np.memmap) for k in ("data", "indices", "indptr"))
    assert getattr(bm25, "corpus", None) is None  # the texts live in the chunk table only
    assert index.scores("hdmi handshake").argmax() == 0


def test_chunks_with_reads_the_bm25_vocabulary(tmp_path: Path) -> None:
    index = _loaded(tmp_path)
    own = WordTable(index.chunks)
    for word in ("hdmi", "cx-4821", "4821", "echo", "panel", "renewal", "missing", ""):
        assert list(index.chunks_with(word)) == list(own.chunks_with(word)), word
    assert list(index.chunks_with("hdmi")) == [0, 2]


def test_the_vocabulary_uses_the_lexical_index_words(tmp_path: Path) -> None:
    index = _loaded(tmp_path)
    retriever = HybridRetriever(index, InMemoryVectorStore(), FakeEmbedder())
    assert retriever.vocabulary._words is index  # no second word table
    own = ProductVocabulary(index.chunks)
    terms = ["hdmi", "reseat", "board", "boards", "echoes", "knx"]
    for audience in ("customer", "engineer"):
        found = retriever.vocabulary.unknown_terms(terms, audience)
        assert found == own.unknown_terms(terms, audience)
    assert retriever.vocabulary.unknown_terms(terms, "customer") == [
        "reseat",
        "board",
        "boards",
        "knx",
    ]
    assert retriever.vocabulary.unknown_terms(terms, "engineer") == ["knx"]
