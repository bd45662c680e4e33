"""Version strings as they appear in real release notes, and how to compare them.

Tolerates ``v1.2.3``, ``1.6.870``, ``7.0.0-rc1``, ``stable-9909``, ``6.18.0 (2023-02-16)`` and
``v6_18_0`` (file names). A pre-release sorts before its release; build numbers (``stable-N``)
sort before every numbered version and never equal one. Digits are ASCII digits, and a number of
more than :data:`MAX_PART_DIGITS` digits is not a version part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import total_ordering

MAX_PART_DIGITS = 12
_PRE_RANK = {"dev": 0, "alpha": 1, "a": 1, "beta": 2, "b": 2, "pre": 3, "rc": 3}
_CORE = r"(?:stable-[0-9]+|[0-9]+(?:\.[0-9]+){1,3}(?:[-.]?(?:rc|beta|alpha|pre|dev|a|b)\.?[0-9]*)?)"
VERSION_IN_TEXT = re.compile(rf"(?<![\w.\-/])[vV]?({_CORE})(?![\w]|\.\d)")
_FULL = re.compile(
    r"^[vV]?(?:(?P<stable>stable-\d+)|(?P<nums>\d+(?:[._]\d+){0,3})"
    r"(?:[-.]?(?P<pre>rc|beta|alpha|pre|dev|a|b)\.?(?P<pren>\d*))?)\Z",
    re.ASCII,
)
_SERIES = re.compile(r"[vV]?(\d+(?:\.\d+)*)\.[x*]", re.ASCII)


def _number(digits: str) -> int | None:
    """The value of an ASCII digit string, or None when it is too long to be a version part."""
    return int(digits) if len(digits) <= MAX_PART_DIGITS else None


@total_ordering
@dataclass(frozen=True)
class Version:
    """A parsed version: numeric release parts plus an optional pre-release tag."""

    parts: tuple[int, ...]
    pre: tuple[int, int] | None = None
    text: str = ""

    @property
    def canonical(self) -> str:
        if self.is_build:
            return f"stable-{self.parts[0]}"
        base = ".".join(str(p) for p in self.parts)
        if self.pre is None:
            return base
        names = {0: "dev", 1: "alpha", 2: "beta", 3: "rc"}
        return f"{base}-{names[self.pre[0]]}{self.pre[1] or ''}"

    @property
    def is_build(self) -> bool:
        """A ``stable-N`` build number rather than a numbered release."""
        return self.text.startswith("stable-")

    def _key(self) -> tuple[int, tuple[int, ...], tuple[int, int]]:
        parts = self.parts + (0,) * (4 - len(self.parts))
        return (0 if self.is_build else 1), parts, self.pre if self.pre is not None else (9, 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return self.canonical


def parse_version(text: str) -> Version | None:
    """Parse one version string; ``None`` when it is not a version at all."""
    raw = text.strip().split(" (")[0].strip().rstrip(":")
    m = _FULL.match(raw)
    if not m:
        return None
    if m.group("stable"):
        number = _number(m.group("stable").split("-")[1])
        return None if number is None else Version((number,), None, f"stable-{number}")
    numbers = [_number(p) for p in re.split(r"[._]", m.group("nums"))]
    nums = tuple(n for n in numbers if n is not None)
    if len(nums) < len(numbers):
        return None  # a part too long to be a version part
    if len(nums) == 1 and not m.group("pre"):
        return None  # a bare number is not a version
    pre = None
    if m.group("pre"):
        pren = _number(m.group("pren") or "0")
        if pren is None:
            return None
        pre = (_PRE_RANK[m.group("pre")], pren)
    return Version(nums, pre, raw)


def normalize(text: str) -> str:
    """The canonical spelling used in indexes and filters ('v9.4.1' -> '9.4.1')."""
    v = parse_version(text)
    return v.canonical if v else text.strip()


def find_versions(text: str) -> list[str]:
    """Every version mentioned in a text, canonical, in order of appearance, without repeats."""
    seen: list[str] = []
    for m in VERSION_IN_TEXT.finditer(text):
        v = parse_version(m.group(1))
        if v and v.canonical not in seen:
            seen.append(v.canonical)
    return seen


def same_version(a: str, b: str) -> bool:
    va, vb = parse_version(a), parse_version(b)
    if va is None or vb is None:
        return a.strip() == b.strip()
    return va == vb


@dataclass(frozen=True)
class VersionRange:
    """An inclusive range; either end may be open. Parsed from '9.3', '9.0..9.4', '>=9.4', '<10'."""

    low: Version | None
    high: Version | None
    low_inclusive: bool = True
    high_inclusive: bool = True
    exact: Version | None = None
    prefix: tuple[int, ...] | None = None

    def contains(self, version: str) -> bool:
        v = parse_version(version)
        if v is None:
            return False
        if self.exact is not None:
            return v == self.exact
        if self.prefix is not None:
            return v.parts[: len(self.prefix)] == self.prefix
        if self.low is not None and (v < self.low or (v == self.low and not self.low_inclusive)):
            return False
        return not (
            self.high is not None
            and (v > self.high or (v == self.high and not self.high_inclusive))
        )


def parse_range(spec: str) -> VersionRange | None:
    """Parse a version filter: exact ('9.4.1'), series ('9.4.x'), range ('9.0..9.4.1'), bound ('>=9.4')."""
    s = spec.strip()
    if ".." in s:
        lo, hi = (p.strip() for p in s.split("..", 1))
        low = parse_version(lo) if lo else None
        high = parse_version(hi) if hi else None
        if (lo and low is None) or (hi and high is None):
            return None
        return VersionRange(low, high)
    for op in (">=", "<=", ">", "<"):
        if s.startswith(op):
            v = parse_version(s[len(op) :])
            if v is None:
                return None
            if op.startswith(">"):
                return VersionRange(v, None, low_inclusive=op == ">=")
            return VersionRange(None, v, high_inclusive=op == "<=")
    if s.endswith((".x", ".*")):
        series = _SERIES.fullmatch(s)
        numbers = [_number(n) for n in series.group(1).split(".")] if series else [None]
        prefix = tuple(n for n in numbers if n is not None)
        return VersionRange(None, None, prefix=prefix) if len(prefix) == len(numbers) else None
    v = parse_version(s)
    return VersionRange(None, None, exact=v) if v else None


def nearest(target: str, available: Iterable[str], n: int = 2) -> list[str]:
    """The closest existing versions below and above ``target`` (for a fail-closed message)."""
    t = parse_version(target)
    parsed = sorted({v for v in (parse_version(a) for a in available) if v is not None})
    if t is None or not parsed:
        return [str(v) for v in parsed[:n]]
    below = [v for v in parsed if v < t]
    above = [v for v in parsed if v > t]
    picked = below[-(n // 2 or 1) :] + above[: n - min(len(below), n // 2 or 1)]
    return [str(v) for v in picked][:n] if picked else [str(v) for v in parsed[-n:]]


def version_family(asked: str) -> VersionRange | None:
    """The releases a version named in a question stands for: '6.x' any 6 release, '1.6' the 1.6
    line (1.6.0, 1.6.870...), '9.4.1' that release only. None when ``asked`` is no version."""
    if asked.endswith((".x", ".*")):
        return parse_range(asked)
    v = parse_version(asked)
    if v is None:
        return None
    if len(v.parts) == 2 and v.pre is None and not v.is_build:
        return VersionRange(None, None, prefix=v.parts)
    return VersionRange(None, None, exact=v)


def in_family(asked: str, version: str) -> bool:
    """Whether the release ``version`` is one ``asked`` stands for (see :func:`version_family`)."""
    family = version_family(asked)
    return family.contains(version) if family else same_version(asked, version)


# "since we rolled 9.2.0 onto the codecs", "we're on 3.14.8", "running 9.4.0", "after the upgrade
# to 6.2": words before a version that say the asker runs it
_RUNNING = re.compile(
    r"\b((?<!fixed )(?<!fix )(?<!resolved )(?<!solved )(?<!patched )on|running|runs|since (we|i|the|our) (\w+ ){0,3}|after (\w+ ){0,3}(to|onto)|"
    r"(upgraded|updated|moved|installed|rolled|deployed|went)( \w+){0,3}( to| onto)?)\s+"
    r"(v|version |firmware |release |software )?$",
    re.I,
)


def running_versions(text: str, versions: Iterable[str]) -> tuple[str, ...]:
    """The ``versions`` (found in ``text``) that the text says its writer runs."""
    found = []
    for version in versions:
        at = text.find(version)
        if at > 0 and _RUNNING.search(text[max(0, at - 60) : at]):
            found.append(version)
    return tuple(found)
