"""Query analysis: which products, versions and intent a question names."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.kb.schema import Chunk
from bot.kb.tokens import tokenize
from bot.kb.versions import find_versions

_MODEL = re.compile(r"\b([A-Z]{2,4}-\d{1,4}[A-Z]{0,2})\b")
# Prefixes of standards and encodings written like model names (UTF-8, AES-256, MPEG-4): not
# products, so a question naming one that no document names is not refused for it.
STANDARD_PREFIXES = frozenset(
    {"UTF", "AES", "SHA", "MPEG", "ISO", "IEC", "IEEE", "RFC", "TLS", "SSL", "WPA", "DDR", "PCI",
     "CAT", "HDR", "LTE", "ITU", "MD", "RS", "IP", "DSCP", "CVE", "HDCP", "USB", "DP", "RJ"}
)  # fmt: skip
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
        "what's new",
        "whats new",
        "changelog",
        "release notes",
    ),
    "security": ("cve", "vulnerab", "security", "advisory", "exploit"),
}


# Versions right after these words belong to a platform, not to a documented product ("Ubuntu 14.04").
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
    ]
)
_PLATFORM_VERSION = re.compile(r"\b([a-z]+)\s+v?(\d+(?:\.\d+)+)", re.I)


def product_versions(text: str) -> tuple[str, ...]:
    """Versions a question names, without those that follow a platform name."""
    platform = {
        m.group(2) for m in _PLATFORM_VERSION.finditer(text) if m.group(1).lower() in PLATFORM_WORDS
    }
    masked = text
    for raw in platform:
        masked = masked.replace(raw, " ")
    return tuple(find_versions(masked))


@dataclass(frozen=True)
class QueryAnalysis:
    text: str
    products: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = field(default_factory=tuple)


class ProductVocabulary:
    """Words that point to a product: its id, model and issue-id prefixes, words typical of its titles."""

    def __init__(self, chunks: Iterable[Chunk]) -> None:
        alias: dict[str, Counter[str]] = defaultdict(Counter)
        titles: dict[str, set[str]] = defaultdict(set)
        products: set[str] = set()
        # every model and issue id the documents name (upper case), by the audience that may see it
        self.names: dict[str, set[str]] = {"customer": set(), "engineer": set()}
        for c in chunks:
            products.add(c.product)
            titles[c.product].add(c.title)
            named = {m.upper() for m in _MODEL.findall(f"{c.title} {c.text}".upper())}
            self.names["engineer"].update(named)
            if c.audience == "customer":
                self.names["customer"].update(named)
            for m in _MODEL.findall(c.text):
                alias[m.lower()][c.product] += 1
                alias[m.split("-")[0].lower()][c.product] += 1
        self.products = products
        self.aliases: dict[str, str] = {}
        for word, counts in alias.items():
            product, n = counts.most_common(1)[0]
            if n >= 2 and n >= 0.8 * sum(counts.values()):
                self.aliases[word] = product
        title_words: dict[str, Counter[str]] = defaultdict(Counter)
        for product, names in titles.items():
            for name in names:
                for word in set(tokenize(name)):
                    if len(word) > 3 and not word[0].isdigit():
                        title_words[word][product] += 1
        for word, counts in title_words.items():
            product, n = counts.most_common(1)[0]
            share = n / max(1, len(titles[product]))
            if share >= 0.5 and n >= 0.9 * sum(counts.values()):
                self.aliases.setdefault(word, product)
        for product in products:
            self.aliases[product.lower()] = product
            for part in re.split(r"[-_ ]", product.lower()):
                if len(part) > 3:
                    self.aliases.setdefault(part, product)

    def unknown_names(
        self, identifiers: Iterable[str], audience: str = "customer"
    ) -> list[tuple[str, list[str]]]:
        """Model or issue ids no document the audience sees names, each with up to three named
        ones of the same prefix, nearest in number first (standards such as UTF-8 never count)."""
        names = self.names["engineer" if audience == "engineer" else "customer"]
        found = []
        for name in identifiers:
            prefix, _, rest = name.partition("-")
            if name in names or prefix in STANDARD_PREFIXES:
                continue
            number = int(re.sub(r"\D", "", rest) or 0)
            same = [n for n in names if n.startswith(prefix + "-")]
            same.sort(
                key=lambda n: (abs(int(re.sub(r"\D", "", n.partition("-")[2]) or 0) - number), n)
            )
            found.append((name, same[:3]))
        return found

    def products_in(self, text: str) -> tuple[str, ...]:
        found: list[str] = []
        for token in tokenize(text):
            product = self.aliases.get(token)
            if product and product not in found:
                found.append(product)
        return tuple(found)


def analyse(text: str, vocabulary: ProductVocabulary) -> QueryAnalysis:
    lower = text.lower()
    intents = tuple(name for name, cues in INTENTS.items() if any(cue in lower for cue in cues))
    return QueryAnalysis(
        text=text,
        products=vocabulary.products_in(text),
        versions=product_versions(text),
        intents=intents,
        identifiers=tuple(m.upper() for m in _MODEL.findall(text.upper())),
    )
