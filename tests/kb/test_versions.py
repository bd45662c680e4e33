from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kb.versions import find_versions, nearest, parse_range, parse_version, same_version


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("v1.2.3", "1.2.3"),
        ("1.6.870", "1.6.870"),
        ("7.0.0-rc1", "7.0.0-rc1"),
        ("stable-9909", "stable-9909"),
        ("6.18.0 (2023-02-16)", "6.18.0"),
        ("v6_18_0", "6.18.0"),
    ],
)
def test_real_world_forms_parse(text: str, canonical: str) -> None:
    v = parse_version(text)
    assert v is not None and v.canonical == canonical


@pytest.mark.parametrize("text", ["2026-02-19", "3", "hello", "", "v"])
def test_non_versions_are_refused(text: str) -> None:
    assert parse_version(text) is None


def test_ordering_puts_prereleases_first_and_compares_numerically() -> None:
    ordered = ["1.9.0", "7.0.0-rc1", "7.0.0", "7.0.1", "10.0.0"]
    parsed = [parse_version(v) for v in ordered]
    assert all(p is not None for p in parsed)
    assert sorted(parsed) == parsed  # type: ignore[type-var]
    assert same_version("4.2", "4.2.0")
    assert not same_version("9.4.1", "9.4.0")


def test_find_versions_in_headings_and_questions() -> None:
    assert find_versions("## [v1.4.1] - 2026-04-20") == ["1.4.1"]
    assert find_versions("PipeWire 1.0.4 (2024-02-06)") == ["1.0.4"]
    assert find_versions("what changed in 4.2 and 4.2.0?") == ["4.2", "4.2.0"]
    assert find_versions("released 2026-01-01") == []


def test_ranges() -> None:
    assert parse_range("9.0..9.4.1").contains("9.3.0")  # type: ignore[union-attr]
    assert not parse_range("9.0..9.4.1").contains("10.0.0")  # type: ignore[union-attr]
    assert parse_range(">=9.4").contains("10.0.0")  # type: ignore[union-attr]
    assert not parse_range("<9.4").contains("9.4.0")  # type: ignore[union-attr]
    assert parse_range("9.4.x").contains("9.4.1")  # type: ignore[union-attr]
    assert parse_range("9.4.1").contains("v9.4.1")  # type: ignore[union-attr]
    assert parse_range("not a version") is None


def test_nearest_names_neighbours_below_and_above() -> None:
    assert nearest("9.9", ["8.0.0", "9.3.0", "9.4.1", "10.0.0"]) == ["9.4.1", "10.0.0"]
    assert nearest("1.0", []) == []


@given(st.text(max_size=60))
def test_parsers_never_raise(text: str) -> None:
    parse_version(text)
    parse_range(text)
    find_versions(text)


@given(st.lists(st.integers(min_value=0, max_value=999), min_size=2, max_size=4))
def test_roundtrip_of_numeric_versions(parts: list[int]) -> None:
    text = ".".join(map(str, parts))
    v = parse_version("v" + text)
    assert v is not None and v.canonical == text and same_version(text, v.canonical)
