"""Advisory ids and tracker references: what a question cites ("Mumble-SA-2015-001", "NSA-2026-05",
"PR-3700", "issue #5300") and what the documents cite, so a question about an advisory or a pull
request no document names is refused instead of answered from a neighbouring one."""

from __future__ import annotations

import re
from collections.abc import Iterable

# "CVE-2014-0044", "NSA-2026-03", "Mumble-SA-2016-001", "SB-CX-2026-02": a prefix, a year, a number
ADVISORY = re.compile(r"\b((?:[A-Za-z]+-)*[A-Za-z]{2,5}-(?:19|20)\d\d-\d{1,5})\b(?!-\d)")
# how documents cite a tracker entry: "#5300", "PR #1389", "[PR-2828]", "issue 164", "/pull/1389"
_CITED = re.compile(
    r"(?:#|\bPR[- ]?#?|\bMR[- ]?!?|\bissues?[- ]#?|\bbugs?[- ]#?|\bpull request #?"
    r"|/pull/|/issues/|/merge_requests/)(\d{2,6})\b",
    re.I,
)
# how a question cites one: a tracker word and a number, or "#" and a number that follows no place
# word ("room #204" is a room); a support ticket or case number is the customer's, not a tracker's
_ASKED = re.compile(
    r"\b(?:PR|MR|pull request|merge request|issue|bug)\s*[-#!]?\s*(\d{2,6})\b"
    r"|(?<![\w#])(?:(\w+)\s+)?#(\d{2,6})\b",
    re.I,
)
_PLACES = frozenset(
    ("room", "rooms", "office", "site", "floor", "building", "desk", "unit", "ticket")
)


def advisories_in(text: str) -> tuple[str, ...]:
    """Advisory ids of a text as written, each once whatever its case."""
    found: dict[str, str] = {}
    for m in ADVISORY.findall(text):
        found.setdefault(m.upper(), m)
    return tuple(found.values())


def cited_numbers(text: str) -> set[str]:
    """The tracker numbers a document cites."""
    return {m.lstrip("0") for m in _CITED.findall(text)}


def trackers_in(text: str) -> tuple[tuple[str, str], ...]:
    """``(as written, number)`` of each tracker entry a question cites ('PR-3700', 'issue #5300')."""
    found: dict[str, str] = {}
    for m in _ASKED.finditer(text):
        if m.group(1):
            found.setdefault(m.group(1).lstrip("0"), m.group(0).strip())
        elif (m.group(2) or "").lower() not in _PLACES:
            found.setdefault(m.group(3).lstrip("0"), f"#{m.group(3)}")
    return tuple((written, number) for number, written in found.items())


def advisory_prefix(advisory: str) -> str:
    """'MUMBLE-SA' of 'Mumble-SA-2015-001': the part before the year, upper case."""
    return advisory.rsplit("-", 2)[0].upper()


def nearest_advisories(advisory: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` known advisories of the same prefix, the nearest year first, then the nearest
    number ('2016-001' before '2014-006' for '2015-001')."""
    prefix = advisory_prefix(advisory)
    year, number = (int(x) for x in advisory.rsplit("-", 2)[1:])

    def key(other: str) -> tuple[int, int, str]:
        y, k = (int(x) for x in other.rsplit("-", 2)[1:])
        return (abs(y - year), abs(k - number), other)

    return sorted((a for a in known if advisory_prefix(a) == prefix), key=key)[:n]
