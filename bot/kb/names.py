"""The names a question uses: acronyms and capitalised words ("KNX", "Dante"), names of several
words ("Microsoft Teams Rooms"), and whether the question asks what a product supports or works
with (then a plain capitalised word is a name, not a room, a site or a person). Places ("the Osaka
office", "meeting room Oak"), languages, days and months are no names."""

from __future__ import annotations

import re

from bot.kb.tokens import STOPWORDS
from bot.kb.vocabulary import MODEL_ID, ProductVocabulary

# A name in a question: an acronym or a capitalised word not at a sentence start ("KNX", "Teams",
# "WebTransport"); lower-case words are left alone (typos must not refuse a question).
_NAME = re.compile(
    r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:-[A-Z][A-Za-z0-9]*)+"  # 'Counter-Strike', one name
    r"|[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*|[A-Z][a-z]{2,})\b"
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


def _names_a_place(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands right before a place noun or after one ("the London
    office", "an office in Osaka", "meeting room Oak")."""
    following = text[end:].split(maxsplit=1)
    return bool(following and following[0].strip(",.?") in PLACE_NOUNS) or bool(
        _PLACE_BEFORE.search(text[:start])
    )


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
        if plain and _names_a_place(stripped, m.start(), m.end()):
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
        if _names_a_place(stripped, m.start(), m.end()):
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
