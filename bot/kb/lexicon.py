"""General English, as far as the knowledge base needs it: which words are common, and which unknown
word is only a misspelling of a known one.

The common words are the whole words of the packaged MiniLM's WordPiece vocabulary: a word that
model holds whole ('freeze', 'shipping', 'people') is everyday English, one it has to split into
pieces ('bluetooth', 'io_uring', 'speakerphone') is rare or technical. Only rare words can show that
a question asks about something the documents do not cover; everyday words in a question are as
likely paraphrase.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Words that say what kind of answer a question wants, not what it is about: everyday in questions
# about release notes, though the general vocabulary splits them.
QUESTION_FRAME = frozenset(
    ("firmware", "software", "changelog", "bugfix", "hotfix", "workaround", "config",
     "configure", "configured", "configuration", "docs", "documentation", "upgrades")
)  # fmt: skip

# Contractions typed without their apostrophe ("the logs dont show errors"): everyday, though the
# general vocabulary holds only their halves.
CONTRACTIONS = frozenset(
    ("dont", "doesnt", "didnt", "cant", "couldnt", "wont", "wouldnt", "shouldnt", "isnt",
     "arent", "wasnt", "werent", "havent", "hasnt", "hadnt", "ive", "youre", "theyre", "thats",
     "whats", "theres", "its", "im", "id", "ill", "weve", "were", "youve", "lets")
)  # fmt: skip


# Abbreviations of everyday writing ("new features, esp. in the SIP plugin"): everyday, though the
# general vocabulary does not hold them.
ABBREVIATIONS = frozenset(
    ("esp", "etc", "approx", "incl", "pls", "plz", "thx", "asap", "fyi", "btw", "imo", "afaik",
     "iirc", "tbh", "ie", "eg", "aka", "vs", "mins", "secs", "hrs", "tia")
)  # fmt: skip


def common_words(model_dir: Path | None = None) -> frozenset[str]:
    """The whole, alphabetic words of ``model_dir``'s ``vocab.txt`` (the packaged model's by
    default), the question-frame words, the contractions and the abbreviations; only those when
    the folder has none."""
    if model_dir is None:
        from bot.kb.embedder import packaged_model_path

        model_dir = packaged_model_path()
    path = model_dir / "vocab.txt"
    if not path.is_file():
        return QUESTION_FRAME | CONTRACTIONS | ABBREVIATIONS
    words = path.read_text(encoding="utf-8").split()
    return (
        QUESTION_FRAME
        | CONTRACTIONS
        | ABBREVIATIONS
        | {w for w in words if w.isalpha() and w.islower() and len(w) > 1}
    )


def edits(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return {
        *(a + b[1:] for a, b in splits if b),
        *(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        *(a + c + b[1:] for a, b in splits if b for c in _LETTERS),
        *(a + c + b for a, b in splits for c in _LETTERS),
    }


def misspelling(word: str, known: Callable[[str], bool]) -> bool:
    """Whether ``word`` (of five letters or more) is one edit away from a known word of four
    letters or more ('dosnt' for 'dont'): such a word says nothing about what the documents cover.
    A shorter word is never taken for one: one edit turns most of them into some word ('rtmp',
    'ramp')."""
    if len(word) < 5:
        return False
    return any(len(other) >= 4 and known(other) for other in edits(word) if other != word)
