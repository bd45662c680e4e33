"""Properties of the version parser: total, round-tripping, and ordered like tuples."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kb.versions import (
    MAX_PART_DIGITS,
    Version,
    find_versions,
    normalize,
    parse_range,
    parse_version,
    same_version,
)

PRE_TAGS = ["rc", "beta", "alpha", "pre", "dev", "a", "b"]
part = st.integers(min_value=0, max_value=10**MAX_PART_DIGITS - 1)
numbers = st.lists(part, min_size=2, max_size=4)


@st.composite
def version_text(draw: st.DrawFn) -> str:
    """Version-shaped text as release notes and file names spell it, with the odd flaw."""
    if draw(st.booleans()) and draw(st.booleans()):
        return f"stable-{draw(part)}"
    sep = draw(st.sampled_from([".", "_"]))
    text = sep.join(str(n) for n in draw(numbers))
    if draw(st.booleans()):
        tag = draw(st.sampled_from(PRE_TAGS))
        text += draw(st.sampled_from(["-", ".", ""])) + tag + draw(st.sampled_from(["", "1", "12"]))
    prefix = draw(st.sampled_from(["", "v", "V"]))
    suffix = draw(st.sampled_from(["", " (2026-02-16)", ":", " "]))
    return prefix + text + suffix


noisy = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789.._-vVx*<>=rcab²١𝟗 \n", max_size=40),
    version_text(),
    st.builds(lambda d, t: d + t, st.sampled_from(["1.", ">=", "stable-", "9.4.", ""]), st.text("9", min_size=4000, max_size=6000)),
)  # fmt: skip
parsed = version_text().map(parse_version).filter(lambda v: v is not None)


def _release(parts: list[int]) -> Version:
    v = parse_version(".".join(map(str, parts)))
    assert v is not None
    return v


def _padded(parts: list[int]) -> tuple[int, ...]:
    return tuple(parts) + (0,) * (4 - len(parts))


@settings(max_examples=300)
@given(noisy)
def test_parsers_are_total_on_any_text(text: str) -> None:
    v = parse_version(text)
    assert v is None or isinstance(v, Version)
    r = parse_range(text)
    assert r is None or r.contains(text) in (True, False)
    for found in find_versions(text):
        again = parse_version(found)
        assert again is not None and again.canonical == found
    assert isinstance(normalize(text), str) and isinstance(same_version(text, "1.0"), bool)


@given(version_text())
def test_version_text_round_trips_through_its_canonical_spelling(text: str) -> None:
    v = parse_version(text)
    assert v is not None, text
    again = parse_version(v.canonical)
    assert again == v and again is not None and again.canonical == v.canonical
    assert normalize(text) == v.canonical and same_version(text, v.canonical)
    assert parse_range(v.canonical).contains(text)  # type: ignore[union-attr]


@given(numbers, numbers)
def test_release_order_is_tuple_order(a: list[int], b: list[int]) -> None:
    va, vb = _release(a), _release(b)
    assert (va < vb) == (_padded(a) < _padded(b))
    assert (va == vb) == (_padded(a) == _padded(b))
    assert (va == vb) <= (hash(va) == hash(vb))


@given(parsed, parsed, parsed)
def test_order_is_total_and_transitive(a: Version, b: Version, c: Version) -> None:
    assert [a < b, a == b, a > b].count(True) == 1
    low, mid, high = sorted([a, b, c])
    assert low <= mid <= high and low <= high
    assert (a == b) == same_version(a.canonical, b.canonical)


@given(numbers, st.sampled_from(PRE_TAGS), st.integers(0, 99))
def test_a_prerelease_sorts_before_its_release(parts: list[int], tag: str, n: int) -> None:
    release = _release(parts)
    pre = parse_version(f"{release.canonical}-{tag}{n}")
    assert pre is not None and pre < release
    assert parse_version(f"{release.canonical}-dev{n}") < pre or tag == "dev"  # type: ignore[operator]


@given(part, st.lists(part, min_size=1, max_size=3))
def test_build_numbers_never_equal_a_release(build: int, rest: list[int]) -> None:
    stable = parse_version(f"stable-{build}")
    release = _release([build, *rest])
    assert stable is not None and stable != release and stable < release
    assert not same_version(f"stable-{build}", release.canonical)


@given(parsed, parsed, parsed)
def test_ranges_agree_with_the_order(a: Version, b: Version, c: Version) -> None:
    low, high = sorted([a, b])
    between = parse_range(f"{low.canonical}..{high.canonical}")
    assert between is not None and between.contains(c.canonical) == (low <= c <= high)
    at_least = parse_range(f">={low.canonical}")
    assert at_least is not None and at_least.contains(c.canonical) == (c >= low)
    below = parse_range(f"<{high.canonical}")
    assert below is not None and below.contains(c.canonical) == (c < high)


@given(numbers, st.integers(min_value=1, max_value=3))
def test_a_series_holds_exactly_the_versions_with_its_prefix(parts: list[int], keep: int) -> None:
    prefix = parts[: min(keep, len(parts))]
    series = parse_range(".".join(map(str, prefix)) + ".x")
    assert series is not None and series.contains(_release(parts).canonical)
    other = [prefix[0] ^ 1, *parts[1:]]
    assert not series.contains(_release(other).canonical)


@given(version_text())
def test_find_versions_finds_a_version_named_in_a_sentence(text: str) -> None:
    v = parse_version(text)
    assert v is not None
    if len(v.parts) >= 2 or v.is_build:
        assert v.canonical in find_versions(f"Fixed in {v.canonical}, see the notes.")
