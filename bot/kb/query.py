"""Query analysis: which products, versions, intents, ids and uncommon names a question holds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.kb.references import advisories_in, trackers_in
from bot.kb.tokens import STOPWORDS, words
from bot.kb.versions import find_versions, running_versions
from bot.kb.vocabulary import MODEL_ID, ProductVocabulary

INTENTS: dict[str, tuple[str, ...]] = {
    "fixed": (
        "fix",
        "fixed",
        "fixes",
        "resolved",
        "resolve",
        "solved",
        "bug",
        "regression",
        "patched",
    ),
    "new": ("new in", "introduced", "added", "since which", "first", "support", "supports", "new"),
    "known": ("known issue", "known issues", "workaround", "known problem", "still broken"),
    "how": (
        "how do",
        "how to",
        "how can",
        "set up",
        "setup",
        "configure",
        "enable",
        "install",
        "steps",
    ),
    "changes": (
        "what changed",
        "changes in",
        "changed in",
        "changed between",
        "what's new",
        "whats new",
        "what is new",
        "what's in",
        "what is in",
        "changelog",
        "release notes",
        "summary of",
        "summarise",
        "summarize",
        "what does the",
        "what does that release",
        "what does this release",
        "anything new",
        "new features",
        "list the",
    ),
    "security": ("cve", "vulnerab", "security", "advisory", "exploit"),
}


# Versions right after these words, or after a library's name ("libsrtp 2.x"), belong to a platform
# or a dependency, not to a documented product ("Ubuntu 14.04").
PLATFORM_WORDS = frozenset(
    [
        "ubuntu",
        "debian",
        "fedora",
        "centos",
        "rhel",
        "windows",
        "macos",
        "osx",
        "ios",
        "ipados",
        "android",
        "python",
        "node",
        "nodejs",
        "java",
        "chrome",
        "chromium",
        "firefox",
        "safari",
        "edge",
        "electron",
        "openssl",
        "qt",
        "gstreamer",
        "kernel",
        "linux",
        "glibc",
        "gcc",
        "clang",
        "cmake",
        "tls",
        "http",
        "sip",
        "hdmi",
        "usb",
        "bluetooth",
        "hdcp",
        "displayport",
        "opencv",
        "ffmpeg",
        "libnice",
        "nginx",
        "prosody",
    ]
)
_PLATFORM_VERSION = re.compile(r"\b([a-z]+)\s+v?(\d+(?:\.(?:\d+|x))+)\b", re.I)
# Addresses, not versions: 169.254.x.x, 10.20.1.5; a prefix followed by what it is ("a 169.254
# address", "the 192.168 range"); the private and link-local prefixes (169.254, 192.168).
_ADDRESS = re.compile(
    r"\b\d{1,3}\.\d{1,3}\.(?:\d{1,3}|x)\.(?:\d{1,3}|x)\b"
    r"|\b\d{1,3}\.\d{1,3}(?=\.?\s+(address|addresses|subnet|range|network|prefix)\b)"
    r"|\b(169\.254|192\.168)\b",
    re.I,
)
_SERIES = re.compile(r"(?<![\w.])v?(\d+(?:\.\d+)?)\.x\b", re.I)
# Measurements and channel layouts, not versions: "44.1 kHz", "2.5 m", "7.1 surround", "a 5.1 stream"
_MEASURE = re.compile(
    r"\b\d+(?:\.\d+)+\s?(k?hz|mhz|ghz|[kmg]bps|[kmg]b/s|[kmgt]b|ms|fps|dba?|v|w|a|mm|cm|m|kg|"
    r"inch(es)?|%)(?![\w.])"
    r"|\b\d\.\d(\.\d)?(?=\s+(surround|channels?|audio|sound|speakers?|streams?|layout|mix)\b)",
    re.I,
)
# A name in a question: an acronym or a capitalised word not at a sentence start ("KNX", "Teams",
# "WebTransport"); lower-case words are left alone (typos must not refuse a question).
_NAME = re.compile(
    r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:-[A-Z][A-Za-z0-9]*)+"  # 'Counter-Strike', one name
    r"|[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*|[A-Z][a-z]{2,})\b"
)


def product_versions(text: str) -> tuple[str, ...]:
    """Versions a question names, without those that follow a platform name, addresses,
    measurements ("44.1 kHz") and channel layouts ("7.1 surround")."""
    platform = {
        m.group(2)
        for m in _PLATFORM_VERSION.finditer(text)
        if m.group(1).lower() in PLATFORM_WORDS or m.group(1).lower().startswith("lib")
    }
    masked = _MEASURE.sub(" ", _ADDRESS.sub(" ", text))
    for raw in platform:
        masked = masked.replace(raw, " ")
    series = [f"{m.group(1)}.x" for m in _SERIES.finditer(masked)]
    return tuple(find_versions(masked)) + tuple(v for v in series if v not in find_versions(masked))


@dataclass(frozen=True)
class QueryAnalysis:
    text: str
    products: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = field(default_factory=tuple)
    # the products named outright, by id or model ('CX-900'), not by association ('audio')
    named_products: tuple[str, ...] = ()
    # uncommon names the question uses (lower case): acronyms and capitalised words, no model ids
    names: tuple[str, ...] = ()
    # rare words the question uses (lower case): not everyday English, whatever their case
    rare: tuple[str, ...] = ()
    # plain capitalised words that are not names (no question about what a product works with)
    plain_names: tuple[str, ...] = ()
    # advisory ids ('MUMBLE-SA-2015-001') and tracker entries as (written, number) ('PR-3700')
    advisories: tuple[str, ...] = ()
    trackers: tuple[tuple[str, str], ...] = ()
    # the question's content words that name no product, model or version ('sleep', 'timer')
    subject: tuple[str, ...] = ()
    # asks what a product supports, works with or added ("Does the CX-900 support Dante?"),
    # rather than describing the user's own set-up ("our Windows laptops with Nvidia graphics")
    capability: bool = False
    # versions the asker says they run ("since we rolled 9.2.0 onto the codecs", "we're on
    # 3.14.8"): a fix question about them asks for a later release
    running: tuple[str, ...] = ()
    # names written as two or more capitalised words ("Microsoft Teams Rooms", "Google Drive"),
    # lower case, words separated by one space: a name of its own, whatever its words name apart
    phrases: tuple[str, ...] = ()


_BEYOND_FIXES = re.compile(
    r"\b(apart from|aside from|besides|other than|except( for)?|beyond|not counting)\s+"
    r"(the\s+)?(bug\s*)?(fix|fixes|bugfixes|bug fixes)\b"
)


def analyse(text: str, vocabulary: ProductVocabulary) -> QueryAnalysis:
    lower = text.lower()
    beyond = _BEYOND_FIXES.search(lower)
    if beyond:  # "anything new besides fixes?" asks for what is new, not for fixes
        lower = f"{lower[: beyond.start()]} {lower[beyond.end() :]}"
    intents = tuple(name for name, cues in INTENTS.items() if any(cue in lower for cue in cues))
    if beyond:
        intents += tuple(i for i in ("new", "changes") if i not in intents)
    identifiers = identifiers_in(text, vocabulary)
    names, plain_names = split_names(text, identifiers)
    versions = product_versions(text)
    return QueryAnalysis(
        text=text,
        products=vocabulary.products_in(text),
        named_products=vocabulary.products_in(text, strong=True),
        versions=versions,
        intents=intents,
        identifiers=identifiers,
        names=names,
        # the index holds ASCII words only: it cannot tell whether the notes use "Jürgen"
        rare=tuple(vocabulary.rare_words(w for w in words(text) if w.isascii())),
        plain_names=plain_names,
        advisories=advisories_in(text),
        trackers=trackers_in(text),
        capability=bool(CAPABILITY_CUES.search(text)),
        phrases=phrases_in(text, vocabulary),
        running=running_versions(text, versions),
        subject=tuple(
            w
            for w in words(text)
            if len(w) > 2 and w not in vocabulary.aliases and not any(ch.isdigit() for ch in w)
        ),
    )


# Capitalised words that name no product or technology: languages and nationalities, days, months.
COMMON_CAPITALISED = frozenset(
    [
        "english",
        "german",
        "french",
        "spanish",
        "italian",
        "dutch",
        "portuguese",
        "swedish",
        "danish",
        "norwegian",
        "finnish",
        "polish",
        "czech",
        "russian",
        "chinese",
        "japanese",
        "korean",
        "arabic",
        "turkish",
        "greek",
        "european",
        "american",
        "british",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_GLUED_MODEL = re.compile(r"(?<![\w-])([A-Z]{2,4})(\d{2,4}[A-Z]{0,2})\b")


def identifiers_in(text: str, vocabulary: ProductVocabulary) -> tuple[str, ...]:
    """Model and issue ids, upper case; 'CX500' is read as 'CX-500' when documents name CX ids, and
    'CX-500s' as 'CX-500' when documents name CX-500 and not CX-500S (a plural)."""
    upper = text.upper()
    known = vocabulary.names["engineer"]
    found = [
        m[:-1] if m.endswith("S") and m not in known and m[:-1] in known else m
        for m in MODEL_ID.findall(upper)
    ]
    found += [f"{a}-{b}" for a, b in _GLUED_MODEL.findall(upper) if vocabulary.knows_prefix(a)]
    return tuple(dict.fromkeys(found))


# A plain capitalised word ("Dante", "Zoom") counts as a name only in a question about what a
# product works with; elsewhere it is as likely a room, a site or a person ("our Boardroom codec").
CAPABILITY_CUES = re.compile(
    r"\b(support|supports|supported|compatible|work with|works with|integrat\w*|enrol\w*|"
    r"enroll\w*|register\w* (as|with)|pair\w* with|connect\w* to|control\w*|stream\w* to|"
    r"certified|licen[cs]e|is there (a|an|any) (\w+ ){0,3}(way|option|setting|build|version|"
    r"plugin|app|tool)|(run|runs|running) on|add|adds|added|introduc\w*|(what's|whats|what is) "
    r"new in|compar\w*|versus|vs|since (which|what))\b"
    # "Can people share to the WX-4 from a Teams meeting?", not "When I share from my MacBook"
    r"|(^|[.!?]\s+)\W*(can|could)\b[^?]*\b(share|send|stream|export|join|dial)\w*\b",
    re.I,
)
PLACE_NOUNS = frozenset(
    ("room", "rooms", "office", "offices", "site", "sites", "hall", "building", "floor", "campus")
)
# "our office in Osaka" and "meeting room Oak", as "our Osaka office" (a lower-case place noun:
# "Cisco Room Kit" is a name)
_PLACE_BEFORE = re.compile(rf"\b({'|'.join(sorted(PLACE_NOUNS))}) ((in|at|near) )?$")


def _capitalised(text: str, identifiers: tuple[str, ...]) -> list[tuple[str, bool]]:
    """Capitalised words of a question after its first word, lower case, each once, with whether
    it is a plain one ('Cisco', not 'KNX' or 'WebTransport'); without model ids, versions, words
    right before a lower-case place noun or after one ("the London office", "an office in Osaka",
    "meeting room Oak"), stop words, languages, days and months."""
    ids = {m.upper() for m in MODEL_ID.findall(text.upper())} | {
        i.replace("-", "") for i in identifiers
    }
    found: dict[str, bool] = {}
    stripped = text.strip()
    for m in _NAME.finditer(stripped):
        word = m.group(1)
        if word.upper() in ids or (any(ch.isdigit() for ch in word) and not word[:2].isalpha()):
            continue
        plain = word[0].isupper() and word[1:].islower()
        following = stripped[m.end() :].split(maxsplit=1)
        if plain and (
            (following and following[0].strip(",.?") in PLACE_NOUNS)
            or _PLACE_BEFORE.search(stripped[: m.start()])
        ):
            continue
        lower = word.lower()
        if lower in STOPWORDS or lower in COMMON_CAPITALISED or len(lower) < 3:
            continue
        found.setdefault(lower, plain)
    return list(found.items())


def split_names(
    text: str, identifiers: tuple[str, ...] = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(names, plain names)`` of a question, lower case. Names: acronyms and mixed-case or
    lettered-digit names (KNX, WebTransport, SNMPv3) always; a plain capitalised word only in a
    question about what a product supports or works with. Plain names: the plain capitalised words
    left out otherwise ('Cisco' in "registering a CX-500 on Cisco Unified CM"), as likely a room, a
    site or a person, so only weak evidence lets them show a question is about something the notes
    lack. Model ids and versions are left to their own checks."""
    capitalised = _capitalised(text, identifiers)
    if CAPABILITY_CUES.search(text):
        return tuple(w for w, _ in capitalised), ()
    return (
        tuple(w for w, plain in capitalised if not plain),
        tuple(w for w, plain in capitalised if plain),
    )


# two or more capitalised words in a row ("Barco ClickShare", "Apple CarPlay"); not acronyms, ids
# or versions, which have checks of their own
_PHRASE = re.compile(r"\b[A-Z][a-z]+[A-Za-z]*(?: [A-Z][a-z]+[A-Za-z]*)+\b")
_SENTENCE_START = re.compile(r"(^|[.!?:;]\s+)\W*$")


def phrases_in(text: str, vocabulary: ProductVocabulary) -> tuple[str, ...]:
    """Names of two or more capitalised words ("Microsoft Teams Rooms"), lower case: without a
    sentence's first word (capitalised as such), stop words, languages, days and months, and
    without runs that hold a product's name ("Janus VideoRoom" is the product's own part) or name a
    place ("our New York office", "an office in New York", "room Blue Lagoon")."""
    found: list[str] = []
    stripped = text.strip()
    for m in _PHRASE.finditer(stripped):
        parts = m.group(0).split(" ")
        if _SENTENCE_START.search(stripped[: m.start()]):
            parts = parts[1:]
        following = stripped[m.end() :].split(maxsplit=1)
        if (following and following[0].strip(",.?") in PLACE_NOUNS) or _PLACE_BEFORE.search(
            stripped[: m.start()]
        ):
            continue
        lower = [p.lower() for p in parts]
        if len(lower) < 2 or any(
            w in STOPWORDS or w in COMMON_CAPITALISED or w in vocabulary.aliases for w in lower
        ):
            continue
        phrase = " ".join(lower)
        if phrase not in found:
            found.append(phrase)
    return tuple(found)
