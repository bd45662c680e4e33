"""Broken flows, one per check: each error names file, flow and step and says how to fix it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.dialogue.loader import load_flows, parse_flow_text
from bot.errors import FlowDefinitionError

HEAD = """\
id: demo
title: Demo
description: A demo flow.
examples: [one, two, three, four, five, six]
products: [cx-codec]
steps:
"""
OK_TAIL = """\
  - id: fixed
    kind: outcome
    outcome: resolved
    summary: ok
  - id: broken
    kind: outcome
    outcome: fault
    category: hardware
    component: codec
    summary: broken
"""


def problems(steps: str, head: str = HEAD, tail: str = OK_TAIL) -> list[FlowDefinitionError]:
    text = head + textwrap.indent(textwrap.dedent(steps), "  ") + tail
    _, errors = parse_flow_text(text, file="demo.yaml")
    return errors


def one(errors: list[FlowDefinitionError], step: str | None = "start") -> FlowDefinitionError:
    """The first error about ``step`` (others, such as steps left unreachable, may follow)."""
    about = [e for e in errors if e.step == step]
    assert about, [str(e) for e in errors]
    return about[0]


ASK = """\
- id: start
  kind: ask
  question: Is it on?
  answer: {type: yes_no}
  next:
    - if: answer == "yes"
      then: fixed
    - else: broken
"""


def test_a_valid_flow_has_no_problems() -> None:
    flow, errors = parse_flow_text(HEAD + textwrap.indent(ASK, "  ") + OK_TAIL, file="demo.yaml")
    assert errors == [] and flow is not None and flow.source == "demo.yaml"


@pytest.mark.parametrize(
    ("steps", "step", "problem", "fix"),
    [
        (
            ASK.replace("then: fixed", "then: fixd"),
            "start",
            "`next` refers to unknown step 'fixd'.",
            "did you mean 'fixed'? define a step with id 'fixd' or use one of: fixed, broken",
        ),
        (
            ASK.replace("    - else: broken\n", ""),
            "start",
            "the step has `if` links but no `else`.",
            "add `- else: <step id>` as the last link",
        ),
        (
            ASK.replace(
                '    - if: answer == "yes"\n      then: fixed\n    - else: broken\n',
                '    - else: broken\n    - if: answer == "yes"\n      then: fixed\n',
            ),
            "start",
            "`else` is not the last link",
            "move `- else: <step id>` to the end of `next`",
        ),
        (
            "- id: start\n  kind: ask\n  question: Is it on?\n  answer: {type: yes_no}\n",
            "start",
            "dead end: the step has no `next` and is not an outcome.",
            "add `next: <step id>` (or `if`/`else` links), or make it an `outcome` step",
        ),
        (
            "- id: start\n  kind: check_kb\n  query: known issues\n  found: broken\n",
            "start",
            "the knowledge-base check has no `not_found` branch.",
            "add `not_found: <step id>`",
        ),
        (
            ASK.replace('answer == "yes"', 'answer == "maybe"'),
            "start",
            "condition 'answer == \"maybe\"' compares a yes/no answer with 'maybe'.",
            'send "not sure" to the step\'s `not_sure:` branch',
        ),
        (
            ASK.replace('answer == "yes"', 'slot.room != ""'),
            "start",
            "condition 'slot.room != \"\"' uses slot 'room', which no step fills.",
            "add `slot: room` to a `collect` or `ask` step before this one",
        ),
        (
            ASK.replace("{type: yes_no}", "{type: number, unit: m}"),
            "start",
            "compares a number answer with 'yes'.",
            "compare with a number, e.g. answer > 20",
        ),
        (
            ASK.replace(
                "{type: yes_no}",
                "{type: choice, options: [{id: red, label: Red}, {id: blue, label: Blue}]}",
            ),
            "start",
            "compares the answer with 'yes', which is not an option id.",
            "use one of the option ids: red, blue",
        ),
    ],
)
def test_graph_and_condition_checks(steps: str, step: str, problem: str, fix: str) -> None:
    error = one(problems(steps), step)
    assert (error.file, error.flow, error.step) == ("demo.yaml", "demo", step)
    assert problem in error.problem
    assert error.fix is not None and fix in error.fix
    assert str(error).startswith("demo.yaml, flow 'demo', step 'start': ")
    assert "Fix: " in str(error)


def test_unreachable_step() -> None:
    steps = ASK + "- id: orphan\n  kind: outcome\n  outcome: resolved\n  summary: never\n"
    error = one(problems(steps), "orphan")
    assert error.step == "orphan"
    assert error.problem == "the step is unreachable from the start step 'start'."
    assert error.fix is not None and "link to it from another step's `next`" in error.fix


def test_loop_with_no_way_out() -> None:
    steps = """\
    - id: start
      kind: ask
      question: A?
      answer: {type: yes_no}
      next:
        - if: answer == "yes"
          then: fixed
        - else: spin
    - id: spin
      kind: ask
      question: B?
      answer: {type: yes_no}
      next: spun
    - id: spun
      kind: collect
      slot: note
      question: C?
      next: spin
    """
    error = one(problems(steps), "spin")
    assert error.step == "spin"
    assert error.problem == "steps spin -> spun -> spin form a loop with no way out to an outcome."
    assert error.fix == "add a branch from one of these steps to a step that leads to an outcome"


def test_a_loop_with_an_exit_is_fine() -> None:
    steps = ASK.replace("then: fixed", "then: start").replace("else: broken", "else: again")
    steps += "- id: again\n  kind: ask\n  question: Again?\n  answer: {type: yes_no}\n"
    steps += '  next:\n    - if: answer == "yes"\n      then: start\n    - if: answer == "no"\n'
    steps += "      then: fixed\n    - else: broken\n"
    assert problems(steps) == []


def test_duplicate_step_ids() -> None:
    errors = problems(ASK, tail=OK_TAIL + "  - id: fixed\n    kind: outcome\n    outcome: resolved\n"
                      "    summary: again\n")  # fmt: skip
    error = one(errors, "fixed")
    assert (error.step, error.problem) == ("fixed", "the step id is used by 2 steps.")
    assert error.fix == "rename the others; step ids must be unique within a flow"


def test_unknown_product_and_too_few_examples() -> None:
    head = HEAD.replace("[cx-codec]", "[cx-codecs]").replace("five, six", "five")
    errors = problems(ASK, head=head)
    assert [e.step for e in errors] == [None, None]
    examples, product = errors
    assert examples.problem == ("the flow has 5 example utterances; the router needs at least 6.")
    assert examples.fix is not None and examples.fix.startswith("add 1 more under `examples:`")
    assert product.problem == "unknown product 'cx-codecs'."
    assert product.fix is not None and product.fix.startswith("did you mean 'cx-codec'?")


def test_no_outcome_at_all() -> None:
    steps = "- id: start\n  kind: collect\n  slot: a\n  question: Q?\n  next: start\n"
    errors = problems(steps, tail="")
    assert any(e.problem == "the flow has no outcome step, so it can never end." for e in errors)


@pytest.mark.parametrize(
    ("steps", "step", "problem", "fix"),
    [
        (ASK.replace("  next:", "  nxt:", 1), "start", "unknown field `nxt`.", "rename it to `next`"),
        (ASK.replace("kind: ask", "kind: asc"), "start", "unknown step kind 'asc'.",
         "set `kind:` to one of ask, check_kb, collect, outcome"),
        (ASK.replace("  question: Is it on?\n", ""), "start", "`question` is missing.",
         "add `question:` to the step"),
        (ASK.replace("yes_no", "yesno"), "start", "unknown answer type 'yesno'.",
         "set `type:` to one of yes_no, choice, number, text"),
        (ASK.replace('answer == "yes"', "answer = 'yes'"), "start",
         "single '=' in condition", "compare with '=='"),
        (ASK.replace('answer == "yes"', "answer == yes"), "start", "unknown name 'yes'",
         "put text in quotes"),
        (ASK.replace('answer == "yes"', '__import__("os")'), "start", "unknown name '__import__'",
         "use answer, slot.NAME or context.NAME"),
        (ASK.replace("{type: yes_no}", "{type: choice, options: [{id: off, label: Off}, "
                     "{id: red, label: Red}]}"), "start", "was read as false",
         'put the value in quotes, e.g. id: "off"'),
    ],
)  # fmt: skip
def test_shape_errors_name_the_step_and_the_fix(
    steps: str, step: str, problem: str, fix: str
) -> None:
    error = one(problems(steps), step)
    assert (error.file, error.flow, error.step) == ("demo.yaml", "demo", step)
    assert problem in error.problem
    assert error.fix is not None and fix in error.fix


def test_fault_outcome_needs_category_and_component() -> None:
    tail = OK_TAIL.replace("    category: hardware\n    component: codec\n", "")
    error = one(problems(ASK, tail=tail), "broken")
    assert error.problem == "a fault outcome needs `category` and `component`."


def test_yaml_syntax_error_names_the_line() -> None:
    _, errors = parse_flow_text("id: demo\ntitle: [unclosed\nsteps: x\n", file="bad.yaml")
    error = one(errors, None)
    assert (error.file, error.flow, error.step) == ("bad.yaml", "demo", None)
    assert error.problem.startswith("is not valid YAML at line")
    assert error.fix == "check the indentation and quoting near that line"


def test_not_a_mapping() -> None:
    error = one(parse_flow_text("- just\n- a list\n", file="list.yaml")[1], None)
    assert error.problem.startswith("does not hold a flow")


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_a_malformed_file_stops_nothing_else_from_loading(tmp_path: Path) -> None:
    good = HEAD + textwrap.indent(ASK, "  ") + OK_TAIL
    _write(tmp_path, "a-good.yaml", good)
    _write(tmp_path, "b-broken.yaml", "id: broken\nsteps: [\n")
    _write(tmp_path, "c-other.yml", good.replace("id: demo", "id: other"))
    _write(tmp_path, "d-duplicate.yaml", good)
    _write(tmp_path, "notes.txt", "not a flow")
    result = load_flows(tmp_path)
    assert [f.id for f in result.flows] == ["demo", "other"]
    assert [(e.file, e.flow) for e in result.errors] == [
        ("b-broken.yaml", "broken"),
        ("d-duplicate.yaml", "demo"),
    ]
    duplicate = result.errors[1]
    assert duplicate.problem == "the flow id is already used by a-good.yaml."
    assert duplicate.fix == "rename the flow in d-duplicate.yaml; flow ids must be unique"
    assert not result.ok


def test_missing_folder_is_an_error_not_an_exception(tmp_path: Path) -> None:
    result = load_flows(tmp_path / "nope")
    assert result.flows == [] and "is not a folder of flow files" in result.errors[0].problem
