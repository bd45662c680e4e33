"""Ranking and abstention metrics.

File level: a passage is relevant when its source is one of the question's gold files; repeated
files count once, at their best rank. Evidence level: a passage is relevant when it holds one of the
question's evidence sentences, compared after ``normalise`` (see ``evidence_hit``)."""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence


def ranked_files(sources: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for s in sources:
        if s not in seen:
            seen.append(s)
    return seen


def recall_at(files: Sequence[str], gold: set[str], k: int) -> float:
    return len(set(files[:k]) & gold) / len(gold) if gold else 0.0


def mrr_at(files: Sequence[str], gold: set[str], k: int) -> float:
    for rank, f in enumerate(files[:k], start=1):
        if f in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at(files: Sequence[str], gold: set[str], k: int) -> float:
    dcg = sum(1.0 / math.log2(r + 1) for r, f in enumerate(files[:k], start=1) if f in gold)
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(len(gold), k) + 1))
    return dcg / ideal if ideal else 0.0


def abstention(abstained: Sequence[bool], unanswerable: Sequence[bool]) -> dict[str, float]:
    tp = sum(a and u for a, u in zip(abstained, unanswerable, strict=True))
    said = sum(abstained)
    should = sum(unanswerable)
    answerable = len(unanswerable) - should
    return {
        "precision": tp / said if said else 1.0,
        "recall": tp / should if should else 1.0,
        "abstained": float(said),
        "unanswerable": float(should),
        # share of the answerable questions the retriever refused
        "false_abstention": (said - tp) / answerable if answerable else 0.0,
    }


# --- Evidence-level relevance -------------------------------------------------------------------
# A passage is relevant when it holds one of the question's evidence sentences (sentences copied
# from the gold document). Both sides are compared as normalised word sequences, so Markdown, RST
# and HTML markup, case, punctuation and whitespace never decide a match.

EVIDENCE_WINDOW = 12
"""A sentence longer than this many words also matches on its first or last ``EVIDENCE_WINDOW``
words: when a chunk boundary cuts such a sentence, one of the two chunks keeps at least that many
of its words (unless a sentence of fewer than 2 x 12 words is cut near its middle: then neither
side matches)."""

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # [text](url), ![alt](src)
_MD_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")  # [text][ref]
_RST_ROLE = re.compile(r":[\w.+-]+:`([^`<]*?)\s*(?:<[^`>]*>)?`")  # :ref:`text <target>`
_RST_LINK = re.compile(r"`([^`<]+?)\s*<[^`>]+>`_{1,2}")  # `text <url>`_
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_WORD = re.compile(r"[^\W_]+")  # letters and digits; markup, punctuation and "_" separate words


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, with links reduced to their text and every
    markup character (``* _ ` # | > -``, brackets, quotes) and punctuation dropped.

    ``"**Fixed** the [AV1 decoder](https://x/y) in `9.2.0`."`` -> ``"fixed the av1 decoder in 9 2 0"``
    """
    text = unicodedata.normalize("NFKC", html.unescape(text))
    text = _HTML_TAG.sub(" ", text)
    text = _RST_ROLE.sub(r"\1", text)
    text = _RST_LINK.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_REF_LINK.sub(r"\1", text)
    return " ".join(_WORD.findall(text.casefold()))


def sentence_matches(passage: str, sentence: str) -> bool:
    """Whether the normalised ``passage`` holds the normalised ``sentence`` (word-aligned), or, for a
    sentence longer than ``EVIDENCE_WINDOW`` words, its first or its last ``EVIDENCE_WINDOW`` words."""
    if not sentence:
        return False
    haystack = f" {passage} "
    if f" {sentence} " in haystack:
        return True
    words = sentence.split(" ")
    if len(words) <= EVIDENCE_WINDOW:
        return False
    head = " ".join(words[:EVIDENCE_WINDOW])
    tail = " ".join(words[-EVIDENCE_WINDOW:])
    return f" {head} " in haystack or f" {tail} " in haystack


def evidence_hit(passage_text: str, evidence_sentences: Sequence[str]) -> bool:
    """True when the passage holds at least one of the evidence sentences (see ``sentence_matches``)."""
    passage = normalise(passage_text)
    return any(sentence_matches(passage, normalise(s)) for s in evidence_sentences)


def evidence_ranks(passage_texts: Sequence[str], evidence_sentences: Sequence[str]) -> list[int]:
    """The 1-based ranks of the passages that hold an evidence sentence."""
    sentences = [s for s in (normalise(e) for e in evidence_sentences) if s]
    if not sentences:
        return []
    ranks: list[int] = []
    for rank, text in enumerate(passage_texts, start=1):
        passage = normalise(text)
        if any(sentence_matches(passage, s) for s in sentences):
            ranks.append(rank)
    return ranks


def evidence_recall_at(ranks: Sequence[int], k: int) -> float:
    """1.0 when an evidence passage is among the first ``k`` passages (per question; averaged over
    the answerable questions that have evidence, it is the share of them with a hit)."""
    return 1.0 if any(r <= k for r in ranks) else 0.0


def evidence_mrr_at(ranks: Sequence[int], k: int) -> float:
    """1 / rank of the first evidence passage among the first ``k`` passages (0 if none)."""
    best = min(ranks, default=0)
    return 1.0 / best if 0 < best <= k else 0.0
