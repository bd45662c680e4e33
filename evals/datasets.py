"""Reading the JSONL datasets of the documented formats (see docs/evaluation.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import AssistError
from bot.jsonl import read_jsonl


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
    evidence: tuple[str, ...] = field(default_factory=tuple)  # sentences copied from a gold file

    @property
    def unanswerable(self) -> bool:
        return not self.gold_files


def load_retrieval_questions(path: Path) -> list[RetrievalQuestion]:
    out: list[RetrievalQuestion] = []
    for row in read_jsonl(path, ("id", "question", "gold_files"), DatasetError):
        gold = row["gold_files"]
        if not isinstance(gold, list):
            raise DatasetError(f"{path}: question {row['id']}: gold_files must be a list")
        kind = str(row.get("kind") or ("unanswerable" if not gold else "unspecified"))
        vc = row.get("version_constraint")
        contains = row.get("answer_contains") or []
        evidence = row.get("evidence") or []
        if isinstance(evidence, str):
            evidence = [evidence]
        if not isinstance(evidence, list):
            raise DatasetError(f"{path}: question {row['id']}: evidence must be a list")
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
                evidence=tuple(str(e) for e in evidence),
            )
        )
    return out
