"""Content gaps: the questions the knowledge base could not answer, grouped by meaning.

The questions are embedded with the project's embedder and grouped by average-linkage
agglomerative clustering on cosine similarity: the two groups whose questions are on average most
alike merge, until no two groups are alike above ``threshold``. Deterministic (the questions are
sorted first, ties go to the first pair), numpy only. The biggest groups are the gaps worth
writing content for; each is shown with its most typical questions and the words its questions
share.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.kb.embedder import Embedder
from bot.kb.tokens import STOPWORDS

MAX_QUESTIONS = 1000  # distinct questions clustered (the newest); the merge loop is O(n^2) each
_WORD = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_SKIP = STOPWORDS | {"any", "about", "get", "need", "want", "please", "there"}


@dataclass(frozen=True)
class ContentGap:
    """A group of unanswered questions: how many were asked (repeats included), the most
    typical one (``label``), the words most of them share, and up to three examples."""

    size: int
    label: str
    terms: tuple[str, ...]
    examples: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "label": self.label,
            "terms": list(self.terms),
            "examples": list(self.examples),
        }


def _key(question: str) -> str:
    return " ".join(question.lower().split()).rstrip("?!. ")


def cluster(vectors: np.ndarray, weights: Sequence[int], threshold: float) -> list[list[int]]:
    """Average-linkage clusters of unit ``vectors`` (each counted ``weights`` times): row index
    lists, each sorted. Two groups merge while their mean pairwise cosine similarity (the dot
    product of their weighted sums over the product of their weights) is at least ``threshold``."""
    n = len(vectors)
    if n == 0:
        return []
    w = np.asarray(weights, dtype=np.float64)
    sums = vectors.astype(np.float64) * w[:, None]
    sizes = w.copy()
    members: list[list[int]] = [[i] for i in range(n)]
    alive = np.ones(n, dtype=bool)
    sim = (sums @ sums.T) / np.outer(sizes, sizes)
    np.fill_diagonal(sim, -np.inf)
    while alive.sum() > 1:
        flat = int(np.argmax(sim))
        i, j = divmod(flat, n)
        if sim[i, j] < threshold:
            break
        i, j = min(i, j), max(i, j)
        sums[i] += sums[j]
        sizes[i] += sizes[j]
        members[i] += members[j]
        members[j] = []
        alive[j] = False
        sim[j, :] = sim[:, j] = -np.inf
        row = (sums @ sums[i]) / (sizes * sizes[i])
        row[~alive] = -np.inf
        row[i] = -np.inf
        sim[i, :] = sim[:, i] = row
    return [sorted(m) for m in members if m]


def _terms(questions: Iterable[str], limit: int = 3) -> tuple[str, ...]:
    """Words most of the questions use (each counted once per question), most shared first."""
    counts: Counter[str] = Counter()
    total = 0
    for q in questions:
        total += 1
        counts.update({w for w in _WORD.findall(q.lower()) if w not in _SKIP})
    shared = [(w, c) for w, c in counts.items() if c >= max(2, (total + 1) // 2)]
    shared.sort(key=lambda wc: (-wc[1], wc[0]))
    return tuple(w for w, _ in shared[:limit])


def find_gaps(
    questions: Sequence[str],
    embedder: Embedder,
    *,
    threshold: float = 0.55,
    top: int = 5,
    examples: int = 3,
) -> list[ContentGap]:
    """The ``top`` biggest groups of ``questions`` (newest last; repeats count), biggest first."""
    cleaned = [" ".join(q.split()) for q in questions if q.strip()]
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for text in cleaned:
        counts[_key(text)] += 1
        first.setdefault(_key(text), text)
    newest = list(dict.fromkeys(_key(t) for t in reversed(cleaned)))[:MAX_QUESTIONS]
    keys = sorted(newest)
    if not keys:
        return []
    texts = [first[k] for k in keys]
    vectors = np.asarray(embedder.embed_documents(texts), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms == 0, 1.0, norms)
    weights = [counts[k] for k in keys]
    groups = cluster(vectors, weights, threshold)
    gaps = []
    for group in groups:
        centre = (vectors[group] * np.asarray([weights[i] for i in group])[:, None]).sum(axis=0)
        typical = sorted(group, key=lambda i: (-float(vectors[i] @ centre), texts[i]))
        gaps.append(
            ContentGap(
                size=sum(weights[i] for i in group),
                label=texts[typical[0]],
                terms=_terms(texts[i] for i in group) if len(group) > 1 else (),
                examples=tuple(texts[i] for i in typical[:examples]),
            )
        )
    gaps.sort(key=lambda g: (-g.size, -len(g.examples), g.label))
    return gaps[:top]
