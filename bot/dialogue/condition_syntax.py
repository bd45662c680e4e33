"""The syntax of the condition language: its tree, its errors, and a hand-written parser.

The grammar is in :mod:`bot.dialogue.conditions`. Text goes in, a tree of small frozen dataclasses comes
out, or a :class:`ConditionError` saying where the problem is and how to fix it. Nothing is evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Scalar = str | float | bool
LiteralValue = Scalar | tuple[Scalar, ...]
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


def parse_tree(text: str) -> Node:
    """Parse ``text`` into a syntax tree; :class:`ConditionError` when it is not valid."""
    tokens = _tokenize(text)
    parser = _Parser(text, tokens)
    tree = parser.expr()
    if parser.pos != len(tokens):
        raise ConditionError(
            f"unexpected '{tokens[parser.pos][1]}' in condition {text!r}",
            'join comparisons with "and" / "or"',
        )
    return tree


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
            if self._peek() != ("punct", ")"):
                raise ConditionError(f"missing ')' in condition {self.text!r}", "close every '('")
            self.pos += 1
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
