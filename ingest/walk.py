"""Which files of a folder are ingested, which are skipped, and why."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.kb.schema import SUPPORTED_SUFFIXES


@dataclass(frozen=True)
class Candidate:
    path: Path
    source: str  # path relative to the ingested root, POSIX form


@dataclass(frozen=True)
class Rejected:
    source: str
    reason: str


def _is_text_name(path: Path) -> bool:
    """Extension-less upstream files that are text by convention (NEWS, ChangeLog, README, ...)."""
    return path.suffix == "" and path.name.upper() in {
        "NEWS",
        "CHANGELOG",
        "CHANGES",
        "README",
        "RELEASE-NOTES",
        "HISTORY",
    }


def walk(root: Path, max_bytes: int) -> tuple[list[Candidate], list[Rejected], int]:
    """Files to ingest, files refused with a reason, and the count of files of other types skipped."""
    root = root.resolve()
    take: list[Candidate] = []
    refused: list[Rejected] = []
    skipped = 0
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        source = rel.as_posix()
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root):
                refused.append(Rejected(source, "symlink points outside the ingested folder"))
                continue
        if not path.is_file():
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES and not _is_text_name(path):
            skipped += 1
            continue
        size = path.stat().st_size
        if size > max_bytes:
            refused.append(
                Rejected(source, f"file is {size} bytes, over the {max_bytes}-byte limit")
            )
            continue
        take.append(Candidate(path, source))
    return take, refused, skipped
