"""The tiny condition language of flow links, parsed by hand and never passed to ``eval``.

Grammar (keywords are lower case; strings use double or single quotes)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" expr ")" | comparison
    comparison := operand [op operand]          op: == != < <= > >= in "not in"
    operand    := "answer" | "slot.NAME" | "context.NAME" | STRING | NUMBER | true | false | list
    list       := "[" [literal ("," literal)*] "]"

Examples: ``answer == "yes"``, ``answer in ["orange", "red"]``, ``answer > 20``,
``slot.room != ""``, ``context.model == "CX-900" and answer == "display2"``.

Evaluation never raises: a missing slot or context value is ``""``, and comparing a number with a
string is simply false. A bare operand is true when it is truthy (``slot.room``: "room is set").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.dialogue.condition_syntax import (
    CONTEXT_NAMES,
    Compare,
    ConditionError,
    Const,
    LiteralValue,
    Node,
    Not,
    Ref,
    Scalar,
    SpecError,
    Truthy,
    parse_tree,
)

Value = str | float | bool | None

__all__ = [
    "CONTEXT_NAMES",
    "Compare",
    "Condition",
    "ConditionError",
    "Const",
    "LiteralValue",
    "Ref",
    "SpecError",
    "Value",
    "parse_condition",
]


@dataclass(frozen=True)
class Condition:
    """A parsed condition: its source text and its syntax tree."""

    source: str
    tree: Node

    def evaluate(
        self,
        answer: Value,
        slots: Mapping[str, str] | None = None,
        context: Mapping[str, str | None] | None = None,
    ) -> bool:
        """True when the condition holds for this answer, these slots and this site context."""
        return _eval(self.tree, _Env(answer, slots or {}, context or {}))

    def refs(self) -> list[Ref]:
        """Every reference in the condition, in source order."""
        return list(_refs(self.tree))

    def comparisons(self) -> list[Compare]:
        """Every comparison in the condition (for type checks by the validator)."""
        return list(_compares(self.tree))


def parse_condition(text: str) -> Condition:
    """Parse ``text`` into a :class:`Condition`; :class:`ConditionError` when it is not valid."""
    return Condition(text, parse_tree(text))


@dataclass(frozen=True)
class _Env:
    answer: Value
    slots: Mapping[str, str]
    context: Mapping[str, str | None]


def _resolve(operand: Ref | Const, env: _Env) -> Value | tuple[Scalar, ...]:
    if isinstance(operand, Const):
        return operand.value
    if operand.root == "answer":
        return env.answer
    source = env.slots if operand.root == "slot" else env.context
    value = source.get(operand.name)
    return "" if value is None else value


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _equal(left: object, right: object) -> bool:
    ln, rn = _as_number(left), _as_number(right)
    if ln is not None and rn is not None:
        return ln == rn
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    return left == right


def _compare(left: object, op: str, right: object) -> bool:
    if op in ("in", "not in"):
        members = right if isinstance(right, tuple) else ()
        found = any(_equal(left, member) for member in members)
        return found if op == "in" else not found
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    ln, rn = _as_number(left), _as_number(right)
    if ln is None or rn is None:
        return False
    return {"<": ln < rn, "<=": ln <= rn, ">": ln > rn, ">=": ln >= rn}[op]


def _eval(node: Node, env: _Env) -> bool:
    if isinstance(node, Compare):
        return _compare(_resolve(node.left, env), node.op, _resolve(node.right, env))
    if isinstance(node, Truthy):
        return bool(_resolve(node.operand, env))
    if isinstance(node, Not):
        return not _eval(node.inner, env)
    results = (_eval(item, env) for item in node.items)
    return any(results) if node.op == "or" else all(results)


def _refs(node: Node) -> list[Ref]:
    if isinstance(node, Compare):
        return [o for o in (node.left, node.right) if isinstance(o, Ref)]
    if isinstance(node, Truthy):
        return [node.operand] if isinstance(node.operand, Ref) else []
    if isinstance(node, Not):
        return _refs(node.inner)
    return [ref for item in node.items for ref in _refs(item)]


def _compares(node: Node) -> list[Compare]:
    if isinstance(node, Compare):
        return [node]
    if isinstance(node, Truthy):
        return []
    if isinstance(node, Not):
        return _compares(node.inner)
    return [c for item in node.items for c in _compares(item)]
