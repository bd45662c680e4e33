"""Scripted conversations: run one through the router and the engine, and say whether it ended as
expected.

A scenario is an opening message, the site's asset, the user's answers in order (free text or choice
ids), what the knowledge base returns at a ``check_kb`` step, and the expected flow, status and fault
category. ``run_scenario`` is pure: no clock (turns are one minute apart from a fixed start), no I/O
beyond what the router's embedder does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.dialogue.datasets import read_jsonl
from bot.dialogue.engine import EngineEvent, advance
from bot.dialogue.events import Answer, KbResult, Start
from bot.dialogue.intents import interpret
from bot.dialogue.router import Route
from bot.dialogue.schema import AskStep, ChoiceAnswer, Flow, YesNoAnswer
from bot.dialogue.state import DialogueState, SiteContext, Status
from bot.errors import FlowError
from bot.kb.citation import Citation

SCENARIO_START = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
MAX_TURNS = 200


class RouterLike(Protocol):
    """Anything that routes text (the real Router, or a fake in tests)."""

    def route(self, text: str) -> Route: ...


class KbStub(BaseModel):
    """What the knowledge base answers at every ``check_kb`` step of the scenario."""

    model_config = ConfigDict(extra="forbid")

    found: bool
    fixed_in: str | None = None
    summary: str = ""
    citations: list[Citation] = Field(default_factory=list)


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    opening: str
    site_context: SiteContext = Field(default_factory=SiteContext)
    answers: list[str] = Field(default_factory=list)
    kb: KbStub | None = None
    expected_flow: str
    expected_status: Status
    expected_category: str | None = None
    expected_outcome: str | None = None


@dataclass(frozen=True)
class ScenarioResult:
    """How a scenario went: ``turns`` counts the user's answers until the flow finished."""

    id: str
    passed: bool
    turns: int
    flow_id: str | None
    status: str | None
    category: str | None
    outcome_step: str | None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScenarioReport:
    results: list[ScenarioResult] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def mean_turns(self) -> float:
        finished = [r.turns for r in self.results if r.status not in (None, "active")]
        return sum(finished) / len(finished) if finished else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "pass_rate": round(self.pass_rate, 4),
            "passed": self.passed,
            "total": self.total,
            "mean_turns": round(self.mean_turns, 2),
            "items": [
                {
                    "id": r.id,
                    "passed": r.passed,
                    "turns": r.turns,
                    "flow_id": r.flow_id,
                    "status": r.status,
                    "category": r.category,
                    "outcome": r.outcome_step,
                    "problems": list(r.problems),
                }
                for r in self.results
            ],
        }


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Parse a scenarios JSONL file; FlowError names the line of the first bad scenario."""
    scenarios = []
    for number, row in enumerate(read_jsonl(path), start=1):
        try:
            scenarios.append(Scenario.model_validate(row))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise FlowError(f"{path}: scenario {number}: {where}: {first['msg']}") from exc
    return scenarios


def _event(flow: Flow, state: DialogueState, text: str, at: datetime) -> EngineEvent:
    """A choice id for a step that offers it, otherwise whatever the text means."""
    step = flow.step(state.step_id)
    if state.pending_confirm is None and isinstance(step, AskStep):
        offered: set[str] = set()
        if isinstance(step.answer, ChoiceAnswer):
            offered = {o.id for o in step.answer.options}
        elif isinstance(step.answer, YesNoAnswer):
            offered = {"yes", "no", "not_sure"}
        if text in offered:
            return Answer(at=at, choice=text)
    return interpret(flow, state, text, at)


def run_scenario(
    flows: Mapping[str, Flow], router: RouterLike | None, scenario: Scenario
) -> ScenarioResult:
    """Play the scenario; with ``router=None`` the expected flow is started directly."""
    if router is None:
        flow_id: str | None = scenario.expected_flow
    else:
        route = router.route(scenario.opening)
        flow_id = route.flow_id if route.kind == "flow" else None
        if flow_id is None:
            return _result(scenario, None, 0, [f"routed to {route.kind}, not a flow"])
    flow = flows.get(flow_id) if flow_id else None
    if flow is None:
        return _result(scenario, None, 0, [f"unknown flow {flow_id!r}"])
    at = SCENARIO_START
    state, _ = advance(flows, None, Start(at=at, flow_id=flow.id, context=scenario.site_context))
    answers = list(scenario.answers)
    turns = 0
    while not state.finished and turns < MAX_TURNS:
        at += timedelta(minutes=1)
        if state.pending_kb is not None:
            kb = scenario.kb or KbStub(found=False)
            citations = tuple(kb.citations) or _default_citations(kb, state)
            event: EngineEvent = KbResult(
                at=at, found=kb.found, summary=kb.summary, citations=citations, fixed_in=kb.fixed_in
            )
        elif not answers:
            return _result(
                scenario, state, turns, [f"ran out of answers at step {state.step_id!r}"]
            )
        else:
            turns += 1
            event = _event(flow, state, answers.pop(0), at)
        state, _ = advance(flows, state, event)
    problems = [f"{len(answers)} answer(s) left unused"] if answers else []
    return _result(scenario, state, turns, problems)


def _default_citations(kb: KbStub, state: DialogueState) -> tuple[Citation, ...]:
    if not kb.found:
        return ()
    request = state.pending_kb
    product = request.product if request else None
    return (
        Citation(
            title=f"{product or 'product'} release notes {kb.fixed_in or ''}".strip(),
            source=f"{product or 'product'}/release-notes-{kb.fixed_in or 'known-issues'}.md",
            version=kb.fixed_in,
            section="Fixed issues" if kb.fixed_in else "Known issues",
        ),
    )


def _result(
    scenario: Scenario, state: DialogueState | None, turns: int, problems: list[str]
) -> ScenarioResult:
    status = state.status if state else None
    category = state.outcome.category if state and state.outcome else None
    outcome = state.outcome.step_id if state and state.outcome else None
    flow_id = state.flow_id if state else None
    checks: list[tuple[str, object, object]] = [
        ("flow", scenario.expected_flow, flow_id),
        ("status", scenario.expected_status, status),
        ("category", scenario.expected_category, category),
    ]
    if scenario.expected_outcome is not None:
        checks.append(("outcome", scenario.expected_outcome, outcome))
    for name, expected, actual in checks:
        if expected != actual:
            problems.append(f"expected {name} {expected!r}, got {actual!r}")
    return ScenarioResult(
        scenario.id, not problems, turns, flow_id, status, category, outcome, tuple(problems)
    )


def run_scenarios(
    flows: Mapping[str, Flow], router: RouterLike | None, scenarios: Sequence[Scenario]
) -> ScenarioReport:
    """Run every scenario; see :class:`ScenarioReport` for the figures."""
    return ScenarioReport([run_scenario(flows, router, s) for s in scenarios])
