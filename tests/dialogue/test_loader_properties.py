"""Properties of the flow loader: any text gives flows or errors naming file, flow and step.

Whatever a flow file holds (random YAML-ish text, a bundled flow with lines cut, swapped or
garbled, or a bundled flow with one step broken), loading never raises: every problem is a
``FlowDefinitionError`` naming the file, a problem inside a step names its flow and step, and a
broken file never stops the other files of the folder from loading.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dialogue.loader import load_flows, parse_flow_text
from bot.dialogue.schema import Flow
from bot.errors import FlowDefinitionError
from tests.dialogue.conftest import FLOWS_DIR
from tests.mutations import mutate_lines

BUNDLED = {p.name: p.read_text(encoding="utf-8") for p in sorted(FLOWS_DIR.glob("*.yaml"))}
NAMES = sorted(BUNDLED)
SNIPPETS = [
    "id: x\n", "steps:\n  - ", "kind: ask\n", "next: ", "- else: ", "{", "}", "[", "]", "&a ",
    "*a", "!!bool ", "!!int ", "!!timestamp ", "2026-13-45", '"\\ud800"', "? ", "\t", ": ", "|\n",
    "answer:\n  type: choice\n", "  ", "\n", "'", '"', "#", "- if: answer == 'x'\n",
]  # fmt: skip
yamlish = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(SNIPPETS) | st.text(max_size=8), max_size=30).map("".join),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(flow: Flow | None, problems: list[FlowDefinitionError], file: str) -> None:
    assert flow is not None or problems, "no flow and no reason"
    for problem in problems:
        assert isinstance(problem, FlowDefinitionError)
        assert problem.file == file and str(problem).startswith(file)
        str(problem).encode("utf-8")  # printable in a log and a terminal: no lone surrogates
        assert problem.fix


@FAST
@given(yamlish)
def test_any_text_gives_a_flow_or_errors_naming_the_file(text: str) -> None:
    flow, problems = parse_flow_text(text, file="typed.yaml")
    _check(flow, problems, "typed.yaml")


@st.composite
def mutated_files(draw: st.DrawFn) -> tuple[str, str]:
    """A bundled flow file with a few of its lines cut, doubled, swapped, garbled or shifted."""
    name = draw(st.sampled_from(NAMES))
    lines = mutate_lines(draw, BUNDLED[name].splitlines(keepends=True), SNIPPETS, truncate=True)
    return name, "".join(lines)


@FAST
@given(mutated_files())
def test_a_mutated_flow_file_never_stops_the_others(mutated: tuple[str, str]) -> None:
    name, text = mutated
    flow, problems = parse_flow_text(text, file=name)
    _check(flow, problems, name)
    intact = next(n for n in NAMES if n != name)
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, name).write_text(text, encoding="utf-8")
        Path(folder, intact).write_text(BUNDLED[intact], encoding="utf-8")
        result = load_flows(folder)
    for problem in result.errors:
        assert problem.file in (name, intact)
    assert intact in {f.source for f in result.flows}


def _break(step: dict[str, Any], how: str) -> None:
    """Break one step in one way (on an outcome step a `next:` is an unknown field)."""
    if how == "kind":
        step["kind"] = "teleport"
    elif how == "unknown-field":
        step["nxt"] = "somewhere"
    elif how == "dangling-next":
        step["next"] = "no_such_step"
    elif how == "bad-id":
        step["id"] = "Not An Id!"
    else:
        del step["kind"]


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(NAMES),
    st.integers(min_value=0),
    st.sampled_from(["kind", "unknown-field", "dangling-next", "bad-id", "no-kind"]),
)
def test_a_broken_step_is_named_with_its_flow(name: str, index: int, how: str) -> None:
    data = yaml.safe_load(BUNDLED[name])
    broken = copy.deepcopy(data)
    step = broken["steps"][index % len(broken["steps"])]
    _break(step, how)
    flow, problems = parse_flow_text(yaml.safe_dump(broken, sort_keys=False), file=name)
    _check(flow, problems, name)
    assert problems, f"{how} was not noticed"
    named = [(p.flow, p.step) for p in problems]
    assert (data["id"], step["id"]) in named, [str(p) for p in problems]
