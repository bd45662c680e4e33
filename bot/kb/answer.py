"""Extractive answers: the sentences or bullets of the best passages that answer, each cited.

Deterministic and model-free. When the evidence is weak, or the question names a version no document
speaks of, the composer abstains and offers a human instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.kb.citation import Citation
from bot.kb.retriever import SearchResult
from bot.kb.schema import Passage
from bot.kb.tokens import tokenize

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])|\n+")
ABSTAIN_TEXT = (
    "I could not find this in the release notes or product documents. "
    "Would you like me to pass your question to an engineer?"
)


@dataclass(frozen=True)
class Answer:
    text: str
    abstained: bool
    citations: list[Citation]
    passages: list[Passage]
    evidence: float
    notices: list[str] = field(default_factory=list)
    composer: str = "extractive"

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.model_dump() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "evidence": round(self.evidence, 4),
            "notices": self.notices,
            "composer": self.composer,
        }


def citation_for(number: int, passage: Passage, quote: str = "") -> Citation:
    """The citation ``[number]`` of a passage, quoting ``quote`` (or the passage's start)."""
    c = passage.chunk
    return Citation(
        n=number,
        title=c.title,
        source=c.source,
        version=c.version or None,
        section=c.section or None,
        quote=quote or c.text[:600],
    )


def _units(text: str) -> list[str]:
    return [u.strip(" -*•\t") for u in _SPLIT.split(text) if len(u.strip(" -*•\t")) > 12]


def compose_extractive(
    question: str, result: SearchResult, threshold: float, max_units: int = 3
) -> Answer:
    """Pick the best-matching sentences of the top passages; abstain below ``threshold``."""
    passages = result.passages
    if result.missing_version:
        text = (
            f"The notes have nothing about version {result.missing_version}: "
            + "; ".join(result.notices)
            + ". Would you like an engineer to look into it?"
        )
        return Answer(text, True, [], passages, result.evidence, result.notices)
    if result.unknown_names:  # whatever the similarity: the notes cannot know about it
        named = [
            f"{name} (the nearest they name: {', '.join(similar)})" if similar else name
            for name, similar in result.unknown_names
        ]
        text = (
            f"The notes never name {' or '.join(named)}, so I cannot answer from them. "
            "Would you like an engineer to look into it?"
        )
        return Answer(text, True, [], passages, result.evidence, result.notices)
    if not passages or result.evidence < threshold:
        return Answer(ABSTAIN_TEXT, True, [], passages, result.evidence, result.notices)
    wanted = set(tokenize(question))
    scored: list[tuple[float, int, str]] = []
    for rank, passage in enumerate(passages[:3]):
        for unit in _units(passage.chunk.text):
            overlap = len(wanted & set(tokenize(unit)))
            if overlap:
                scored.append((overlap - 0.5 * rank, rank, unit))
    scored.sort(key=lambda t: t[0], reverse=True)
    picked = scored[:max_units] or [(0.0, 0, _units(passages[0].chunk.text)[0])]
    numbers: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    lines: list[str] = []
    for _, rank, unit in sorted(picked, key=lambda t: (t[1], passages[t[1]].chunk.position)):
        number = numbers.setdefault(rank, len(numbers) + 1)
        quotes.setdefault(rank, []).append(unit)
        lines.append(f"{unit} [{number}]")
    citations = [
        citation_for(n, passages[rank], " ".join(quotes[rank])) for rank, n in numbers.items()
    ]
    lead = passages[min(numbers)].chunk
    where = lead.title + (f", version {lead.version}" if lead.version else "")
    text = f"From {where}:\n" + "\n".join(f"- {line}" for line in lines)
    if result.notices:  # e.g. semantic search down: say what the answer rests on
        text += "\n(Note: " + "; ".join(result.notices) + ".)"
    return Answer(text, False, citations, passages, result.evidence, result.notices)
