from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.kb.embedder import FakeEmbedder
from bot.kb.lexical import LexicalIndex, current_generation
from bot.kb.schema import IndexLayout
from bot.kb.vectorstore import InMemoryVectorStore
from ingest.pipeline import Ingestor
from tests.conftest import write


def make(tmp_path: Path, store: InMemoryVectorStore | None = None, **kw: object) -> Ingestor:
    return Ingestor(
        IndexLayout(tmp_path / "index"),
        FakeEmbedder(),
        store or InMemoryVectorStore(),
        **kw,  # type: ignore[arg-type]
    )


def live_chunks(tmp_path: Path) -> list:  # type: ignore[type-arg]
    folder = current_generation(IndexLayout(tmp_path / "index"))
    assert folder is not None
    return LexicalIndex.load(folder).chunks


def test_first_run_then_incremental(tmp_path: Path, corpus: Path) -> None:
    store = InMemoryVectorStore()
    first = make(tmp_path, store).run([corpus])
    assert len(first.added) == 7 and not first.failed
    assert first.chunks_total == store.count() == first.chunks_embedded
    sources = {c.source for c in live_chunks(tmp_path)}
    assert "codec/release-notes/9.4.1.md" in sources  # relative to the ingested folder

    again = make(tmp_path, store).run([corpus])
    assert len(again.unchanged) == 7 and again.chunks_embedded == 0 and not again.added

    write(
        corpus,
        "panel/guides/lock.rst",
        (corpus / "panel/guides/lock.rst").read_text() + "\nNew line.\n",
    )
    (corpus / "codec/patch-notes/9.4.1.txt").unlink()
    third = make(tmp_path, store).run([corpus])
    assert third.updated == ["panel/guides/lock.rst"]
    assert third.removed == ["codec/patch-notes/9.4.1.txt"]
    live = live_chunks(tmp_path)
    assert all(c.source != "codec/patch-notes/9.4.1.txt" for c in live)
    assert store.ids() == {c.id for c in live}  # stale vectors pruned from the store too


def test_bad_files_are_reported_and_the_rest_ingests(tmp_path: Path, corpus: Path) -> None:
    write(corpus, "bad/empty.md", "")
    write(corpus, "bad/binary.md", b"\x00\x01\x02binary")
    write(corpus, "bad/latin.txt", "caf\u00e9".encode("latin-1"))
    write(corpus, "bad/corrupt.pdf", b"%PDF-1.4 garbage")
    write(corpus, "bad/huge.md", "# Big\n\n" + "x" * 5000)
    write(corpus, "bad/copy.md", (corpus / "panel/CHANGELOG.md").read_text())
    write(corpus, "bad/photo.jpg", b"\xff\xd8\xff")
    outside = write(tmp_path, "secret.md", "# Secret\n\nOutside the folder.\n")
    os.symlink(outside, corpus / "bad" / "link.md")
    os.symlink(corpus / "bad" / "loop-b.md", corpus / "bad" / "loop-a.md")  # a loop
    os.symlink(corpus / "bad" / "loop-a.md", corpus / "bad" / "loop-b.md")
    os.symlink(corpus / "bad", corpus / "bad" / "again")  # a folder inside itself
    report = make(tmp_path, max_file_bytes=4000).run([corpus])
    reasons = dict(report.failed)
    assert reasons["bad/empty.md"] == "empty file"
    assert "binary" in reasons["bad/binary.md"]
    assert "invalid UTF-8" in reasons["bad/latin.txt"]
    assert "PDF" in reasons["bad/corrupt.pdf"]
    assert "over the 4000-byte limit" in reasons["bad/huge.md"]
    duplicate = reasons.get("bad/copy.md") or reasons.get("panel/CHANGELOG.md") or ""
    assert duplicate.startswith("duplicate of ")
    assert "outside the ingested folder" in reasons["bad/link.md"]
    assert reasons["bad/loop-a.md"] == reasons["bad/loop-b.md"] == "symlink loop"
    assert report.skipped_other_types == 1
    assert len(report.added) == 7
    assert all("Outside the folder" not in c.text for c in live_chunks(tmp_path))


class _Boom(Exception):
    pass


def test_crash_mid_ingest_leaves_previous_index_answering(tmp_path: Path, corpus: Path) -> None:
    store = InMemoryVectorStore()
    make(tmp_path, store).run([corpus])
    before = {c.id for c in live_chunks(tmp_path)}
    write(corpus, "codec/guides/new.md", "# New guide\n\nDual display needs HDMI OUT 2.\n")

    class Exploding(FakeEmbedder):
        def embed_documents(self, texts):  # type: ignore[no-untyped-def]
            raise _Boom("killed half way")

    crashing = Ingestor(IndexLayout(tmp_path / "index"), Exploding(), store)
    with pytest.raises(_Boom):
        crashing.run([corpus])
    assert {c.id for c in live_chunks(tmp_path)} == before  # old generation still live
    rerun = make(tmp_path, store).run([corpus])
    assert rerun.added == ["codec/guides/new.md"] and len(rerun.unchanged) == 7
