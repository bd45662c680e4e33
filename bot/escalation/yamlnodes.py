"""YAML reading that remembers where things are, so data errors can name the file and the line.

``read_yaml`` returns the plain data and the node tree it came from; ``line_of`` walks that tree
along a path of keys and indexes (such as a pydantic error location) and returns the 1-based line
of the deepest node it reaches; ``explain`` turns a pydantic validation error into one sentence
and its location.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.errors import AccountsError

Loc = Sequence[str | int]
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def read_yaml(path: Path) -> tuple[object, yaml.Node | None]:
    """Parse one file safely. Raises ``AccountsError`` for unreadable files, YAML syntax errors,
    duplicate mapping keys (which plain YAML loading would silently overwrite), half-character
    escapes (``"\\ud800"``), nesting too deep to read and tagged values YAML cannot convert
    (``2026-13-01``, ``!!bool maybe``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AccountsError(f"cannot read the file ({exc})", file=str(path)) from None
    try:
        loader = yaml.SafeLoader(text)  # refuses control characters already
    except yaml.reader.ReaderError as exc:
        raise AccountsError(
            f"character #x{exc.character:04x} is not allowed in YAML",
            file=str(path),
            line=text.count("\n", 0, exc.position) + 1,
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _refuse_duplicate_keys(node, path)
        try:
            return loader.construct_document(node), node
        except (ValueError, TypeError, LookupError, AttributeError, OverflowError) as exc:
            # PyYAML's constructors raise plain exceptions for tagged scalars they cannot convert
            raise AccountsError(
                f"a value YAML cannot read ({type(exc).__name__}: {exc}); quote it or correct it",
                file=str(path),
            ) from None
    except RecursionError:
        raise AccountsError("the YAML is nested too deeply", file=str(path)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise AccountsError(f"YAML syntax error: {problem}", file=str(path), line=line) from None
    except yaml.YAMLError as exc:
        raise AccountsError(f"YAML error: {exc}", file=str(path)) from None
    finally:
        loader.dispose()


def _refuse_duplicate_keys(node: yaml.Node, path: Path) -> None:
    """Also refuses lone surrogates in scalars; each node is visited once (aliases share nodes, and
    an anchor may contain its own alias)."""
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    _refuse_surrogates(key, path)
                    if key.value in keys:
                        raise AccountsError(
                            f"key '{key.value}' appears twice in the same mapping",
                            file=str(path),
                            line=key.start_mark.line + 1,
                        )
                    keys.add(key.value)
                stack.extend((key, value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.ScalarNode):
            _refuse_surrogates(current, path)


def _refuse_surrogates(node: yaml.ScalarNode, path: Path) -> None:
    if _SURROGATE.search(node.value):
        raise AccountsError(
            "an escape of half a character (a lone surrogate such as \\ud800); write the "
            "character itself",
            file=str(path),
            line=node.start_mark.line + 1,
        )


def line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the node at ``loc`` (keys for mappings, indexes for sequences), or of
    the deepest node on the way when the path leaves the tree (a missing key: its parent's line)."""
    if root is None:
        return None
    node = root
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if getattr(k, "value", None) == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if 0 <= part < len(node.value) else None
        if child is None:
            break
        node = child
    return int(node.start_mark.line) + 1


def dotted(loc: Loc) -> str:
    """Render a location as ``customers[0].sites[1].timezone``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def explain(error: ValidationError) -> tuple[str, tuple[str | int, ...]]:
    """One sentence for the first problem of a pydantic error, and its location. An unknown key
    is reported before anything else: it is most often a misspelling of a missing one."""
    problems = error.errors()
    first = next((p for p in problems if p["type"] == "extra_forbidden"), problems[0])
    loc = tuple(first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    value = first.get("input")
    if first["type"] == "string_type" and isinstance(value, bool | int | float):
        message += f" (YAML read {value!r}; put the value in quotes)"
    elif first["type"] == "extra_forbidden":
        message = "unknown field; check its spelling against the schema"
    where = dotted(loc)
    return (f"{where}: {message}" if where else message), loc
