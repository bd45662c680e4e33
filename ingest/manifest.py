"""The ingest manifest: per ingested root, each file's content hash and chunk ids.

Written atomically and last, so a crash before it leaves the previous manifest (and index) in force.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.kb.schema import SCHEMA_VERSION

SPLITTER_VERSION = 2  # 2: pipe tables kept whole, header repeated


@dataclass
class FileEntry:
    sha256: str
    chunk_ids: list[str]
    size: int


@dataclass
class Manifest:
    """roots: absolute root folder -> source path -> entry; model: the embedder that made the vectors."""

    roots: dict[str, dict[str, FileEntry]] = field(default_factory=dict)
    model: str = ""
    splitter: int = SPLITTER_VERSION
    schema: int = SCHEMA_VERSION
    finished_at: str = ""
    last_report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        roots = {
            root: {src: FileEntry(**entry) for src, entry in files.items()}
            for root, files in data.get("roots", {}).items()
        }
        return cls(
            roots=roots,
            model=data.get("model", ""),
            splitter=data.get("splitter", 0),
            schema=data.get("schema", 0),
            finished_at=data.get("finished_at", ""),
            last_report=data.get("last_report", {}),
        )

    def save(self, path: Path) -> None:
        data = {
            "schema": self.schema,
            "splitter": self.splitter,
            "model": self.model,
            "finished_at": self.finished_at,
            "last_report": self.last_report,
            "roots": {
                root: {src: vars(entry) for src, entry in sorted(files.items())}
                for root, files in self.roots.items()
            },
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def all_chunk_ids(self) -> set[str]:
        return {cid for files in self.roots.values() for e in files.values() for cid in e.chunk_ids}
