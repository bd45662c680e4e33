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

import re
from collections.abc import Mapping
from dataclasses import dataclass

Value = str | float | bool | None
Scalar = str | float | bool
LiteralValue = Scalar | tuple[Scalar, ...]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>"[^"]*"|'[^']*')
      | (?P<op>==|!=|<=|>=|<|>)
      | (?P<punct>[\[\](),])
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
    )""",
    re.VERBOSE,
)
ROOTS = ("answer", "slot", "context")
CONTEXT_NAMES = ("product", "model", "firmware")


class SpecError(ValueError):
    """A flow-definition value that is not valid: ``problem`` says what, ``fix`` how to mend it."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


class ConditionError(SpecError):
    """A condition that does not parse; the message says where and what was expected."""

    def __init__(self, problem: str, fix: str = 'write conditions like answer == "yes"') -> None:
        super().__init__(problem, fix)


@dataclass(frozen=True)
class Ref:
    """A reference to ``answer``, ``slot.NAME`` or ``context.NAME``."""

    root: str
    name: str = ""


@dataclass(frozen=True)
class Const:
    value: LiteralValue


@dataclass(frozen=True)
class Compare:
    left: Ref | Const
    op: str
    right: Ref | Const


@dataclass(frozen=True)
class Truthy:
    operand: Ref | Const


@dataclass(frozen=True)
class Not:
    inner: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    items: tuple[Node, ...]


Node = Compare | Truthy | Not | BoolOp


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
    tokens = _tokenize(text)
    parser = _Parser(text, tokens)
    tree = parser.expr()
    if parser.pos != len(tokens):
        raise ConditionError(
            f"unexpected '{tokens[parser.pos][1]}' in condition {text!r}",
            'join comparisons with "and" / "or"',
        )
    return Condition(text, tree)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    stripped = text.rstrip()
    if not stripped.strip():
        raise ConditionError("empty condition")
    while pos < len(stripped):
        match = _TOKEN.match(stripped, pos)
        if stripped[pos:].lstrip().startswith("=") and not stripped[pos:].lstrip().startswith("=="):
            raise ConditionError(
                f"single '=' in condition {text!r}", "compare with '==', e.g. answer == \"yes\""
            )
        if not match or match.end() == pos:
            raise ConditionError(
                f"cannot read {stripped[pos:].strip()[:20]!r} in condition {text!r}",
                'put text in quotes, e.g. answer == "yes"',
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, tokens: list[tuple[str, str]]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0

    def _peek(self, offset: int = 0) -> tuple[str, str] | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise ConditionError(f"condition {self.text!r} ends too early")
        self.pos += 1
        return token

    def _is_word(self, word: str, offset: int = 0) -> bool:
        token = self._peek(offset)
        return token is not None and token == ("name", word)

    def expr(self) -> Node:
        items = [self.and_expr()]
        while self._is_word("or"):
            self.pos += 1
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self._is_word("and"):
            self.pos += 1
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_expr(self) -> Node:
        if self._is_word("not"):
            self.pos += 1
            return Not(self.not_expr())
        if self._peek() == ("punct", "("):
            self.pos += 1
            inner = self.expr()
            if self._take() != ("punct", ")"):
                raise ConditionError(f"missing ')' in condition {self.text!r}")
            return inner
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        token = self._peek()
        if token is not None and token[0] == "op":
            self.pos += 1
            return Compare(left, token[1], self.operand())
        if self._is_word("in"):
            self.pos += 1
            return Compare(left, "in", self.operand())
        if self._is_word("not") and self._is_word("in", 1):
            self.pos += 2
            return Compare(left, "not in", self.operand())
        return Truthy(left)

    def operand(self) -> Ref | Const:
        kind, text = self._take()
        if kind == "punct" and text == "[":
            return Const(self._list())
        if kind in ("number", "string") or (kind == "name" and text in ("true", "false")):
            return Const(_scalar(kind, text))
        if kind == "name":
            return self._ref(text)
        raise ConditionError(f"expected a value but found '{text}' in condition {self.text!r}")

    def _ref(self, text: str) -> Ref:
        root, _, name = text.partition(".")
        if root == "answer" and not name:
            return Ref("answer")
        if root in ("slot", "context") and name:
            if root == "context" and name not in CONTEXT_NAMES:
                raise ConditionError(
                    f"unknown name 'context.{name}' in condition {self.text!r}",
                    f"use one of {', '.join('context.' + n for n in CONTEXT_NAMES)}",
                )
            return Ref(root, name)
        raise ConditionError(
            f"unknown name '{text}' in condition {self.text!r}",
            "use answer, slot.NAME or context.NAME, and put text in quotes",
        )

    def _list(self) -> tuple[Scalar, ...]:
        items: list[Scalar] = []
        while True:
            kind, text = self._take()
            if kind == "punct" and text == "]" and not items:
                return ()
            if kind not in ("number", "string") and text not in ("true", "false"):
                raise ConditionError(
                    f"a list holds something other than a quoted string or a number in "
                    f"{self.text!r}",
                    'write lists like ["orange", "red"]',
                )
            items.append(_scalar(kind, text))
            kind, text = self._take()
            if (kind, text) == ("punct", "]"):
                return tuple(items)
            if (kind, text) != ("punct", ","):
                raise ConditionError(
                    f"expected ',' or ']' in a list in condition {self.text!r}",
                    'write lists like ["orange", "red"]',
                )


def _scalar(kind: str, text: str) -> Scalar:
    if kind == "number":
        return float(text)
    if kind == "string":
        return text[1:-1]
    return text == "true"


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
