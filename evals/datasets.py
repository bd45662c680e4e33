"""Reading the JSONL datasets of the documented formats (see docs/evaluation.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import AssistError


class DatasetError(AssistError):
    code = "dataset_invalid"


@dataclass(frozen=True)
class RetrievalQuestion:
    id: str
    question: str
    gold_files: tuple[str, ...]
    kind: str = "unspecified"
    version_constraint: str | None = None
    answer_contains: tuple[str, ...] = field(default_factory=tuple)

    @property
    def unanswerable(self) -> bool:
        return not self.gold_files


def read_jsonl(path: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset file")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise DatasetError(f"{path}:{number}: each line must be a JSON object")
        rows.append(row)
    return rows


def load_retrieval_questions(path: Path) -> list[RetrievalQuestion]:
    out: list[RetrievalQuestion] = []
    for number, row in enumerate(read_jsonl(path), start=1):
        missing = [key for key in ("id", "question", "gold_files") if key not in row]
        if missing:
            raise DatasetError(f"{path}: question {number} lacks {', '.join(missing)}")
        gold = row["gold_files"]
        if not isinstance(gold, list):
            raise DatasetError(f"{path}: question {row['id']}: gold_files must be a list")
        kind = str(row.get("kind") or ("unanswerable" if not gold else "unspecified"))
        vc = row.get("version_constraint")
        contains = row.get("answer_contains") or []
        out.append(
            RetrievalQuestion(
                id=str(row["id"]),
                question=str(row["question"]),
                gold_files=tuple(str(g) for g in gold),
                kind=kind,
                version_constraint=str(vc) if vc else None,
                answer_contains=tuple(str(c) for c in contains)
                if isinstance(contains, list)
                else (),
            )
        )
    return out
