"""Questions that ask for one kind of fact (a price, a date, a weight) can only be answered from a
passage that states a fact of that kind: "When was mediasoup 3.14.16 released?" over a changelog
without dates, or "What does the AX-CM3 cost?" over notes without prices, is refused, however
similar the passages are."""

from __future__ import annotations

import re

from bot.kb.schema import Chunk

_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"  # January, Sept.
# kind -> (what a question asking for it says, what a passage stating it holds)
FACTS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "price": (
        re.compile(r"\b(price[sd]?|pricing|cost|costs|fee|fees|how much (do|does|is|are|would))\b", re.I),
        re.compile(r"[$€£¥]\s?\d|\d\s?[$€£]|\b(usd|eur|gbp|chf|sek|nok|dkk)\b|\bpric(e|es|ed|ing)\b", re.I),
    ),
    "date": (
        re.compile(
            r"\b(when (was|were|is|will|did|does)\b.*\b(released?|out|due|published|end|ends|shipped)"
            r"|release date|date of (the )?release|end of (support|life)|released when)\b",
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
}  # fmt: skip


def wanted_fact(question: str) -> str | None:
    """The kind of fact the question asks for ('price', 'date', 'weight'), or None."""
    for kind, (asks, _) in FACTS.items():
        if asks.search(question):
            return kind
    return None


def states(kind: str, chunk: Chunk) -> bool:
    """Whether ``chunk`` states a fact of ``kind`` (a release date may sit in its metadata)."""
    if kind == "date" and chunk.released:
        return True
    return bool(FACTS[kind][1].search(chunk.search_text))
