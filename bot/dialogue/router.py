"""The symptom router: a user's words -> a flow to start, a knowledge question, a clarifying choice,
or nothing that fits.

Scores combine embedding similarity (the flows' titles, descriptions and examples, embedded once in
``warm_up()``) with lexical cues (each flow's ``keywords``, matched with typo tolerance) and the shape
of a question. Knowledge questions compete as one more candidate, described by example questions.
Everything the router knows about a flow comes from the flow's YAML; tune the examples, not the code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from bot.dialogue.cues import KeywordIndex, question_shape, words
from bot.dialogue.schema import Flow
from bot.dialogue.state import Choice
from bot.kb.embedder import Embedder

RouteKind = Literal["flow", "question", "clarify", "none"]
QUESTION = "question"

#: What knowledge questions look like (engineers asking about releases, fixes and features).
QUESTION_EXAMPLES: tuple[str, ...] = (
    "which firmware version fixed this issue?",
    "what changed in the latest release?",
    "what is new in version 9.4?",
    "does this model support this feature?",
    "where can I find the release notes?",
    "what are the known issues in this version?",
    "which versions are affected by the security advisory?",
    "how do I configure this setting?",
    "how many presets are supported?",
    "what does this issue id refer to?",
    "what is the minimum version required to upgrade?",
    "when was this feature introduced?",
    "what does this LED colour mean?",
    "how do I find the installed firmware version?",
)


@dataclass(frozen=True)
class RouterConfig:
    """Weights and thresholds; the defaults are tuned on evals/datasets/router.jsonl."""

    dense_top: int = 2
    keyword_weight: float = 0.06
    keyword_cap: int = 2
    question_weight: float = 0.5
    not_question_penalty: float = 0.2
    question_floor: float = 0.3
    none_below: float = 0.35
    clarify_margin: float = 0.01
    candidates: int = 3


@dataclass(frozen=True)
class Route:
    """Where the text goes. ``candidates`` are the best flows, best first, with their scores."""

    kind: RouteKind
    flow_id: str | None
    candidates: tuple[tuple[str, float], ...] = ()
    question: str | None = None
    choices: tuple[Choice, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The ``assist route --json`` shape."""
        return {
            "kind": self.kind,
            "flow_id": self.flow_id,
            "candidates": [{"flow_id": f, "score": round(s, 4)} for f, s in self.candidates],
        }

    @property
    def predicted(self) -> str:
        """A flow id, ``question``, ``clarify`` or ``none`` (what the router eval compares)."""
        return self.flow_id if self.kind == "flow" and self.flow_id else self.kind


class Router:
    """Routes text to flows. Call ``warm_up()`` once (it embeds every flow text); ``route`` is cheap."""

    def __init__(
        self,
        flows: Sequence[Flow] | Mapping[str, Flow],
        embedder: Embedder,
        *,
        questions: Sequence[str] = QUESTION_EXAMPLES,
        config: RouterConfig | None = None,
    ) -> None:
        self._flows = list(flows.values()) if isinstance(flows, Mapping) else list(flows)
        self._embedder = embedder
        self._questions = list(questions)
        self._config = config or RouterConfig()
        self._matrix: np.ndarray[Any, Any] | None = None
        self._owners: np.ndarray[Any, Any] | None = None
        self._labels: list[str] = [f.id for f in self._flows] + [QUESTION]
        self._keywords = [KeywordIndex.of(f.keywords) for f in self._flows]

    @property
    def flows(self) -> list[Flow]:
        return list(self._flows)

    @property
    def is_warm(self) -> bool:
        return self._matrix is not None

    def warm_up(self) -> None:
        """Embed titles, descriptions, examples and question examples once; later calls are free."""
        if self._matrix is not None:
            return
        texts: list[str] = []
        owners: list[int] = []
        for index, flow in enumerate(self._flows):
            for text in (flow.title, flow.description, *flow.examples):
                texts.append(text)
                owners.append(index)
        for text in self._questions:
            texts.append(text)
            owners.append(len(self._flows))
        vectors = self._embedder.embed_documents(texts) if texts else []
        self._matrix = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        self._owners = np.asarray(owners, dtype=np.int64)

    def scores(self, text: str) -> dict[str, float]:
        """Every candidate's score (flow ids and ``question``) for the text."""
        self.warm_up()
        assert self._matrix is not None and self._owners is not None
        config = self._config
        query = np.asarray(self._embedder.embed_query(text), dtype=np.float32)
        sims = (self._matrix @ query).astype(np.float64)
        dense = [
            _top_mean(sims[self._owners == i], config.dense_top) for i in range(len(self._labels))
        ]
        tokens = words(text)
        result: dict[str, float] = {}
        for index, flow in enumerate(self._flows):
            hits = min(len(self._keywords[index].hits(tokens)), config.keyword_cap)
            result[flow.id] = dense[index] + config.keyword_weight * hits
        shape = question_shape(text)
        score = shape.score
        penalty = 0.0 if score > 0 else config.not_question_penalty
        if not shape.knowledge and dense[-1] < config.question_floor:
            penalty += config.not_question_penalty  # "can you order a pizza?" is no KB question
        result[QUESTION] = dense[-1] + config.question_weight * score - penalty
        return result

    def route(self, text: str) -> Route:
        """Route one message (see the module docstring for how)."""
        if not text.strip():
            return Route("none", None)
        scores = self.scores(text[:2000])
        flow_ranked = sorted(
            ((f.id, scores[f.id]) for f in self._flows), key=lambda item: item[1], reverse=True
        )
        candidates = tuple(flow_ranked[: self._config.candidates])
        best_flow = flow_ranked[0] if flow_ranked else None
        question = scores[QUESTION]
        if question >= (best_flow[1] if best_flow else 0.0) and question >= self._config.none_below:
            return Route("question", None, candidates)
        if best_flow is None or best_flow[1] < self._config.none_below:
            return Route("none", None, candidates)
        if len(flow_ranked) > 1 and best_flow[1] - flow_ranked[1][1] < self._config.clarify_margin:
            return self._clarify(flow_ranked[0][0], flow_ranked[1][0], candidates)
        return Route("flow", best_flow[0], candidates)

    def _clarify(self, first: str, second: str, candidates: tuple[tuple[str, float], ...]) -> Route:
        by_id = {f.id: f for f in self._flows}
        a, b = by_id[first], by_id[second]
        question = f"Is it {a.short_label} or {b.short_label}?"
        choices = (
            Choice(id=a.id, label=a.short_label[:1].upper() + a.short_label[1:]),
            Choice(id=b.id, label=b.short_label[:1].upper() + b.short_label[1:]),
        )
        return Route("clarify", None, candidates, question, choices)


def _top_mean(values: np.ndarray[Any, Any], k: int) -> float:
    """Mean of the ``k`` largest values (-1 when there are none)."""
    if values.size == 0:
        return -1.0
    k = max(1, min(k, values.size))
    return float(np.sort(values)[-k:].mean())
