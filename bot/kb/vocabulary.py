"""What the documents name: products and the words that point to them, model and issue ids, and every
word by the products whose documents use it (so a question about something no document names can be
refused, whatever the similarity score). Which chunks use a word is asked of a ``WordIndex``: in
the service, the lexical index, whose BM25 vocabulary already holds every word of the corpus.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from bot.kb.lexicon import misspelling
from bot.kb.references import advisories_in, cited_numbers, nearest_advisories
from bot.kb.schema import Chunk
from bot.kb.tokens import tokenize

MODEL_ID = re.compile(r"\b([A-Z]{2,4}-[A-Z]{0,3}\d{1,4}[A-Z]{0,2})\b")
# Prefixes written like model names that name no product: standards and encodings (UTF-8, AES-256,
# MPEG-4) and tracker references (PR-3368, SA-2016). A question naming one that no document names
# is not refused for it, and none of them points to a product.
GENERIC_PREFIXES = frozenset(
    {"UTF", "AES", "SHA", "MPEG", "ISO", "IEC", "IEEE", "RFC", "TLS", "SSL", "WPA", "DDR", "PCI",
     "CAT", "HDR", "LTE", "ITU", "MD", "RS", "IP", "DSCP", "CVE", "HDCP", "USB", "DP", "RJ", "PR",
     "SA", "GH", "BUG", "PTZ", "UHD"}
)  # fmt: skip
AUDIENCES = ("customer", "engineer")
# A term the documents of at most this many products use is a specialist one ('transcription',
# 'Dante'): a product whose notes lack it does not have it, or its notes do not say. A word more
# products use ('refactor') is missing from some product's notes by chance. Set on the tuning splits.
SPECIALIST_PRODUCTS = 2


def _id_number(name: str) -> int:
    return int(re.sub(r"\D", "", name.partition("-")[2]) or 0)


class WordIndex(Protocol):
    """Which chunks (positions in the chunk table) have a token in their search text."""

    def chunks_with(self, word: str) -> np.ndarray: ...


class WordTable:
    """A ``WordIndex`` of its own, for a vocabulary built from chunks alone (tests, tools)."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self._positions: dict[str, list[int]] = defaultdict(list)
        for i, chunk in enumerate(chunks):
            for word in set(tokenize(chunk.search_text)):
                self._positions[word].append(i)

    def chunks_with(self, word: str) -> np.ndarray:
        return np.asarray(self._positions.get(word, ()), dtype=np.int64)


class ProductVocabulary:
    """Words that point to a product (its id, model prefixes, words typical of its titles and rare
    elsewhere), the model and issue ids the documents name, and which products' documents use a word,
    each per audience (a customer never learns of a name only an engineer-only document holds).

    ``words`` tells which chunks use a word, by position in ``chunks``; without it the vocabulary
    builds a ``WordTable`` of its own (the service passes the lexical index, so the corpus's words
    are held once). ``common`` are the everyday words: only the others (rare or technical words)
    can show that a question asks about something the documents do not cover."""

    def __init__(
        self,
        chunks: Sequence[Chunk],
        words: WordIndex | None = None,
        common: frozenset[str] = frozenset(),
    ) -> None:
        self.common = common  # everyday English (``bot.kb.lexicon.common_words``)
        self.products = sorted({c.product for c in chunks})
        number = {p: i for i, p in enumerate(self.products)}
        # per chunk: its product's number and whether customers see it (a word's spread over
        # products and audiences is read through these from the chunks that use it)
        self._product_of = np.fromiter((number[c.product] for c in chunks), np.int32, len(chunks))
        self._customer = np.fromiter((c.audience == "customer" for c in chunks), bool, len(chunks))
        self._words = words if words is not None else WordTable(chunks)
        self._texts = [c.search_text for c in chunks]  # for names of several words
        self.names: dict[str, set[str]] = {a: set() for a in AUDIENCES}
        # advisory ids by audience: upper case -> as the documents write it
        self.advisories: dict[str, dict[str, str]] = {a: {} for a in AUDIENCES}
        self._trackers: dict[str, set[str]] = defaultdict(set)  # product -> cited tracker numbers
        titles: dict[str, set[str]] = defaultdict(set)
        ids: dict[str, Counter[str]] = defaultdict(Counter)
        for c in chunks:
            titles[c.product].add(c.title)
            # a heading names what its section is about ("### AX-2281: ..."), as the text does
            written = f"{c.title} {c.section} {c.text}"
            named = {m.upper() for m in MODEL_ID.findall(written.upper())}
            advisories = advisories_in(written)
            audiences = AUDIENCES if c.audience == "customer" else ("engineer",)
            for audience in audiences:
                self.names[audience].update(named)
                self.advisories[audience].update((a.upper(), a) for a in advisories)
            self._trackers[c.product] |= cited_numbers(c.text)
            for m in MODEL_ID.findall(c.text):
                prefix = m.split("-")[0]
                if prefix.upper() not in GENERIC_PREFIXES:
                    ids[m.lower()][c.product] += 1
                    ids[prefix.lower()][c.product] += 1
        self.aliases: dict[str, str] = {}
        # model and issue ids and their prefixes ('cx-900', 'cx') that point to one product
        self.ids: set[str] = set()
        for word, counts in ids.items():
            product, n = counts.most_common(1)[0]
            if n >= 2 and n >= 0.8 * sum(counts.values()):
                self.aliases[word] = product
                self.ids.add(word)
        # words that name a product outright (its id, its model and issue ids), not by association;
        # a model prefix that is also an everyday word ('opus' of 'OPUS-A2DP') names nothing outright
        self.strong = {a for a in self.aliases if a not in common} | {
            p.lower() for p in self.products
        }
        self._title_aliases(titles)
        # a model id points to its product outright, however it became an alias ('tx-10')
        self.strong |= {a for a in self.aliases if MODEL_ID.fullmatch(a.upper())}
        for product in self.products:
            self.aliases[product.lower()] = product
            for part in re.split(r"[-_ ]", product.lower()):
                if len(part) > 3:
                    self.aliases.setdefault(part, product)

    def _title_aliases(self, titles: dict[str, set[str]]) -> None:
        """A word in most of one product's titles, in no other product's titles, and in the text of
        at most two other products ('camera', not 'change' or 'room')."""
        title_words: dict[str, Counter[str]] = defaultdict(Counter)
        for product, names in titles.items():
            for name in names:
                for word in set(tokenize(name)):
                    if len(word) > 3 and not word[0].isdigit():
                        title_words[word][product] += 1
        for word, counts in title_words.items():
            product, n = counts.most_common(1)[0]
            share = n / max(1, len(titles[product]))
            others = len(self._products_using(word) - {product})
            if share >= 0.5 and n >= 0.9 * sum(counts.values()) and others <= 2:
                self.aliases.setdefault(word, product)

    def _products_using(self, word: str, audience: str = "engineer") -> set[str]:
        """The products whose documents use ``word`` (of any audience, or customers' only)."""
        positions = self._words.chunks_with(word)
        if audience != "engineer":
            positions = positions[self._customer[positions]]
        return {self.products[i] for i in np.unique(self._product_of[positions])}

    def _used(self, word: str, audience: str) -> bool:
        """Whether a document the audience sees uses ``word``."""
        positions = self._words.chunks_with(word)
        if audience == "engineer":
            return len(positions) > 0
        return bool(self._customer[positions].any())

    def products_in(self, text: str, strong: bool = False) -> tuple[str, ...]:
        """The products a text points to; ``strong``: only by id or model (not 'audio', 'room'). A
        model prefix written in capitals names its product outright, even one that is also an
        everyday word in lower case ("what changed in AX 4.2?")."""
        found: list[str] = []
        capitals = {w.lower() for w in _CAPITALS.findall(text)}
        for token in tokenize(text):
            if (
                strong
                and token not in self.strong
                and not (token in capitals and token in self.ids)
            ):
                continue
            product = self.aliases.get(token) or (
                self.aliases.get(token[:-1]) if token.endswith("s") and len(token) > 4 else None
            )
            if product and product not in found:
                found.append(product)
        return tuple(found)

    def knows_prefix(self, prefix: str) -> bool:
        """Whether some document names a model or issue id with this prefix ('CX' of 'CX-900')."""
        return any(n.startswith(prefix + "-") for n in self.names["engineer"])

    def unknown_names(
        self, identifiers: Iterable[str], audience: str = "customer"
    ) -> list[tuple[str, list[str]]]:
        """Model or issue ids no document the audience sees names, each with up to three named
        ones of the same prefix, nearest in number first (standards such as UTF-8 never count)."""
        names = self.names["engineer" if audience == "engineer" else "customer"]
        found = []
        for name in identifiers:
            prefix = name.partition("-")[0]
            if name in names or prefix in GENERIC_PREFIXES:
                continue
            same = sorted(
                (n for n in names if n.startswith(prefix + "-")),
                key=lambda n: (abs(_id_number(n) - _id_number(name)), n),
            )
            found.append((name, same[:3]))
        return found

    def unknown_references(
        self,
        advisories: Iterable[str],
        trackers: Iterable[tuple[str, str]],
        products: Sequence[str] = (),
        audience: str = "customer",
    ) -> list[tuple[str, list[str]]]:
        """Advisory ids no document the audience sees names, each with up to three of the same
        prefix, nearest first; and tracker entries ``(as written, number)`` the documents of
        ``products`` (of every product when none) never cite ('PR-3700', 'issue #5300')."""
        known = self.advisories["engineer" if audience == "engineer" else "customer"]
        found = [
            (a, nearest_advisories(a, known.values())) for a in advisories if a.upper() not in known
        ]
        cited = set().union(*(self._trackers.get(p, set()) for p in products or self.products))
        found += [(written, []) for written, number in trackers if number not in cited]
        return found

    def unknown_terms(self, terms: Iterable[str], audience: str = "customer") -> list[str]:
        """Terms (lower case) no document the audience sees uses, nor an inflection of them
        ('dockerized' counts as 'docker', 'TVs' as 'tv'), nor their hyphens left out ('wi-fi' as
        'wifi')."""
        who = "engineer" if audience == "engineer" else "customer"
        return [
            term
            for term in terms
            if not any(
                self._used(form, who) for form in _forms(term) + _forms(term.replace("-", ""))
            )
        ]

    def unknown_phrases(self, phrases: Iterable[str], audience: str = "customer") -> list[str]:
        """Names of several words ('google drive', lower case, one space between words) whose words
        no document the audience sees writes side by side, though each may be used apart."""
        found = []
        for phrase in phrases:
            parts = phrase.split(" ")
            positions = self._words.chunks_with(parts[0])
            for part in parts[1:]:
                positions = np.intersect1d(positions, self._words.chunks_with(part))
            if audience != "engineer":
                positions = positions[self._customer[positions]]
            if not any(
                f" {phrase} " in f" {' '.join(_ALNUM.findall(self._texts[i].lower()))} "
                for i in positions
            ):
                found.append(phrase)
        return found

    def is_common(self, word: str) -> bool:
        """Everyday English: the word or its stem ('teams' -> 'team') is a common word, or one with
        an everyday prefix ('reboots' -> 'boot', 'unplugging' -> 'plug')."""
        bare = [word[len(p) :] for p in _PREFIXES if word.startswith(p) and len(word) - len(p) >= 3]
        return any(form in self.common for w in [word, *bare] for form in _forms(w))

    def rare_words(self, words: Iterable[str]) -> list[str]:
        """The rare words among ``words`` (lower-case tokens): not everyday English, of three
        letters or more, no number or version; a compound ('io_uring', 'pw-mixer') when one of
        its parts is rare."""
        found = []
        for word in words:
            if any(ch.isdigit() for ch in word) or word in self.aliases:
                continue
            if self._rare_parts(word) and word not in found:
                found.append(word)
        return found

    def _rare_parts(self, word: str) -> list[str]:
        """The parts of ``word`` ('uring' of 'io_uring'; the word itself when it has one part)
        of three letters or more that are not everyday English."""
        return [p for p in _PARTS.split(word) if len(p) >= 3 and not self.is_common(p)]

    def unknown_words(self, words: Iterable[str], audience: str = "customer") -> list[str]:
        """Rare words no document the audience sees uses (a compound counts as used when the
        documents use it whole or each of its rare parts), leaving out misspellings of a word the
        documents or everyday English know ('fixd')."""
        who = "engineer" if audience == "engineer" else "customer"

        def used(word: str) -> bool:
            return any(self._used(form, who) for form in _forms(word))

        def known(word: str) -> bool:
            return word in self.common or self._used(word, "engineer")

        found = []
        for word in self.rare_words(words):
            parts = self._rare_parts(word)
            if used(word) or (parts != [word] and all(map(used, parts))):  # compound: by parts
                continue
            if not misspelling(word, known):
                found.append(word)
        return found

    def foreign_terms(
        self, terms: Iterable[str], products: Iterable[str], audience: str = "customer"
    ) -> list[tuple[str, str, list[str]]]:
        """Terms some document the audience sees uses, but none of a product the question names:
        ``(term, product, the products whose documents use it)`` ('positional' asked of
        Linphone, used by Mumble only). Such a question asks the notes of that product for
        something they do not hold."""
        found = []
        for term in dict.fromkeys(terms):
            using = set().union(*(self._products_using(f, audience) for f in _forms(term)))
            if not using or len(using) > SPECIALIST_PRODUCTS:
                continue  # unknown everywhere (unknown_terms' case), or a word of many products
            for product in products:
                if product not in using:
                    found.append((term, product, sorted(using)))
        return found


_CAPITALS = re.compile(r"\b[A-Z]{2,4}\b")  # "AX", "CX": a model prefix as people write it
_PREFIXES = ("re", "un", "de", "pre", "dis")
_ALNUM = re.compile(r"[a-z0-9]+")
_PARTS = re.compile(r"[._\-/]")
_SUFFIXES = ("s", "es", "ed", "ing", "ized", "ised", "ize", "ise", "er", "ers")


def _forms(term: str) -> list[str]:
    """The term and the stems its common English endings leave (of three letters or more)."""
    forms = [term]
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 2:
            stem = term[: -len(suffix)]
            forms.append(stem)
            if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
                forms.append(stem[:-1])  # 'plugging' -> 'plug'
            if suffix in ("ing", "ed", "er", "ers") and len(stem) >= 3:
                forms.append(stem + "e")  # 'fiddling' -> 'fiddle', 'saved' -> 'save'
    return forms
