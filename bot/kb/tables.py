"""Markdown pipe tables in passage and answer text: found, parsed and laid out for a terminal.

A table is a header row, a delimiter row (``|---|:--:|--:|``, one cell per header cell) and the rows
after it that hold an unescaped ``|``; outer pipes are optional and ``\\|`` is a literal pipe in a
cell. A line that merely contains a ``|`` is not a table. Shared by the splitter (never cut inside a
table), the console (a Markdown table of escaped cells) and the CLI (aligned columns).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

_RULE_CELL = re.compile(r"^:?-+:?$")
_SPACE = re.compile(r"\s+")
Align = Literal["left", "right", "center"]
Table = tuple[list[str], list[list[str]]]


def split_cells(line: str) -> list[str] | None:
    """The cells of a table row, or None when the line holds no unescaped ``|``."""
    text = line.strip()
    cells: list[str] = []
    current: list[str] = []
    ends_with_pipe = False
    i = 0
    while i < len(text):
        char = text[i]
        ends_with_pipe = False
        if char == "\\" and text[i + 1 : i + 2] == "|":
            current.append("|")
            i += 1
        elif char == "|":
            cells.append("".join(current).strip())
            current = []
            ends_with_pipe = True
        else:
            current.append(char)
        i += 1
    if not cells:
        return None
    cells.append("".join(current).strip())
    if text.startswith("|"):
        cells.pop(0)
    if ends_with_pipe:
        cells.pop()
    return cells or None


def is_rule(line: str, width: int | None = None) -> bool:
    """Whether ``line`` is a delimiter row (of ``width`` cells, when given)."""
    cells = split_cells(line)
    if not cells or not all(_RULE_CELL.match(c) for c in cells):
        return False
    return width is None or len(cells) == width


def table_end(lines: Sequence[str], start: int) -> int:
    """The index after the table that starts at ``lines[start]``, or ``start`` when none does."""
    if start + 1 >= len(lines):
        return start
    header = split_cells(lines[start])
    if header is None or not is_rule(lines[start + 1], len(header)):
        return start
    end = start + 2
    while end < len(lines) and lines[end].strip() and split_cells(lines[end]) is not None:
        end += 1
    return end


def alignments(rule: str) -> list[Align]:
    """The column alignments a delimiter row asks for (``:--`` left, ``--:`` right, ``:-:`` centre)."""
    out: list[Align] = []
    for cell in split_cells(rule) or []:
        if cell.startswith(":") and cell.endswith(":") and len(cell) > 1:
            out.append("center")
        elif cell.endswith(":"):
            out.append("right")
        else:
            out.append("left")
    return out


def parse_pipe_table(lines: Sequence[str]) -> Table | None:
    """(header, rows) when ``lines`` are exactly one table, rows padded or cut to the header's width."""
    lines = list(lines)
    if len(lines) < 2 or table_end(lines, 0) != len(lines):
        return None
    header = split_cells(lines[0]) or []
    width = len(header)
    rows = [((split_cells(line) or []) + [""] * width)[:width] for line in lines[2:]]
    return header, rows


def blocks(text: str) -> list[tuple[bool, list[str]]]:
    """The lines of ``text`` as runs: (True, a table's lines) or (False, other lines), in order."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[tuple[bool, list[str]]] = []
    i = 0
    while i < len(lines):
        end = table_end(lines, i)
        if end > i:
            out.append((True, lines[i:end]))
            i = end
            continue
        if out and not out[-1][0]:
            out[-1][1].append(lines[i])
        else:
            out.append((False, [lines[i]]))
        i += 1
    return out


def escape_cell(text: str) -> str:
    """Cell text for a pipe table: whitespace folded, ``|`` escaped as ``\\|``."""
    return _SPACE.sub(" ", text).strip().replace("|", "\\|")


def pipe_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The lines of a Markdown pipe table; cells are escaped, short rows padded to the widest."""
    width = max([len(header), *(len(r) for r in rows)], default=0) or 1

    def line(cells: Sequence[str]) -> str:
        padded = [escape_cell(c) for c in cells] + [""] * (width - len(cells))
        return "| " + " | ".join(padded) + " |"

    return [line(header), "|" + "---|" * width, *(line(r) for r in rows)]


def _pad(text: str, width: int, align: Align) -> str:
    if align == "right":
        return text.rjust(width)
    if align == "center":
        return text.center(width)
    return text.ljust(width)


def format_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[Align] = ()
) -> list[str]:
    """A table as aligned plain-text lines; an all-empty header row is left out."""
    shown = [list(header), *map(list, rows)] if any(header) else [list(r) for r in rows]
    widths = [max(len(r[c]) for r in shown) if shown else 0 for c in range(len(header))]
    left: list[Align] = ["left"] * len(header)
    aligns = [*align, *left][: len(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(_pad(c, w, a) for c, w, a in zip(cells, widths, aligns, strict=True))

    out = [line(r).rstrip() for r in shown]
    if any(header):
        out.insert(1, "  ".join("-" * w for w in widths))
    return out


def format_plain(text: str) -> str:
    """``text`` with every pipe table laid out in padded columns; other lines are left as they are."""
    out: list[str] = []
    for is_table, lines in blocks(text):
        parsed = parse_pipe_table(lines) if is_table else None
        if parsed is None:
            out.extend(lines)
        else:
            out.extend(format_table(*parsed, alignments(lines[1])))
    return "\n".join(out)
