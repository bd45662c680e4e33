"""Tables on the write side: a Markdown pipe table is one block for the splitter, cut only between
body rows with the header repeated; HTML and reStructuredText tables are turned into pipe tables.

A table's lines stay lines (one row each) inside a paragraph, so readers can lay it out again.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

from bot.kb.tables import parse_pipe_table, pipe_table

_SIMPLE_BORDER = re.compile(r"^\s*=+(?:[ \t]+=+)+\s*$")  # ======  =====  (two columns or more)
_GRID_BORDER = re.compile(r"^\s*\+(?:[-=]+\+){2,}\s*$")  # +-----+-----+
_SPAN_UNDERLINE = re.compile(r"^[\s-]+$")
MAX_RST_TABLE_LINES = 2000


def is_table(paragraph: str) -> bool:
    """Whether a paragraph is a pipe table (what ``paragraphs_of`` makes of a table's lines)."""
    return "\n" in paragraph and parse_pipe_table(paragraph.split("\n")) is not None


def split_table(table: str, limit: int) -> list[str]:
    """A pipe table cut between body rows into pieces of about ``limit`` characters, each starting
    with the header and delimiter rows. A row is never cut, so one row longer than the limit makes a
    longer piece."""
    if len(table) <= limit:
        return [table]
    lines = table.split("\n")
    head = "\n".join(lines[:2])
    pieces: list[str] = []
    current: list[str] = []
    size = len(head)
    for row in lines[2:]:
        if current and size + 1 + len(row) > limit:
            pieces.append("\n".join([head, *current]))
            current, size = [], len(head)
        current.append(row)
        size += 1 + len(row)
    if current or not pieces:
        pieces.append("\n".join([head, *current]))
    return pieces


def from_cells(rows: Sequence[Sequence[str]], header: bool) -> list[str]:
    """Rows of cell texts (an HTML table's) as paragraphs: one pipe table, the first row its header
    when ``header`` (else an empty header row); a single-column table stays one paragraph a cell."""
    head, rows = (list(rows[0]), rows[1:]) if header and rows else ([], rows)
    body = [r for r in rows if any(c.strip() for c in r)]
    width = max((len(r) for r in [head, *body]), default=0)
    if width < 2:
        return [c for r in [head, *body] for c in r if c.strip()]
    return ["\n".join(pipe_table([*head, *[""] * (width - len(head))], body))]


def _merge(rows: list[list[str]]) -> list[str]:
    """Several text lines of one row (a cell's continuation lines) as one row."""
    return [" ".join(filter(None, column)) for column in zip(*rows, strict=True)]


def _slices(line: str, starts: Sequence[int], ends: Sequence[int | None]) -> list[str]:
    return [line[a:b].strip() for a, b in zip(starts, ends, strict=True)]


def _simple(lines: Sequence[str], start: int) -> tuple[int, list[str], list[list[str]]] | None:
    border = lines[start].rstrip()
    starts = [m.start() for m in re.finditer(r"=+", border)]
    ends: list[int | None] = [*starts[1:], None]
    borders = [start]
    for j in range(start + 1, min(len(lines), start + MAX_RST_TABLE_LINES)):
        if lines[j].rstrip() == border:
            borders.append(j)
            if j + 1 == len(lines) or not lines[j + 1].strip():
                break
    else:
        return None
    if len(borders) < 2:
        return None
    parts: list[list[list[str]]] = []
    for a, b in itertools.pairwise(borders):
        rows: list[list[str]] = []
        for line in lines[a + 1 : b]:
            if not line.strip() or _SPAN_UNDERLINE.match(line):
                continue
            cells = _slices(line, starts, ends)
            if rows and not cells[0]:  # a blank first column continues the row above
                rows[-1] = _merge([rows[-1], cells])
            else:
                rows.append(cells)
        parts.append(rows)
    if len(parts) == 1:
        return borders[-1] + 1, [""] * len(starts), parts[0]
    return borders[-1] + 1, _merge(parts[0]) if parts[0] else [], [r for p in parts[1:] for r in p]


def _grid(lines: Sequence[str], start: int) -> tuple[int, list[str], list[list[str]]] | None:
    bounds = [m.start() for m in re.finditer(r"\+", lines[start])]
    starts, ends = [b + 1 for b in bounds[:-1]], list(bounds[1:])
    rows: list[list[str]] = []
    current: list[list[str]] = []
    head = 0
    j = start + 1
    while j < len(lines) and lines[j].strip()[:1] in ("+", "|"):
        if lines[j].strip().startswith("+"):  # a border closes the row above
            if current:
                rows.append(_merge(current))
                current = []
            if "=" in lines[j] and not head:
                head = len(rows)
        else:
            current.append([c.strip("| ") for c in _slices(lines[j], starts, ends)])
        j += 1
    if current or not rows:
        return None
    header = _merge(rows[:head]) if head else [""] * len(starts)
    return j, header, rows[head:]


def rst_table(
    lines: Sequence[str], start: int, clean: Callable[[str], str] = str
) -> tuple[int, str] | None:
    """The reStructuredText simple or grid table at ``lines[start]`` as (index after it, a pipe
    table with ``clean`` applied to each cell), or None when no table starts there."""
    line = lines[start]
    if _SIMPLE_BORDER.match(line):
        found = _simple(lines, start)
    elif _GRID_BORDER.match(line) and "=" not in line:
        found = _grid(lines, start)
    else:
        return None
    if found is None:
        return None
    end, header, rows = found
    header = [clean(c) for c in header]
    body = [[clean(c) for c in r] for r in rows]
    return end, "\n".join(pipe_table(header, body))
