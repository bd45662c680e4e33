"""The shared schema of the knowledge base: what ingest writes and bot.kb reads.

Ingest writes through this module and the read side's adapters (embedder, vector store, lexical
index); ``bot.kb`` never imports ``ingest`` (an import-linter contract). A ``Chunk`` is one retrievable piece of a
document, with the version and section it speaks of; a ``Passage`` is a chunk found for a query, with
its score. The index folder holds::

    <index>/chroma/              Chroma persistent client (embedded mode only)
    <index>/lexical/CURRENT      name of the live generation folder
    <index>/lexical/gen-<n>/     BM25 index + chunks.jsonl (the chunk table) of one generation
    <index>/manifest.json        per-file content hashes and chunk ids (committed last)
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DOC_TYPES = (
    "release_notes",
    "patch_notes",
    "security_advisory",
    "feature_doc",
    "how_to",
    "known_issues",
    "service_bulletin",
    "kcs",  # knowledge articles learned from engineers' resolutions (bot.service.kcs)
)
AUDIENCES = ("customer", "engineer")
SUPPORTED_SUFFIXES = (".md", ".markdown", ".rst", ".html", ".htm", ".txt", ".pdf")
SCHEMA_VERSION = 1


def collection_name(prefix: str, embedder_name: str, dimension: int) -> str:
    """One collection per embedding model, so a model change never mixes vector spaces."""
    slug = "".join(c if c.isalnum() else "-" for c in embedder_name.lower()).strip("-")[:40]
    return f"{prefix}-{slug}-{dimension}"


def chunk_id(source: str, section: str, text: str) -> str:
    """Content hash: the same text at the same place always gets the same id."""
    digest = hashlib.sha256(f"{source}\x00{section}\x00{text}".encode()).hexdigest()
    return digest[:32]


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable piece of a document and everything known about it (slotted: a serving process
    holds one per indexed chunk, and a per-instance dict would cost more than most fields)."""

    id: str
    text: str
    source: str
    title: str
    product: str
    doc_type: str
    audience: str
    version: str = ""
    section: str = ""
    released: str = ""
    position: int = 0
    doc_versions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def search_text(self) -> str:
        """What is embedded and indexed: the text with its title, version and section as context."""
        head = " / ".join(p for p in (self.title, self.version, self.section) if p)
        return f"{head}\n{self.text}"

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["doc_versions"] = list(self.doc_versions)
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Chunk:
        data = dict(record)
        data["doc_versions"] = tuple(data.get("doc_versions") or ())
        return cls(**data)

    def chroma_metadata(self) -> dict[str, str | int]:
        return {
            "source": self.source,
            "title": self.title,
            "product": self.product,
            "doc_type": self.doc_type,
            "audience": self.audience,
            "version": self.version,
            "section": self.section,
            "released": self.released,
            "position": self.position,
        }


@dataclass(frozen=True)
class Passage:
    """A chunk found for a query; ``score`` is the fused score, ``similarity`` the dense cosine."""

    chunk: Chunk
    score: float
    similarity: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "text": c.text,
            "source": c.source,
            "title": c.title,
            "product": c.product,
            "version": c.version or None,
            "section": c.section,
            "doc_type": c.doc_type,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class IndexLayout:
    """Where each part of an index lives under its root folder."""

    root: Path

    @property
    def chroma(self) -> Path:
        return self.root / "chroma"

    @property
    def lexical(self) -> Path:
        return self.root / "lexical"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @property
    def current_pointer(self) -> Path:
        return self.lexical / "CURRENT"

    def generation(self, name: str) -> Path:
        return self.lexical / name
