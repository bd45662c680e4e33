"""Pipe tables in passage and answer text: parsed (escaped pipes, delimiter variants, optional outer
pipes), lines that merely hold a ``|`` left alone, and laid out in aligned columns for the CLI."""

from __future__ import annotations

import pytest

from bot.kb.tables import (
    alignments,
    blocks,
    format_plain,
    parse_pipe_table,
    pipe_table,
    split_cells,
)


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("| a | b |", ["a", "b"]),
        ("a | b", ["a", "b"]),
        ("| a | b", ["a", "b"]),
        ("|a|", ["a"]),
        ("| a \\| b | c |", ["a | b", "c"]),
        ("| C:\\path | x |", ["C:\\path", "x"]),
        ("|  | x |", ["", "x"]),
        ("no pipe at all", None),
        ("only \\| escaped", None),
        ("|", None),
    ],
)
def test_split_cells(line: str, cells: list[str] | None) -> None:
    assert split_cells(line) == cells


@pytest.mark.parametrize(
    "rule",
    ["|---|---|", "|:--|--:|", "| :-: | --- |", "---|---", ":---:|:---", "|-|-|", "| --- | :--- |"],
)
def test_every_delimiter_row_variant_makes_a_table(rule: str) -> None:
    assert parse_pipe_table(["| a | b |", rule, "| 1 | 2 |"]) == (["a", "b"], [["1", "2"]])


@pytest.mark.parametrize(
    "lines",
    [
        ["| a | b |", "| 1 | 2 |"],  # no delimiter row
        ["| a | b |", "|---|"],  # the delimiter row has fewer cells
        ["| a | b |", "|---|-x-|"],  # not a delimiter cell
        ["a | b", "---"],  # a setext underline, not a delimiter row
        ["Press A | B to switch", "then C"],
        ["| a | b |"],
    ],
)
def test_lines_that_are_not_a_table(lines: list[str]) -> None:
    assert parse_pipe_table(lines) is None
    assert all(not is_table for is_table, _ in blocks("\n".join(lines)))
    assert format_plain("\n".join(lines)) == "\n".join(lines)


def test_rows_are_padded_or_cut_to_the_header_width() -> None:
    table = ["| a | b | c |", "|---|---|---|", "| 1 |", "| 1 | 2 | 3 | 4 |"]
    assert parse_pipe_table(table) == (["a", "b", "c"], [["1", "", ""], ["1", "2", "3"]])


def test_blocks_find_tables_among_text_and_end_at_a_line_without_a_pipe() -> None:
    text = "Intro | not a table\n| a | b |\n|---|---|\n| 1 | 2 |\nAfter.\n\n| c |\n|:-:|\n| 3 |"
    assert blocks(text) == [
        (False, ["Intro | not a table"]),
        (True, ["| a | b |", "|---|---|", "| 1 | 2 |"]),
        (False, ["After.", ""]),
        (True, ["| c |", "|:-:|", "| 3 |"]),
    ]


def test_alignments() -> None:
    assert alignments("| --- | :-- | --: | :-: |") == ["left", "left", "right", "center"]


def test_pipe_table_escapes_pipes_and_round_trips() -> None:
    lines = pipe_table(["Key", "Value"], [["a|b", "x  \n y"], ["back\\slash", ""]])
    assert lines == ["| Key | Value |", "|---|---|", "| a\\|b | x y |", "| back\\slash |  |"]
    assert parse_pipe_table(lines) == (["Key", "Value"], [["a|b", "x y"], ["back\\slash", ""]])


def test_format_plain_aligns_columns_and_leaves_other_lines() -> None:
    text = (
        "From Known issues:\n"
        "| Release | Date | Status |\n"
        "|---|:-:|--:|\n"
        "| 10.0.0 | 2026-09-14 | Current \\| newest |\n"
        "| 9.4.1 | | ok |\n"
        "(Note: a line without a pipe ends the table.)\n"
        "- a line | with a pipe [1]"
    )
    assert format_plain(text).split("\n") == [
        "From Known issues:",
        "Release     Date               Status",
        "-------  ----------  ----------------",
        "10.0.0   2026-09-14  Current | newest",
        "9.4.1                              ok",
        "(Note: a line without a pipe ends the table.)",
        "- a line | with a pipe [1]",
    ]


def test_format_plain_leaves_out_an_empty_header_row() -> None:
    text = "|  |  |\n|---|---|\n| Advisory ID | NSA-1 |\n| Severity | High |"
    assert format_plain(text) == "Advisory ID  NSA-1\nSeverity     High"
