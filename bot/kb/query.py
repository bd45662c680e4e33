"""Query analysis: which products, versions, intents, ids and uncommon names a question holds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.kb.names import CAPABILITY_CUES, phrases_in, split_names
from bot.kb.references import advisories_in, trackers_in
from bot.kb.tokens import words
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
