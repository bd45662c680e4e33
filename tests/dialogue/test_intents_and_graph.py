"""Commands that work at any step, side questions, and the Mermaid drawing."""

from __future__ import annotations

import pytest

from bot.dialogue.engine import advance
from bot.dialogue.events import Answer, Escalate, GoBack, SideQuestion, Start, StartOver
from bot.dialogue.graph import to_mermaid
from bot.dialogue.intents import control_intent, interpret, looks_like_question
from bot.dialogue.schema import Flow
from tests.dialogue.conftest import AT, flow_from

FLOW = flow_from(
    """
    id: tiny
    title: Tiny "demo" flow
    description: d
    examples: [a, b, c, d, e, f]
    products: [cx-codec]
    steps:
      - id: led
        kind: ask
        question: What colour is the LED?
        answer:
          type: choice
          options:
            - {id: white, label: White}
            - {id: amber, label: Amber}
        not_sure: end
        next:
          - if: answer == "amber"
            then: kb
          - else: end
      - id: kb
        kind: check_kb
        query: amber LED | stuck
        found: bad
        not_found: end
      - id: end
        kind: outcome
        outcome: resolved
        summary: Fine.
      - id: bad
        kind: outcome
        outcome: fault
        category: software
        component: firmware
        summary: Stuck "updating".
    """
)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("go back", "go_back"), ("Back", "go_back"), ("oops, go back please", "go_back"),
        ("previous question", "go_back"), ("start over", "start_over"),
        ("can we start again?", "start_over"), ("restart", "start_over"),
        ("talk to a person", "escalate"), ("I want to speak to an engineer", "escalate"),
        ("human", "escalate"), ("get me a real person", "escalate"),
        ("the back of the codec is dusty", None), ("it restarted by itself", None),
        ("yes", None),
    ],
)  # fmt: skip
def test_control_intents(text: str, intent: str | None) -> None:
    assert control_intent(text) == intent


def test_interpret_tells_commands_side_questions_and_answers_apart() -> None:
    state, _ = advance(FLOW, None, Start(at=AT, flow_id="tiny"))
    assert isinstance(interpret(FLOW, state, "go back", AT), GoBack)
    assert isinstance(interpret(FLOW, state, "start over", AT), StartOver)
    assert isinstance(interpret(FLOW, state, "talk to a person", AT), Escalate)
    side = interpret(FLOW, state, "where is the codec?", AT)
    assert isinstance(side, SideQuestion) and side.text == "where is the codec?"
    assert isinstance(interpret(FLOW, state, "is that the one by the TV?", AT), SideQuestion)
    assert isinstance(interpret(FLOW, state, "white", AT), Answer)
    assert isinstance(interpret(FLOW, state, "is it amber?", AT), Answer)  # names an option
    assert isinstance(interpret(FLOW, state, "not sure", AT), Answer)
    assert looks_like_question("how do I open it") and not looks_like_question("it is white")


def test_mermaid_draws_every_step_and_branch() -> None:
    text = to_mermaid(FLOW)
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    assert '    led["What colour is the LED?"]' in lines
    assert '    kb{{"KB: amber LED #124; stuck"}}' in lines
    assert '    end_(["Resolved: Fine."])' in lines  # "end" is reserved in Mermaid
    assert '    bad(["Fault (software): Stuck #quot;updating#quot;."])' in lines
    assert '    led -->|"answer == #quot;amber#quot;"| kb' in lines
    assert '    led -->|"else"| end_' in lines
    assert '    led -.->|"not sure"| end_' in lines
    assert '    kb -->|"found"| bad' in lines and '    kb -->|"not found"| end_' in lines
    assert "    class end_ resolved" in lines and "    class bad fault" in lines
    assert text.endswith("\n")


def test_every_bundled_flow_draws(bundled_flows: dict[str, Flow]) -> None:
    for flow in bundled_flows.values():
        text = to_mermaid(flow)
        assert all(f"    {s.id}" in text or f"    {s.id}_" in text for s in flow.steps)
