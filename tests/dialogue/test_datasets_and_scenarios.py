"""The eval sets are well formed, and every scripted conversation reaches its expected outcome."""

from __future__ import annotations

import pytest

from bot.dialogue.datasets import read_jsonl
from bot.dialogue.router import Router
from bot.dialogue.scenarios import Scenario, load_scenarios, run_scenario, run_scenarios
from bot.dialogue.schema import Flow
from bot.errors import FlowError
from tests.dialogue.conftest import DATASETS


def test_router_set_is_large_and_varied(bundled_flows: dict[str, Flow]) -> None:
    for name, minimum in (("router.jsonl", 160), ("router_holdout.jsonl", 60)):
        rows = read_jsonl(DATASETS / name, ("id", "text", "expected"))
        assert len(rows) >= minimum
        assert len({r["id"] for r in rows}) == len(rows)
        expected = [r["expected"] for r in rows]
        assert set(expected) == {*bundled_flows, "question"}
        assert min(expected.count(f) for f in bundled_flows) >= 5
    rows = read_jsonl(DATASETS / "router.jsonl")
    assert sum(1 for r in rows if r["expected"] == "question") >= 25
    examples = {e.lower() for f in bundled_flows.values() for e in f.examples}
    copied = [r["text"] for r in rows if r["text"].lower() in examples]
    assert len(copied) <= 1, copied  # the set tests the router, not the examples


def test_scenarios_pass_with_the_expected_flow_given(bundled_flows: dict[str, Flow]) -> None:
    scenarios = load_scenarios(DATASETS / "scenarios.jsonl")
    assert len(scenarios) >= 44
    report = run_scenarios(bundled_flows, None, scenarios)
    failures = {r.id: r.problems for r in report.results if not r.passed}
    assert failures == {}
    assert report.pass_rate == 1.0 and 1 < report.mean_turns < 10


def test_scenarios_reach_every_outcome_of_every_flow(bundled_flows: dict[str, Flow]) -> None:
    report = run_scenarios(bundled_flows, None, load_scenarios(DATASETS / "scenarios.jsonl"))
    reached = {(r.flow_id, r.outcome_step) for r in report.results if r.passed}
    missing = [
        (f.id, o.id)
        for f in bundled_flows.values()
        for o in f.outcomes()
        if (f.id, o.id) not in reached
    ]
    assert missing == []
    assert {r.status for r in report.results} == {"resolved", "fault", "escalated"}


def test_a_failing_scenario_says_why(bundled_flows: dict[str, Flow]) -> None:
    scenario = Scenario(
        id="x", opening="o", answers=["display1"], expected_flow="display-no-signal",
        expected_status="resolved",
    )  # fmt: skip
    result = run_scenario(bundled_flows, None, scenario)
    assert not result.passed
    assert result.problems[0] == "ran out of answers at step 'input_select'"
    extra = scenario.model_copy(update={"answers": ["display1", "yes", "yes"]})
    assert run_scenario(bundled_flows, None, extra).problems == ("1 answer(s) left unused",)


def test_bad_scenario_files_name_the_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "a", "opening": "x"}\n', encoding="utf-8")
    with pytest.raises(FlowError, match="scenario 1: expected_flow"):
        load_scenarios(path)


@pytest.mark.integration
def test_router_accuracy_with_the_real_model(real_router: Router) -> None:
    for name, goal in (("router.jsonl", 0.95), ("router_holdout.jsonl", 0.93)):
        rows = read_jsonl(DATASETS / name)
        correct = sum(1 for r in rows if real_router.route(r["text"]).predicted == r["expected"])
        assert correct / len(rows) >= goal, (name, correct, len(rows))


@pytest.mark.integration
def test_scenarios_pass_with_the_real_router(
    bundled_flows: dict[str, Flow], real_router: Router
) -> None:
    report = run_scenarios(bundled_flows, real_router, load_scenarios(DATASETS / "scenarios.jsonl"))
    assert {r.id: r.problems for r in report.results if not r.passed} == {}
