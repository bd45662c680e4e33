"""Questions that ask for one kind of fact (a price, a date, a weight, a resolution, a platform's
version, or a value: a time period, a temperature, an angle, a default, a number, a wattage) can
only be answered from a passage that states a fact of that kind: "When was mediasoup 3.14.16
released?" over a changelog without dates, or "What does the AX-CM3 cost?" over notes without
prices, is refused, however similar the passages are. A date asked of a release must be that
release's: "Kurento 7.1.0 was released in September 2024" does not date 7.2.0. A value must be
stated beside what it is the value of: "return the part within 10 business days" is no warranty
period; a count stands beside what it counts ("Four arrays per AX-8")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.kb.schema import Chunk
from bot.kb.tokens import words
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
            r"(retired?|discontinued)|(stop|stops) (getting|receiving) (\w+ )?(fixes|updates|"
            r"patches|support))\b",
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
        re.compile(r"\b(what|which)\b[^?.]{0,30}\bresolutions?\b"
                   r"|\b(native|maximum|max|highest|supported)\s+(\w+\s+)?resolutions?\b", re.I),
        re.compile(r"\b\d{3,4}\s?[x×]\s?\d{3,4}\b|\b(480|576|720|1080|1440|2160|4320)[pi]\b"
                   r"|\b[48]k\b|\b(uhd|fhd|full hd|ultra hd|wxga|wuxga|xga|vga)\b", re.I),
    ),
    "time period": (
        re.compile(rf"\bhow many {_TIME_UNIT}\b|\b(warranty|guarantee|support|retention|"
                   r"subscription|licen[cs]e)\s+(period|term|length|duration)\b|"
                   r"\bhow long (is|does|will|do)\b.*\b(warranty|guarantee)\b|"
                   r"\b(what|what's|whats|which)\b[^?.]{0,40}\b(warranty|guarantee)\b", re.I),
        re.compile(rf"\b{_NUMBER_WORD}[- ]?((business|working|calendar|full)\s)?{_TIME_UNIT}\b", re.I),
    ),
    "temperature": (
        re.compile(r"\btemperatures?\b", re.I),
        re.compile(r"\d\s?°\s?[CF]\b|\d\s?(deg|degrees?)\s?(c|f|celsius|fahrenheit)\b", re.I),
    ),
    "angle": (
        re.compile(r"\b(field of view|fov|viewing angle|in degrees|how many degrees)\b", re.I),
        re.compile(r"\d\s?(°|deg\b|degrees?\b)", re.I),
    ),
    "wattage": (
        re.compile(r"\b(watts?|wattage|power (draw|consumption|usage|budget)|how much power)\b"
                   r"|\b(draw|draws|consume|consumes|use|uses) how much\b", re.I),
        re.compile(r"\d\s?(w|kw|watts?)\b", re.I),
    ),
    "number": (
        # not "can the panel show how many people are in the room?"
        re.compile(r"(?<!show )(?<!shows )(?<!see )(?<!display )(?<!count )(?<!know )(?<!tell )"
                   r"\bhow many\b|\b(maximum|max|minimum|min|largest|highest|total)\s+"
                   r"(number|count)\s+of\b", re.I),
        re.compile(rf"\b{_NUMBER_WORD}\b", re.I),
    ),
    "default value": (
        re.compile(r"\b(what|what's|whats|which)\b[^?.]{0,40}\bdefaults?\b", re.I),
        re.compile(r"\d|\b(on|off|true|false|enabled|disabled|none|unlimited)\b", re.I),
    ),
}  # fmt: skip
# Facts given as a value of something ("the default sleep timer", "how many CPU cores", "the
# warranty period"): a sentence must state a value and name what the question asks the value of.
VALUES = frozenset(("time period", "temperature", "angle", "default value", "number", "wattage"))
# Words of a question that say it asks for a value, not what the value is of.
VALUE_WORDS = frozenset(
    ("default", "defaults", "value", "values", "many", "much", "number", "standard", "typical",
     "maximum", "max", "minimum", "min", "range", "period", "setting", "settings", "whats",
     "what's", "long", "need", "needed", "get", "use", "used", "size", "degrees", "years",
     "months", "weeks", "days", "hours", "minutes", "seconds", "single", "one")
)  # fmt: skip
# "minimum Android version", "which iOS version is needed": the kind is "Android version", stated
# only by a passage naming that platform with a number ("Android 8", "iOS 15.1").
_PLATFORM_ASKED = re.compile(
    rf"\b(minimum|min|oldest|lowest|required|requires|supported|which|what)\s+({_PLATFORM})\s+"
    rf"(version|release)s?\b|\b({_PLATFORM})\s+(version|release)s?\s+(is\s+|are\s+)?"
    r"(needed|required|supported|minimum)\b",
    re.I,
)
_PLATFORM_NAMES = {"ios": "iOS", "ipados": "iPadOS", "macos": "macOS", "rhel": "RHEL"}
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


def wanted_fact(question: str) -> str | None:
    """The kind of fact the question asks for (a key of ``FACTS``, such as 'price', 'date' or
    'time period', or a platform's version such as 'Android version'), or None."""
    for kind, (asks, _) in FACTS.items():
        if asks.search(question):
            return kind
    m = _PLATFORM_ASKED.search(question)
    if m:
        platform = (m.group(2) or m.group(4)).lower()
        return f"{_PLATFORM_NAMES.get(platform, platform.capitalize())} version"
    return None


_DEFAULT = re.compile(r"\bdefault(s|ed)?\b", re.I)
# "how many Dante transmit and receive channels does ...", "the maximum number of input streams a
# ...": the words up to the verb; the last is what is counted ('channels', 'streams')
_HOW_MANY = re.compile(
    r"\b(?:how many|(?:number|count) of)\s+((?:(?!(?:does|do|did|can|could|is|are|was|were|will|would|should|per|in|on|"
    r"at|for|of|to|with|from|before|after|when|if|that|there|we|i|you|it|they|the|a|an)\b)"
    r"[\w-]+\s*){1,5})",
    re.I,
)
_NEAR = 3  # a count stands at most this many words from what it counts ("8 microphone arrays")


def counted(question: str) -> str | None:
    """What a "how many" question counts ('channels', 'watts'), lower case, or None."""
    m = _HOW_MANY.search(question)
    return m.group(1).split()[-1].lower() if m else None


_PERIOD_OF = re.compile(r"\b(warranty|guarantee|retention|subscription|licen[cs]e|support)\b", re.I)


def attribute(kind: str, question: str) -> tuple[str, ...]:
    """What the asked value is of, when the question says it outright: the thing a "how many"
    question counts ('channels'), the warranty or support a time period is asked of; else ()."""
    if kind == "number":
        noun = counted(question)
        return (noun,) if noun else ()
    if kind == "time period":
        return tuple(dict.fromkeys(m.lower() for m in _PERIOD_OF.findall(question)))
    return ()


def _models_called(text: str, stems: set[str]) -> set[str]:
    """Model ids written right before a word of ``stems`` ('ax-cm3' of "AX-CM3 arrays")."""
    pairs = re.findall(r"\b([A-Za-z]+-[\w-]*\d[\w-]*)\s+(\w+)", text)
    return {m.lower() for m, noun in pairs if noun.lower().removesuffix("s") in stems}


def _counts(sentence: str, stems: set[str]) -> bool:
    """A number stands at most ``_NEAR`` words before a word of ``stems`` ("Four arrays per AX-8",
    "up to 8 microphone arrays") or right after it ("channels: 64"), not beside it by chance
    ("silent on all channels at 48 kHz")."""
    tokens = [t.strip(".-") for t in re.findall(r"[\w.-]+", sentence.lower())]
    number = re.compile(rf"^{_NUMBER_WORD}$")
    at = [i for i, t in enumerate(tokens) if t.removesuffix("s") in stems]
    return any(
        number.match(tokens[j])
        for i in at
        for j in range(max(0, i - _NEAR), i + 2)
        if j < len(tokens) and j != i
    )


def _states_value(kind: str, chunk: Chunk, subject: Sequence[str]) -> bool:
    """A sentence states a value of ``kind`` and names one of the ``subject`` words (or their
    singular); a default must be called one somewhere in the chunk (a table's header may)."""
    if kind == "default value" and not _DEFAULT.search(chunk.search_text):
        return False
    stems = {w.removesuffix("s") for w in subject}
    if kind == "number":  # "AX-CM3 arrays ... up to 2 AX-CM3 per AX-8": the model counts too
        stems |= _models_called(chunk.search_text, stems)
    for sentence in _SENTENCES.split(chunk.search_text):
        if not FACTS[kind][1].search(sentence):
            continue
        if kind == "number" and stems:
            named = _counts(sentence, stems)  # the count must stand beside what it counts
        else:
            named = not stems or any(w.removesuffix("s") in stems for w in words(sentence))
        if named:
            return True
    return False


def states(
    kind: str, chunk: Chunk, versions: Sequence[str] = (), subject: Sequence[str] = ()
) -> bool:
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
    if kind in VALUES:
        return _states_value(kind, chunk, [w for w in subject if w not in VALUE_WORDS])
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
