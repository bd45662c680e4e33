"""Ranking and abstention metrics over file-level relevance (a passage is relevant when its source is
one of the question's gold files; repeated files count once, at their best rank)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def ranked_files(sources: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for s in sources:
        if s not in seen:
            seen.append(s)
    return seen


def recall_at(files: Sequence[str], gold: set[str], k: int) -> float:
    return len(set(files[:k]) & gold) / len(gold) if gold else 0.0


def mrr_at(files: Sequence[str], gold: set[str], k: int) -> float:
    for rank, f in enumerate(files[:k], start=1):
        if f in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at(files: Sequence[str], gold: set[str], k: int) -> float:
    dcg = sum(1.0 / math.log2(r + 1) for r, f in enumerate(files[:k], start=1) if f in gold)
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(len(gold), k) + 1))
    return dcg / ideal if ideal else 0.0


def abstention(abstained: Sequence[bool], unanswerable: Sequence[bool]) -> dict[str, float]:
    tp = sum(a and u for a, u in zip(abstained, unanswerable, strict=True))
    said = sum(abstained)
    should = sum(unanswerable)
    return {
        "precision": tp / said if said else 1.0,
        "recall": tp / should if should else 1.0,
        "abstained": float(said),
        "unanswerable": float(should),
    }
