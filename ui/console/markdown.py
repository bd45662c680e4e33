"""Document and user text made inert for ``st.markdown``, with query terms highlighted.

Streamlit's Markdown adds its own syntax to CommonMark (``:red[...]`` colours, ``$...$`` maths,
``:material/...:`` icons), so every ASCII punctuation character is backslash-escaped (CommonMark
allows escaping any of them): no tag, entity, link, list or heading survives. Web and e-mail
addresses get an invisible word joiner, so GFM does not turn them into links either. Highlights are
added *after* escaping, around escaped text only. A pipe table in document text becomes a Markdown
table whose every cell is escaped the same way (``with_tables``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Sequence

from bot.escalation.handoff_text import defuse_links
from bot.kb.tables import Align, alignments, blocks, parse_pipe_table
from bot.kb.tokens import STOPWORDS

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_WORD = re.compile(r"[a-z0-9]+(?:[._\-/][a-z0-9]+)*")  # as bot.kb.tokens reads words
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
HIGHLIGHT = ":orange[**{}**]"  # coloured bold: a background pads the word like a space


def _fold(text: str) -> str:
    return " ".join(_CONTROL.sub("", text).split())


def _inert(text: str) -> str:
    return _PUNCTUATION.sub(r"\\\1", defuse_links(text))


def escape(text: str) -> str:
    """One line of text as literal Markdown: punctuation escaped, whitespace runs folded."""
    return _inert(_fold(text))


def escape_lines(text: str) -> str:
    """Several lines of text as literal Markdown, each kept on its own line."""
    lines = [escape(line) for line in text.replace("\r", "\n").split("\n")]
    return "  \n".join(line for line in lines if line)


def query_terms(query: str) -> list[str]:
    """The words of a query worth highlighting, longest first: identifiers whole (``cx-900``,
    not ``cx``), other content words of two characters or more."""
    words = (w for w in _WORD.findall(query.lower()) if w not in STOPWORDS and len(w) >= 2)
    return sorted(dict.fromkeys(words), key=len, reverse=True)


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = [re.escape(t) for t in terms if t]
    if not words:
        return None
    return re.compile(r"(?<![A-Za-z0-9])(" + "|".join(words) + r")(?![A-Za-z0-9])", re.I)


def highlight_line(line: str, terms: Iterable[str]) -> str:
    """One line escaped, with every whole-word occurrence of a term wrapped in a highlight."""
    line = _fold(line)
    pattern = _pattern(terms)
    if pattern is None:
        return _inert(line)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(line):
        out.append(_inert(line[last : match.start()]))
        out.append(HIGHLIGHT.format(_inert(match.group(0))))
        last = match.end()
    out.append(_inert(line[last:]))
    return "".join(out)


def highlight(text: str, terms: Iterable[str]) -> str:
    """A passage as Markdown: each non-empty line escaped and highlighted, lines kept apart."""
    terms = list(terms)
    lines = [highlight_line(line, terms) for line in text.replace("\r", "\n").split("\n")]
    return "  \n".join(line for line in lines if line)


def answer_markdown(text: str) -> str:
    """A composed answer (a lead line, then ``- `` bullets) escaped, its bullets kept as a list."""
    out = []
    for line in text.replace("\r", "\n").split("\n"):
        if line.startswith("- "):
            out.append("- " + escape(line[2:]))
        elif line.strip():
            out.append(escape(line) + "\n")
    return "\n".join(out)


_RULES: dict[Align, str] = {"left": "---", "right": "---:", "center": ":---:"}


def table_markdown(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    cell: Callable[[str], str] = escape,
    rule: str = "",
) -> str:
    """A parsed table as a Markdown table, each cell through ``cell`` (``escape`` makes it inert and
    turns ``|`` into ``\\|``); ``rule`` is the original delimiter row, for the column alignments."""
    left: list[Align] = ["left"] * len(header)
    aligns = [*alignments(rule), *left][: len(header)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell(c) for c in cells) + " |"

    return "\n".join(
        [line(header), "| " + " | ".join(_RULES[a] for a in aligns) + " |", *map(line, rows)]
    )


def with_tables(
    text: str, lines: Callable[[str], str] = escape_lines, cell: Callable[[str], str] = escape
) -> str:
    """Text whose pipe tables become Markdown tables of ``cell``-escaped cells, and whose other lines
    go through ``lines`` (``escape_lines``: inert); blocks are set apart by a blank line."""
    parts: list[str] = []
    for is_table, block in blocks(text):
        parsed = parse_pipe_table(block) if is_table else None
        if parsed is not None:
            parts.append(table_markdown(*parsed, cell=cell, rule=block[1]))
        elif rendered := lines("\n".join(block)).strip("\n"):
            parts.append(rendered)
    return "\n\n".join(parts)


def passage_markdown(text: str, terms: Iterable[str]) -> str:
    """A passage as Markdown: its lines and table cells escaped and highlighted."""
    terms = list(terms)
    return with_tables(text, lambda t: highlight(t, terms), lambda c: highlight_line(c, terms))


def quote(text: str, terms: Iterable[str]) -> str:
    """A highlighted passage (tables kept as tables) as a Markdown block quote."""
    return "> " + passage_markdown(text, terms).replace("\n", "\n> ")


_HEADING = re.compile(r"^(#{1,6}) ", re.MULTILINE)


def demote_headings(markdown: str, levels: int = 2) -> str:
    """Trusted Markdown (a rendered record) with its headings made smaller, to sit in a column.
    Escaped text (``\\#``) is untouched: only real headings start a line with ``#``."""
    return _HEADING.sub(lambda m: "#" * min(6, len(m[1]) + levels) + " ", markdown)
