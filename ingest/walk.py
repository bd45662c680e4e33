"""Which files of a folder are ingested, which are skipped, and why."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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


def _why(exc: BaseException) -> str:
    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
        return "symlink loop"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (
        f"unreadable ({exc.strerror or type(exc).__name__})"
        if isinstance(exc, OSError)
        else str(exc)
    )


def _look(
    path: Path, root: Path, source: str, max_bytes: int
) -> Candidate | Rejected | Literal["other type", "not a file"]:
    """One path: a candidate, a refusal, a file of another type (counted), or not a file."""
    if path.is_symlink():
        target = path.resolve(strict=True)
        if not target.is_relative_to(root):
            return Rejected(source, "symlink points outside the ingested folder")
    if not path.is_file():
        return "not a file"
    if path.suffix.lower() not in SUPPORTED_SUFFIXES and not _is_text_name(path):
        return "other type"
    size = path.stat().st_size
    if size > max_bytes:
        return Rejected(source, f"file is {size} bytes, over the {max_bytes}-byte limit")
    return Candidate(path, source)


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
        try:
            found = _look(path, root, source, max_bytes)
        except (OSError, RuntimeError) as exc:  # a symlink loop, permission denied, a vanished file
            refused.append(Rejected(source, _why(exc)))
            continue
        if isinstance(found, Rejected):
            refused.append(found)
        elif isinstance(found, Candidate):
            take.append(found)
        elif found == "other type":
            skipped += 1
    return take, refused, skipped
