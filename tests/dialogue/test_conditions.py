"""The tiny condition language: parsed by hand, evaluated safely, never eval'd."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dialogue.conditions import ConditionError, parse_condition

SLOTS = {"room": "Room 4", "display": "display2"}
CONTEXT = {"product": "cx-codec", "model": "CX-900", "firmware": "9.4.0"}


@pytest.mark.parametrize(
    ("source", "answer", "expected"),
    [
        ('answer == "yes"', "yes", True),
        ('answer == "YES"', "yes", True),
        ('answer != "yes"', "no", True),
        ('answer in ["orange", "red"]', "red", True),
        ("answer in ['orange', 'red']", "white", False),
        ('answer not in ["orange", "red"]', "white", True),
        ("answer > 20", 25.0, True),
        ("answer > 20", 20.0, False),
        ("answer >= 20", 20.0, True),
        ("answer < 5.5", 5.0, True),
        ("answer > 20", "twenty", False),
        ('answer == "20"', 20.0, False),
        ('slot.room != ""', None, True),
        ('slot.missing == ""', None, True),
        ("slot.room", None, True),
        ("not slot.missing", None, True),
        ('context.model == "CX-900" and slot.display == "display2"', None, True),
        ('context.model == "CX-500" or answer == "yes"', "yes", True),
        ('not (answer == "yes" or answer == "no")', "maybe", True),
        ("answer == true", True, True),
    ],
)
def test_evaluate(source: str, answer: str | float | None, expected: bool) -> None:
    assert parse_condition(source).evaluate(answer, SLOTS, CONTEXT) is expected


def test_refs_and_comparisons_are_exposed_for_the_validator() -> None:
    condition = parse_condition('slot.room != "" and answer in ["a", "b"]')
    assert [(r.root, r.name) for r in condition.refs()] == [("slot", "room"), ("answer", "")]
    assert [c.op for c in condition.comparisons()] == ["!=", "in"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty condition"),
        ("answer = 1", "single '='"),
        ("answer == yes", "unknown name 'yes'"),
        ('__import__("os").system("x")', "cannot read '.system"),
        ('__import__ == "os"', "unknown name '__import__'"),
        ("context.serial == 'x'", "unknown name 'context.serial'"),
        ('answer == "yes" answer', "unexpected 'answer'"),
        ('(answer == "yes"', "missing ')'"),
        ("answer in [1, answer]", "a list holds something other"),
        ("answer in [1 2]", "expected ',' or ']'"),
        ("answer ==", "ends too early"),
        ("answer == $", "cannot read '$'"),
    ],
)
def test_bad_conditions_say_what_is_wrong(source: str, message: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(source)
    assert message in caught.value.problem
    assert caught.value.fix


@given(st.text(max_size=80))
def test_parsing_never_fails_with_anything_but_condition_error(source: str) -> None:
    try:
        condition = parse_condition(source)
    except ConditionError:
        return
    condition.evaluate("x", {}, {})
