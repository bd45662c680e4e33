"""Lexical cues for the router: keyword matching that tolerates typos, and the shape of a question.

Everything a flow is recognised by lives in its YAML (``keywords``, ``examples``); this module only knows
how text is shaped: question words, knowledge-seeking phrases (versions, issue ids, "release notes"),
and the words people use to report something broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*|\*")
_INTERROGATIVE = re.compile(
    r"^(?:how|what|what's|whats|which|when|where|why|who|does|do|did|is|are|can|could|should|"
    r"will|would|has|have)\b"
)
_KNOWLEDGE = re.compile(
    r"\b(?:release notes?|patch notes?|changelog|what changed|what's new|whats new|new in|"
    r"introduced|fixed in|which (?:firmware|version|release)|what (?:version|release)s?|"
    r"versions? (?:affected|fixed)|minimum version|upgrade path|known issues?|advisory|"
    r"vulnerab\w*|cve|xss|support(?:s|ed)?|compatible|how (?:do|can|should) (?:i|we|you)|"
    r"how to|how many|where (?:are|is|can i find) the|what does .+ (?:mean|refer to)|"
    r"refer to|set up|configure|enable|"
    r"can (?:i|we|you) (?:pair|connect|use|stream|share|send|record|add|mount|run|integrate)|"
    # "can the codec in our boardroom join Teams meetings natively?": what a product does
    r"(?:can|could|will) (?:the|a|an|our|this|that) (?:\w+ ){1,5}?(?:join|pair|connect to|"
    r"stream|share|record|register|run|integrate|work with|talk to|dial into)|natively|"
    r"works? with)\b"
)
_VERSION = re.compile(r"\b\d+\.\d+(?:\.\d+)?\b")
_ISSUE_ID = re.compile(r"\b(?:cx|vx|ax|tx|wx|nsa)-\d{3,4}(?:-\d+)?\b")
_MODEL = re.compile(r"\b(?:cx|vx|ax|tx|wx)-\d{1,3}[a-z]?\b")
_SYMPTOM = re.compile(
    r"\b(?:not|no|n't|cannot|can't|cant|won't|wont|doesn't|doesnt|isn't|isnt|keeps?|stuck|"
    r"failed|fails|broken|dead|stopped|lost|again|anymore|every time|frozen|black|blank|"
    r"nothing|silent|echo|help)\b"
)


_CONTRACTIONS = {
    "can't": "can not", "cant": "can not", "cannot": "can not", "won't": "will not",
    "wont": "will not", "don't": "do not", "dont": "do not", "doesn't": "does not",
    "doesnt": "does not", "isn't": "is not", "isnt": "is not", "aren't": "are not",
    "arent": "are not", "didn't": "did not", "didnt": "did not", "couldn't": "could not",
    "couldnt": "could not", "wasn't": "was not", "wasnt": "was not", "haven't": "have not",
    "it's": "it is", "we're": "we are", "they're": "they are", "there's": "there is",
}  # fmt: skip
_APOSTROPHE_WORD = re.compile(r"[a-z]+'[a-z]+|[a-z]+")


def _expand(text: str) -> str:
    lowered = text.lower().replace("\u2019", "'")
    return _APOSTROPHE_WORD.sub(lambda m: _CONTRACTIONS.get(m.group(0), m.group(0)), lowered)


def words(text: str) -> list[str]:
    """Lower-case word tokens, contractions spelt out ("can't" -> "can", "not"); versions such as
    9.4.1 and ids such as cx-900 stay whole."""
    return _WORD.findall(_expand(text).replace("'", ""))


def _stem(word: str) -> str:
    """A very light stemmer: "hearing" -> "hear", "drops" -> "drop", "froze" stays."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _within(a: str, b: str, limit: int) -> bool:
    """True when the optimal-string-alignment distance (insertions, deletions, substitutions,
    swaps of neighbours) between ``a`` and ``b`` is at most ``limit``; stops as soon as it is not."""
    if abs(len(a) - len(b)) > limit or len(set(a) ^ set(b)) > 2 * limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


def similar(word: str, keyword: str) -> bool:
    """Same word up to a light stem, or a typo: one edit in 4-7 letters, two in longer words."""
    if word == keyword:
        return True
    if abs(len(word) - len(keyword)) > 5 or min(len(word), len(keyword)) < 4:
        return False
    a, b = _stem(word), _stem(keyword)
    if a == b:
        return True
    shortest = min(len(a), len(b))
    if shortest < 4 or abs(len(a) - len(b)) > 2:
        return False
    return _within(a, b, 1 if shortest < 8 else 2)


def keyword_hits(text_words: Sequence[str], keywords: Iterable[str]) -> list[str]:
    """The keywords (words or phrases) that occur in the text as a run of words, allowing typos.

    A ``*`` in a keyword stands for any one word: "not * hear" matches "can't they hear".
    """
    return KeywordIndex.of(keywords).hits(text_words)


@dataclass(frozen=True)
class KeywordIndex:
    """Keywords split into words once, so matching a message costs little."""

    phrases: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, keywords: Iterable[str]) -> KeywordIndex:
        return cls(tuple((k, tuple(words(k))) for k in keywords if words(k)))

    def hits(self, text_words: Sequence[str]) -> list[str]:
        """The keywords found in ``text_words`` (see :func:`keyword_hits`)."""
        memo: dict[tuple[str, str], bool] = {}

        def same(word: str, part: str) -> bool:
            if part == "*" or word == part:
                return True
            key = (word, part)
            if key not in memo:
                memo[key] = similar(word, part)
            return memo[key]

        # where each keyword's first word occurs, found once per distinct first word: most
        # keywords' first words occur nowhere, and then the rest of the keyword is never compared
        starts: dict[str, list[int]] = {}
        count = len(text_words)
        found: list[str] = []
        for keyword, parts in self.phrases:
            first, width = parts[0], len(parts)
            if first not in starts:
                starts[first] = [i for i in range(count) if same(text_words[i], first)]
            for start in starts[first]:
                if start + width <= count and all(
                    same(text_words[start + i], parts[i]) for i in range(1, width)
                ):
                    found.append(keyword)
                    break
        return found


@dataclass(frozen=True)
class QuestionShape:
    """How a message is shaped: asked as a question, seeking knowledge, reporting a symptom."""

    asks: bool
    knowledge: bool
    symptom: bool

    @property
    def score(self) -> float:
        """How much the text reads like a knowledge question rather than a fault report, 0..1."""
        score = (0.45 if self.asks else 0.0) + (0.45 if self.knowledge else 0.0)
        if self.symptom and not self.knowledge:
            score -= 0.35
        if self.asks and not self.symptom:
            score += 0.1
        return max(0.0, min(1.0, score))


def question_shape(text: str) -> QuestionShape:
    """Interrogative form, knowledge-seeking words (versions, issue ids, "release notes", "does X
    support") and words that report something broken."""
    clean = " ".join(text.lower().split())
    asks = bool(_INTERROGATIVE.match(clean)) or clean.endswith("?")
    knowledge = any(p.search(clean) for p in (_KNOWLEDGE, _VERSION, _ISSUE_ID))
    # a model name in a question ("does the CX-500 support AV1?") asks about the product
    knowledge = knowledge or (asks and bool(_MODEL.search(clean)))
    return QuestionShape(asks=asks, knowledge=knowledge, symptom=bool(_SYMPTOM.search(clean)))
