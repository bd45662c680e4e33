"""The ingest run: walk, hash, load, split, embed, upsert, publish, commit the manifest, prune.

Order matters for crash safety: vectors are upserted by content-hash id (idempotent), the new BM25
generation is published by an atomic pointer swap, the manifest is committed last, and only then are
stale vectors deleted. Readers trust the live chunk table, so a run killed at any point leaves the
previous index answering, and a rerun completes the work.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import AssistError
from bot.kb.embedder import Embedder
from bot.kb.lexical import LexicalIndex, current_generation, publish_generation
from bot.kb.schema import Chunk, IndexLayout
from bot.kb.vectorstore import VectorStore
from ingest.loaders import load_file
from ingest.manifest import SPLITTER_VERSION, FileEntry, Manifest
from ingest.metadata import infer_metadata
from ingest.splitter import split_document
from ingest.walk import walk

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_other_types: int = 0
    chunks_total: int = 0
    chunks_embedded: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            "failed": [{"source": s, "reason": r} for s, r in self.failed],
            "warnings": self.warnings,
            "skipped_other_types": self.skipped_other_types,
            "chunks_total": self.chunks_total,
            "chunks_embedded": self.chunks_embedded,
            "seconds": round(self.seconds, 3),
        }


class Ingestor:
    """Incrementally ingests folders into one index (BM25 generation + vector store + manifest)."""

    def __init__(
        self,
        layout: IndexLayout,
        embedder: Embedder,
        store: VectorStore,
        *,
        max_file_bytes: int = 5_000_000,
        chunk_chars: int = 1000,
        embed_batch: int = 256,
        progress: Progress | None = None,
    ) -> None:
        self.layout = layout
        self.embedder = embedder
        self.store = store
        self.max_file_bytes = max_file_bytes
        self.chunk_chars = chunk_chars
        self.embed_batch = embed_batch
        self.progress = progress or (lambda stage, done, total: None)

    def _previous_chunks(self) -> dict[str, list[Chunk]]:
        folder = current_generation(self.layout)
        by_source: dict[str, list[Chunk]] = {}
        if folder is None:
            return by_source
        for chunk in LexicalIndex.load(folder).chunks:
            by_source.setdefault(chunk.source, []).append(chunk)
        return by_source

    def run(self, roots: Sequence[Path]) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        manifest = Manifest.load(self.layout.manifest)
        rebuild = manifest.model != self.embedder.name or manifest.splitter != SPLITTER_VERSION
        previous = self._previous_chunks()
        fresh: dict[str, list[Chunk]] = {}
        new_roots: dict[str, dict[str, FileEntry]] = {}
        for root in roots:
            key = str(root.resolve())
            old_files = {} if rebuild else manifest.roots.get(key, {})
            files, kept = self._ingest_root(root, old_files, previous, report)
            new_roots[key] = files
            fresh[key] = kept
            report.removed.extend(sorted(set(old_files) - set(files)))

        for key, files in manifest.roots.items():
            if key not in new_roots and not rebuild:
                new_roots[key] = files  # roots not named in this run stay as they are
                fresh[key] = [c for src in files for c in previous.get(src, [])]

        all_chunks = [c for chunks in fresh.values() for c in chunks]
        self._embed_missing(all_chunks, report)
        self.progress("index", 0, 1)
        publish_generation(self.layout, LexicalIndex(all_chunks))
        self.progress("index", 1, 1)
        report.chunks_total = len(all_chunks)
        report.seconds = time.perf_counter() - started
        manifest.roots = new_roots
        manifest.model = self.embedder.name
        manifest.splitter = SPLITTER_VERSION
        manifest.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        manifest.last_report = report.as_dict()
        manifest.save(self.layout.manifest)
        live = {c.id for c in all_chunks}
        stale = sorted(self.store.ids() - live)
        if stale:
            self.store.delete(stale)
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_root(
        self,
        root: Path,
        old_files: dict[str, FileEntry],
        previous: dict[str, list[Chunk]],
        report: IngestReport,
    ) -> tuple[dict[str, FileEntry], list[Chunk]]:
        candidates, refused, skipped = walk(root, self.max_file_bytes)
        report.failed.extend((r.source, r.reason) for r in refused)
        report.skipped_other_types += skipped
        files: dict[str, FileEntry] = {}
        chunks: list[Chunk] = []
        seen_hashes: dict[str, str] = {}
        for n, cand in enumerate(candidates, start=1):
            self.progress("files", n, len(candidates))
            data = cand.path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen_hashes:
                report.failed.append((cand.source, f"duplicate of {seen_hashes[digest]}; skipped"))
                continue
            seen_hashes[digest] = cand.source
            old = old_files.get(cand.source)
            if old and old.sha256 == digest and cand.source in previous:
                files[cand.source] = old
                chunks.extend(previous[cand.source])
                report.unchanged.append(cand.source)
                continue
            try:
                doc = load_file(cand.path, cand.source)
                meta = infer_metadata(doc)
                doc_chunks = split_document(doc, meta, self.chunk_chars)
            except AssistError as exc:
                report.failed.append((cand.source, getattr(exc, "reason", str(exc))))
                continue
            except Exception as exc:  # one bad file never stops a run
                log.exception("ingest.file.failed source=%s", cand.source)
                report.failed.append((cand.source, f"unexpected error: {exc}"))
                continue
            if not doc_chunks:
                report.failed.append((cand.source, "no text found"))
                continue
            report.warnings.extend(doc.warnings)
            (report.updated if old else report.added).append(cand.source)
            files[cand.source] = FileEntry(digest, [c.id for c in doc_chunks], len(data))
            chunks.extend(doc_chunks)
        return files, chunks

    def _embed_missing(self, chunks: list[Chunk], report: IngestReport) -> None:
        present = self.store.ids()
        todo: dict[str, Chunk] = {c.id: c for c in chunks if c.id not in present}
        pending = list(todo.values())
        total = len(pending)
        for start in range(0, total, self.embed_batch):
            batch = pending[start : start + self.embed_batch]
            vectors = self.embedder.embed_documents([c.search_text for c in batch])
            self.store.upsert([c.id for c in batch], vectors, [c.chroma_metadata() for c in batch])
            self.progress("embed", min(start + len(batch), total), total)
        report.chunks_embedded = total
