"""How well free-text replies are understood: the answer tables (``answers.jsonl``, and the
held-out ``answers.holdout.jsonl`` written apart from any tuning).

Each row is a question of a flow step (or of the assistant itself), a reply and what a careful
human reads in it. A reply is read the way the engine reads it at that step: the any-step
commands first ("talk to a person", "go back", "start over"), then the step's own answer
specification (its options, synonyms and phrases from the flow YAML, when the row names one).
A reading that asks "did you mean X?" counts as right when X is the expected answer; a wrong
reading, or "not understood" for a clear reply, counts as wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from bot.dialogue.answers import parse_answer
from bot.dialogue.intents import control_intent, is_side_question
from bot.dialogue.schema import AnswerSpec, AskStep, Flow
from bot.jsonl import read_jsonl

_SPEC: TypeAdapter[Any] = TypeAdapter(AnswerSpec)
_COMMANDS = {"go_back": "go_back", "start_over": "start_over", "escalate": "person"}


@dataclass(frozen=True)
class Reading:
    id: str
    kind: str
    expected: object
    got: object
    confirm: bool

    @property
    def right(self) -> bool:
        if isinstance(self.expected, int | float) and isinstance(self.got, int | float):
            return abs(float(self.got) - float(self.expected)) <= 0.06
        return self.got == self.expected


def read_reply(row: Mapping[str, Any], flows: Mapping[str, Flow]) -> Reading:
    """The engine's reading of one table row."""
    spec = _SPEC.validate_python(row["answer"])
    flow = flows.get(str(row.get("flow") or ""))
    step_id = row.get("step")
    if flow is not None and step_id and flow.has_step(step_id):
        step = flow.step(step_id)
        if isinstance(step, AskStep):
            spec = step.answer
    reply = str(row["reply"])
    command = control_intent(reply)
    confirm = False
    if command is not None:
        got: object = _COMMANDS[command]
    elif is_side_question(reply):
        got = "unclear"  # the engine answers the side question and asks the step again
    else:
        parsed = parse_answer(spec, reply, None, str(row["question"]))
        if parsed.kind == "none":
            got = "unclear"
        elif parsed.kind == "not_sure":
            got = "not_sure"
        else:
            got, confirm = parsed.value, parsed.needs_confirmation
    return Reading(str(row["id"]), row["answer"]["type"], row["expected"], got, confirm)


def evaluate_answers(path: Path, flows: Mapping[str, Flow]) -> dict[str, Any]:
    """Accuracy overall and by answer type, the "not understood" count on clear replies, and
    the rows read wrong."""
    rows = read_jsonl(path, ("id", "question", "answer", "reply", "expected"))
    readings = [read_reply(row, flows) for row in rows]
    by_kind: dict[str, list[Reading]] = {}
    for reading in readings:
        by_kind.setdefault(reading.kind, []).append(reading)
    missed_clear = [r for r in readings if r.got == "unclear" and r.expected != "unclear"]
    return {
        "rows": len(readings),
        "accuracy": _share(readings),
        "by_type": {kind: _share(rs) | {"rows": len(rs)} for kind, rs in sorted(by_kind.items())},
        "not_understood_on_clear_replies": len(missed_clear),
        "confirmations": sum(r.confirm for r in readings),
        "wrong": [
            {"id": r.id, "expected": r.expected, "got": r.got} for r in readings if not r.right
        ],
        "wrong_by_expected": dict(Counter(str(r.expected) for r in readings if not r.right)),
    }


def _share(readings: Sequence[Reading]) -> dict[str, float]:
    right = sum(r.right for r in readings)
    return {"accuracy": round(right / len(readings), 4) if readings else 0.0}
