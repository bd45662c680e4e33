"""The BM25 index (bm25s) and the chunk table it is aligned with, persisted as one generation.

A generation is written to a fresh folder and made live by replacing the ``CURRENT`` pointer atomically,
so a crash mid-write leaves the previous generation answering. A loaded generation holds each thing
once: the chunk texts in the chunk table only (bm25s keeps no corpus), the BM25 matrices memory-mapped
from the generation's files, and the words of the corpus in the BM25 vocabulary only (``chunks_with``
answers which chunks use a word, for the product vocabulary).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import StoreUnavailableError
from bot.kb.schema import Chunk, IndexLayout
from bot.kb.tokens import tokenize

# Chunk fields whose values repeat from chunk to chunk (every chunk of a document has its source and
# title); a loaded table holds each distinct value once instead of once per chunk.
_REPEATED = ("source", "title", "product", "doc_type", "audience", "version", "section", "released")


class LexicalIndex:
    """BM25 scores over a fixed list of chunks (position i in the table = document i in BM25)."""

    def __init__(self, chunks: Sequence[Chunk], bm25: Any = None) -> None:
        import bm25s

        self.chunks: list[Chunk] = list(chunks)
        self.position = {c.id: i for i, c in enumerate(self.chunks)}
        if bm25 is None:
            bm25 = bm25s.BM25()
            corpus = [tokenize(c.search_text) or ["_empty_"] for c in self.chunks]
            if corpus:
                bm25.index(corpus, show_progress=False)
        self._bm25 = bm25

    def __len__(self) -> int:
        return len(self.chunks)

    def chunks_with(self, word: str) -> np.ndarray:
        """Table positions of the chunks whose search text has the token ``word`` (read from the
        BM25 matrix: a word's column lists the chunks that use it), in table order."""
        column = self._bm25.vocab_dict.get(word) if self.chunks else None
        indptr = self._bm25.scores["indptr"] if column is not None else ()
        if column is None or column + 1 >= len(indptr):  # bm25s's "" token has no column
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self._bm25.scores["indices"][indptr[column] : indptr[column + 1]])

    def scores(self, query: str) -> np.ndarray:
        """A BM25 score for every chunk in table order (zeros when nothing matches)."""
        tokens = tokenize(query)
        if not self.chunks or not tokens:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for c in self.chunks:
                fh.write(json.dumps(c.to_record(), ensure_ascii=False) + "\n")
        if self.chunks:
            self._bm25.save(str(folder / "bm25"), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        table = folder / "chunks.jsonl"
        if not table.is_file():
            raise StoreUnavailableError(f"no chunk table at {table}", backend="bm25")
        chunks = _read_table(table)
        if not chunks:
            return cls([], bm25=object())
        # memory-mapped: the matrices stay in the generation's files (shared by every worker, paged
        # in as queries touch them); a generation is never written again once published
        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, mmap=True)
        return cls(chunks, bm25=bm25)


def _read_table(path: Path) -> list[Chunk]:
    """The chunk table, each repeated field value held once (see ``_REPEATED``)."""
    shared: dict[str, str] = {}
    versions: dict[tuple[str, ...], tuple[str, ...]] = {}
    chunks = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            for key in _REPEATED:
                value = record.get(key)
                if isinstance(value, str):
                    record[key] = shared.setdefault(value, value)
            doc_versions = tuple(record.get("doc_versions") or ())
            record["doc_versions"] = versions.setdefault(doc_versions, doc_versions)
            chunks.append(Chunk.from_record(record))
    return chunks


def current_generation(layout: IndexLayout) -> Path | None:
    """The live generation folder, or None when nothing was ever ingested."""
    pointer = layout.current_pointer
    if not pointer.is_file():
        return None
    folder = layout.generation(pointer.read_text(encoding="utf-8").strip())
    return folder if folder.is_dir() else None


def publish_generation(layout: IndexLayout, index: LexicalIndex) -> str:
    """Write ``index`` as a new generation, then atomically make it live; old ones are removed."""
    layout.lexical.mkdir(parents=True, exist_ok=True)
    existing = [p.name for p in layout.lexical.glob("gen-*")]
    number = 1 + max(
        (int(n.split("-")[1]) for n in existing if n.split("-")[1].isdigit()), default=0
    )
    name = f"gen-{number:06d}"
    staging = layout.lexical / f".staging-{name}"
    if staging.exists():
        shutil.rmtree(staging)
    index.save(staging)
    os.replace(staging, layout.generation(name))
    tmp = layout.current_pointer.with_suffix(".tmp")
    tmp.write_text(name, encoding="utf-8")
    os.replace(tmp, layout.current_pointer)
    for old in existing:
        if old != name:
            shutil.rmtree(layout.generation(old), ignore_errors=True)
    for leftover in layout.lexical.glob(".staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return name
