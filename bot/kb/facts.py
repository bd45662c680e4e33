"""Questions that ask for one kind of fact (a price, a date, a weight, a resolution, a length of
time, the version of a platform) can only be answered from a passage that states a fact of that
kind: "When was mediasoup 3.14.16 released?" over a changelog without dates, or "What does the
AX-CM3 cost?" over notes without prices, is refused, however similar the passages are. A date
asked of a release must be that release's: "Kurento 7.1.0 was released in September 2024" does
not say when 7.2.0 was."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.kb.schema import Chunk
from bot.kb.versions import find_versions, in_family

_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"  # January, Sept.
_TIME_UNIT = r"(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
_NUMBER_WORD = r"(one|two|three|four|five|six|seven|eight|nine|ten|twelve|\d+)"
# Platforms whose version a question may ask for ("the minimum Android version").
PLATFORMS = (
    "android",
    "ios",
    "ipados",
    "windows",
    "macos",
    "ubuntu",
    "debian",
    "fedora",
    "rhel",
    "centos",
    "chrome",
    "firefox",
    "safari",
    "edge",
    "node",
    "python",
    "java",
)
_PLATFORM = "|".join(PLATFORMS)
# kind -> (what a question asking for it says, what a passage stating it holds)
FACTS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "end-of-support date": (
        re.compile(
            r"\b(end[- ]of[- ](support|life|sale|maintenance)|eol|(end|ends|drop|drops|stop|stops)"
            r"\s+(\w+\s+)?(support|supporting|maintenance)|when (is|will|does|did)\b.*\b"
            r"(retired?|discontinued))\b",
            re.I,
        ),
        re.compile(
            r"\b(end[- ]of[- ](support|life|sale|maintenance)|eol|eos|retire\w*|discontinu\w*|"
            r"no longer (supported|maintained)|supported (until|through)|support ends)\b",
            re.I,
        ),
    ),
    "price": (
        re.compile(r"\b(price[sd]?|pricing|cost|costs|fee|fees|how much (do|does|is|are|would))\b", re.I),
        re.compile(r"[$€£¥]\s?\d|\d\s?[$€£]|\b(usd|eur|gbp|chf|sek|nok|dkk)\b|\bpric(e|es|ed|ing)\b", re.I),
    ),
    "date": (
        re.compile(
            r"\b(when (was|were|is|will|did|does)\b.*\b(released?|out|due|published|shipped)"
            r"|release date|date of (the )?release|released when)\b",
            re.I,
        ),
        re.compile(
            rf"\b(19|20)\d\d-\d\d(-\d\d)?\b|\b{_MONTH}\s+(\d{{1,2}}(st|nd|rd|th)?,?\s+)?(19|20)\d\d\b"
            rf"|\b\d{{1,2}}(st|nd|rd|th)?\s+{_MONTH}\s+(19|20)\d\d\b|\b(q[1-4]|h[12])\s+(19|20)\d\d\b",
            re.I,
        ),
    ),
    "weight": (
        re.compile(r"\b(how heavy|weigh|weighs|weight)\b", re.I),
        re.compile(r"\d\s?(kg|g|lb|lbs|grams?|kilograms?|pounds?|oz)\b", re.I),
    ),
    "resolution": (
        re.compile(r"\b(what|which|native|maximum|max|highest|supported)\s+(\w+\s+)?resolutions?\b", re.I),
        re.compile(r"\b\d{3,4}\s?[x×]\s?\d{3,4}\b|\b(480|576|720|1080|1440|2160|4320)[pi]\b"
                   r"|\b[48]k\b|\b(uhd|fhd|full hd|ultra hd|wxga|wuxga|xga|vga)\b", re.I),
    ),
    "length of time": (
        re.compile(rf"\bhow many {_TIME_UNIT}\b", re.I),
        re.compile(rf"\b{_NUMBER_WORD}[- ]?{_TIME_UNIT}\b", re.I),
    ),
}  # fmt: skip
# "minimum Android version", "which iOS version is needed": the kind is "Android version", stated
# only by a passage naming that platform with a number ("Android 8", "iOS 15.1").
_PLATFORM_ASKED = re.compile(
    rf"\b(minimum|min|oldest|lowest|required|requires|supported|which|what)\s+({_PLATFORM})\s+"
    rf"(version|release)s?\b|\b({_PLATFORM})\s+(version|release)s?\s+(is\s+|are\s+)?"
    r"(needed|required|supported|minimum)\b",
    re.I,
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


def wanted_fact(question: str) -> str | None:
    """The kind of fact the question asks for ('price', 'date', 'weight', 'resolution', 'length
    of time', or a platform's version such as 'Android version'), or None."""
    for kind, (asks, _) in FACTS.items():
        if asks.search(question):
            return kind
    m = _PLATFORM_ASKED.search(question)
    if m:
        platform = (m.group(2) or m.group(4)).lower()
        return f"{_PLATFORM_NAMES.get(platform, platform.capitalize())} version"
    return None


_PLATFORM_NAMES = {"ios": "iOS", "ipados": "iPadOS", "macos": "macOS", "rhel": "RHEL"}


def states(kind: str, chunk: Chunk, versions: Sequence[str] = ()) -> bool:
    """Whether ``chunk`` states a fact of ``kind``. A date asked of ``versions`` must be theirs:
    the release date in the metadata of their notes, a sentence naming one of them with a date,
    or a dated sentence of their notes that names no other version ('1.5' stands for the 1.5
    line, so "1.5.634 was released on 2024-05-19" dates it)."""
    if kind.endswith(" version") and kind not in FACTS:
        platform = kind.removesuffix(" version")
        # "Android 8", "iOS 15.1", "Safari | ✅ | >= 14.3" (a table row)
        stated_version = rf"\b{re.escape(platform)}\b[^A-Za-z0-9]{{0,12}}(v|version\s+)?\d"
        return bool(re.search(stated_version, chunk.search_text, re.I))
    stated = FACTS[kind][1]
    if kind == "end-of-support date":  # a date beside the words that say support ends
        dated = FACTS["date"][1]
        return any(
            stated.search(u) and dated.search(u) for u in _SENTENCES.split(chunk.search_text)
        )
    if kind != "date":
        return bool(stated.search(chunk.search_text))
    if not versions:
        return bool(chunk.released) or bool(stated.search(chunk.search_text))
    ours = bool(chunk.version) and any(in_family(v, chunk.version) for v in versions)
    if ours and chunk.released:
        return True
    for sentence in _SENTENCES.split(chunk.search_text):
        if not stated.search(sentence):
            continue
        named = find_versions(stated.sub(" ", sentence))
        if any(in_family(v, n) for v in versions for n in named) or (ours and not named):
            return True
    return False
