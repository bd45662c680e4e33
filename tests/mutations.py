"""Hypothesis strategy shared by the loader property tests: a valid file, slightly broken."""

from __future__ import annotations

from hypothesis import strategies as st


def mutate_lines(
    draw: st.DrawFn, lines: list[str], snippets: list[str], *, truncate: bool = False
) -> list[str]:
    """Cut, double, swap, garble (with one of ``snippets`` or random text) or shift a few lines
    (or, with ``truncate``, cut the file off at one)."""
    ops = ["cut", "double", "swap", "garble", "shift"] + (["truncate"] if truncate else [])
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(ops))
        if op == "cut":
            del lines[at]
        elif op == "double":
            lines.insert(at, lines[at])
        elif op == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif op == "garble":
            cut = draw(st.integers(0, len(lines[at])))
            noise = draw(st.sampled_from(snippets) | st.text(max_size=6))
            lines[at] = lines[at][:cut] + noise + lines[at][cut:]
        elif op == "shift":
            lines[at] = draw(st.sampled_from(["", " ", "   ", "\t"])) + lines[at].lstrip(" ")
        else:
            lines = lines[:at]
    return lines
