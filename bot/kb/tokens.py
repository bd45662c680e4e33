"""Tokenisation for the lexical index, shared by ingest and queries.

Identifiers matter in release notes: ``CX-4821``, ``9.4.1``, ``audio.position`` are kept whole *and* split
into their parts, so "CX-4821" and "4821" both match. A small stop list keeps BM25 on the content words.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+(?:[._\-/][a-z0-9]+)*")
# a question's words keep their accented letters ("Jürgen", not "rgen"); the index stays ASCII
_ANY_WORD = re.compile(r"[^\W_]+(?:[._\-/][^\W_]+)*")
# fmt: off
STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do",
    "does", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its",
    "me", "my", "of", "on", "or", "our", "so", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "to", "was", "we", "were", "what", "when", "where", "which",
    "who", "why", "will", "with", "would", "you", "your", "yes", "no", "not",
))
# fmt: on


def tokenize(text: str) -> list[str]:
    """Lower-cased content tokens; compound identifiers are kept whole and also split."""
    out: list[str] = []
    for m in _WORD.finditer(text.lower()):
        word = m.group(0)
        parts = re.split(r"[._\-/]", word)
        if len(parts) > 1:
            out.append(word)
        out.extend(p for p in parts if p and p not in STOPWORDS)
    return out


def words(text: str) -> list[str]:
    """Lower-cased content words, each once, compounds whole ('io_uring', 'pw-mixer')."""
    return list(
        dict.fromkeys(
            m.group(0) for m in _ANY_WORD.finditer(text.lower()) if m.group(0) not in STOPWORDS
        )
    )
