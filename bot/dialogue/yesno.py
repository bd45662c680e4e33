"""Yes or no in the words people use: "yep", "nope it's dark", "did that, still the same",
"no echo now", "there's a laptop in the room also in the call".

A reply is read in this order: the step's own phrases (``yes_when`` / ``no_when``), a leading yes
or no (with "no wait, yes" corrections, typos and emoji), a report of how the instruction went
("still frozen", "it's back") read through what *yes* means for this question (better, worse, or
a plain fact), hedges ("I think so", "I doubt it"), and a reply that restates the question's own
words. Pure; never raises.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.dialogue.parsed import NOT_UNDERSTOOD, ParsedAnswer
from bot.dialogue.schema import YesMeans

_YES_WORDS = frozenset(
    [
        "yes",
        "yeah",
        "yea",
        "yep",
        "yup",
        "ya",
        "yah",
        "yess",
        "yesss",
        "sure",
        "correct",
        "affirmative",
        "absolutely",
        "definitely",
        "indeed",
        "aye",
        "yeh",
        "yas",
        "ye",
        "yse",
        "yeas",
        "yh",
        "yup",
        "yupp",
        "yay",
        "ok",
        "okay",
        "k",
        "kk",
    ]
)
_NO_WORDS = frozenset(
    ["no", "nope", "nah", "negative", "nay", "nop", "noo", "nooo", "naw", "nö", "nein"]
)
_YES_EMOJI = ("👍", "✅", "👌", "🙂", "😀", "✔")
_NO_EMOJI = ("👎", "❌", "✖", "🙁")
_OFFER_YES = re.compile(
    r"^(?:please(?: do)?|go ahead|go for it|do it|sounds good|that would be (?:great|good)|"
    r"why not|of course|i'?d like that|that'?s fine|fine|alright|all right|sure thing|please yes|"
    r"yes please)\b|\b(?:i )?don'?t see why not\b|\bno reason (?:i|we|she|he|they) "
    r"(?:can'?t|couldn'?t|won'?t|wouldn'?t)\b"
)
_LIMITED = re.compile(r"\bonly (?:for|until|till) (?:a|an|\d|half|about|the next)")
# a leading "no" that names something instead of answering: "no echo now", "no sound at all"
_PROBLEM_NOUNS = frozenset(
    [
        "echo",
        "echoes",
        "howling",
        "feedback",
        "problem",
        "problems",
        "issue",
        "issues",
        "error",
        "errors",
        "noise",
        "buzz",
        "buzzing",
        "hum",
        "humming",
        "whistling",
        "crackling",
        "lag",
        "freezing",
        "freezes",
        "delay",
        "flicker",
        "flickering",
        "worries",
    ]
)
_DESIRED_NOUNS = frozenset(
    [
        "sound",
        "audio",
        "picture",
        "video",
        "signal",
        "image",
        "light",
        "lights",
        "led",
        "power",
        "display",
        "screen",
        "change",
        "luck",
        "difference",
        "joy",
        "connection",
        "network",
        "response",
        "tone",
        "ip",
        "address",
    ]
)
_CORRECTION = re.compile(r"\b(?:wait|sorry|actually|i mean|oh|hang on|scratch that)\b")
_STILL_GOOD = re.compile(r"\bstill (?:fine|good|ok|okay|working|works|perfect|great)\b")
_WORSE = re.compile(
    r"\b(?:then (?:went )?back to|went back to|never (?:went|came|changed)|still|same (?:thing|problem|error|issue|again|as before)|the same|nothing (?:changed|"
    r"happened|happens|different)|no (?:change|luck|joy|difference|improvement)|"
    r"(?:says|shows|showing|saying) no (?:signal|picture|image|video|sound|audio|"
    r"input|power|light|lights|display|connection|network|tone)|"
    r"did ?n'?t (?:work|help|fix|change|do anything)|does ?n'?t (?:work|help)|not working|"
    r"no good|no better|won'?t|keeps|again|still not|not fixed|not better|not back|worse|"
    r"dead|silent|black|blank|frozen|stuck|flashing red|same error|nada|zilch|"
    r"fail(?:s|ed)?(?: too| again| as well)?|(?:just )?as bad|bad again|still bad|no dice)\b"
)
_BETTER = re.compile(
    r"\b(?:(?:it'?s|is|are|its|that'?s|they'?re|picture'?s|sound'?s|everything'?s|all) "
    r"(?:back|fixed|working|fine|ok|okay|good|better|gone|up|sorted|perfect|great|clear|normal)|"
    r"works|worked|working now|fixed|sorted|that did it|did the trick|solved|resolved|"
    r"(?:went|goes|go|gone) (?:through|away|white|blue|green)|came (?:on|up|back)|comes (?:on|up|back)|"
    r"lit up|lights up|popped up|came through|(?:has |have )?stopped|it'?s gone|gone now|"
    r"all good|much better|way better|better now|fine now|good now|clear now|back now|"
    r"(?:ok|okay) now|seems (?:ok|okay|fine|good|better)|\w+'s gone|(?:is|are) gone|"
    r"works? (?:now|fine|again)|(?:respond|responds|responding|reacts|reacting|connects|"
    r"connected|registered|shows|showing|comes|coming) (?:now|again|fine)|went through|"
    r"back to normal|up now|on now|(?:can|could) (?:hear|see) (?:them|us|it|the|everything)|"
    r"no (?:more )?(?:echo|howling|feedback|problems?|issues?|errors?|noise|buzz|freezing|lag)|"
    r"(?:light|led|it|panel|screen|camera)'?s? (?:is )?on\b)"
)
_HEDGE_YES = re.compile(
    r"\b(?:i think so|think so|i guess so|i believe so|believe so|looks like it|seems so|"
    r"seems like it|pretty sure|probably|most likely|likely|i'?d say so|should be|i reckon)\b"
)
_HEDGE_NO = re.compile(
    r"\b(?:probably not|i doubt it|doubt it|don'?t think so|dont think so|do not think so|"
    r"unlikely|not that i know of|not as far as i know|i'?d say no|don'?t believe so|"
    r"not really|not quite|hardly)\b"
)
_HEDGE_UNSURE = re.compile(
    r"^(?:could be|possibly|maybe|perhaps|sort of|kind of|kinda|sorta|50/50|fifty fifty|"
    r"depends(?: .*)?|it depends|hard to say|no idea|might be|not sure)[.!?]*$|"
    r"\b(?:50/50|fifty.fifty|might be|could be either)\b"
)
_NEGATED = re.compile(
    r"\b(?:not|never|hasn'?t|haven'?t|didn'?t|doesn'?t|isn'?t|wasn'?t|won'?t|hardly)\s+(?:\w+\s+)?$"
)
_TYPOS = {
    "nothign": "nothing", "nothin": "nothing", "notihng": "nothing", "stil": "still",
    "sitll": "still", "wokring": "working", "workign": "working", "wroking": "working",
    "fixd": "fixed", "chnaged": "changed", "changd": "changed", "teh": "the", "dosnt": "doesnt",
    "doesnt": "doesn't", "didnt": "didn't", "isnt": "isn't", "hasnt": "hasn't", "cant": "can't",
    "wont": "won't", "its": "it's",
}  # fmt: skip
_NEGATION = re.compile(
    r"\b(?:not|no|never|nothing|none|nobody|neither|isn'?t|doesn'?t|don'?t|can'?t|cannot|won'?t|"
    r"didn'?t|aren'?t|wasn'?t|haven'?t|hasn'?t|couldn'?t|ain'?t|closed|off|only|empty|blank)\b"
)
_AFFIRM = re.compile(
    r"\b(?:there'?s|there is|there are|it says|it shows|shows|says|has|have|is in|are in|"
    r"joined|open|in the (?:call|meeting)|on the call|yes)\b"
)
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "is",
        "are",
        "do",
        "does",
        "did",
        "you",
        "your",
        "it",
        "its",
        "this",
        "that",
        "there",
        "of",
        "in",
        "on",
        "to",
        "for",
        "with",
        "and",
        "or",
        "any",
        "now",
        "still",
        "can",
        "could",
        "see",
        "hear",
        "have",
        "has",
        "been",
        "be",
        "was",
        "were",
        "what",
        "which",
        "who",
        "how",
        "when",
        "if",
        "at",
        "from",
        "by",
        "as",
        "not",
        "no",
        "yes",
        "within",
        "minute",
        "minutes",
        "site",
        "room",
        "our",
        "we",
    ]
)
_BETTER_QUESTION = re.compile(
    r"(?:\bnow\b|come[s]? back|\bback\b|\bfix|gone away|stopped|\bwork|come[s]? on|light up|"
    r"turn[s]? (?:white|green|blue)|\bconnect|good now|appear|detected|respond|go away|"
    r"go through|finished|hear the far end|see you)"
)


def polarity(question: str | None, given: YesMeans | None = None) -> YesMeans:
    """What *yes* means for a question: ``better`` (the problem is gone), ``worse`` (it
    persists) or ``fact``. ``given`` (a flow's ``yes_means``) wins over the question's wording."""
    if given is not None:
        return given
    q = (question or "").lower()
    if re.search(r"\bstill\b", q):
        return "worse"
    if q.startswith("did that fix") or _BETTER_QUESTION.search(q):
        return "better"
    return "fact"


def parse_yes_no(
    text: str,
    question: str | None = None,
    *,
    yes_means: YesMeans | None = None,
    yes_when: Sequence[str] = (),
    no_when: Sequence[str] = (),
) -> ParsedAnswer:
    """Yes or no, with a confidence (below 0.75 the engine asks "did you mean ...?")."""
    clean = " ".join(text[:500].replace("’", "'").replace("‘", "'").lower().split())
    clean = " ".join(_TYPOS.get(w, w) for w in clean.split())
    if not clean:
        return NOT_UNDERSTOOD
    for pattern in no_when:
        if re.search(pattern, clean):
            return _answer("no", 0.9)
    for pattern in yes_when:
        if re.search(pattern, clean):
            return _answer("yes", 0.9)
    if any(e in text for e in _YES_EMOJI):
        return _answer("yes", 0.9)
    if any(e in text for e in _NO_EMOJI):
        return _answer("no", 0.9)
    words = re.findall(r"[a-z0-9']+", clean)
    if words in (["y"], ["n"]):
        return _answer("yes" if words == ["y"] else "no", 0.9)
    if words in (["ok"], ["okay"], ["k"], ["kk"], ["ok", "ok"]):
        return _answer("yes", 0.7)  # an acknowledgement as much as a yes: confirm it
    meaning = polarity(question, yes_means)
    outcome = _outcome(clean, meaning)
    lead = _leading(words, clean)
    if lead is not None:
        # "yes it's plugged in, still nothing": the report of what still happens answers the
        # question asked; otherwise the leading word does
        if outcome is not None and outcome != lead[0] and "still" in words:
            return _answer(outcome, 0.85)
        return _answer(*lead)
    if _OFFER_YES.search(clean):
        return _answer("yes", 0.9)
    if _LIMITED.search(clean):
        return _answer("no", 0.8)  # "only for 20 minutes": not for the whole of it
    if _HEDGE_NO.search(clean):
        return _answer("no", 0.8)
    if outcome is not None:
        return _answer(outcome, 0.85)
    if _HEDGE_UNSURE.match(clean):
        return ParsedAnswer("not_sure", confidence=0.9, display="not sure")
    if _HEDGE_YES.search(clean):
        return _answer("yes", 0.8)
    restated = _restated(clean, question)
    if restated.kind == "value":
        return restated
    return _weak(clean)


def _leading(words: list[str], clean: str) -> tuple[str, float] | None:
    """A yes or no that starts the reply (the last one, after "no wait, yes"), with how sure the
    reading is, or None."""
    answers = [
        (i, w)
        for i, w in enumerate(words)
        if (w in _YES_WORDS or w in _NO_WORDS) and not _not_an_answer(words, i)
    ]
    if not answers:
        return None
    index, word = answers[0]
    if index > 1:  # "the light is on, no" is not a leading answer
        return None
    if word in _NO_WORDS and index + 1 < len(words):
        following = words[index + 1].strip("'")
        if following in _PROBLEM_NOUNS or following in _DESIRED_NOUNS or following == "more":
            return None  # "no echo now", "no sound": a noun phrase, read as a report
    if word in ("ok", "okay", "k", "kk") and len(words) > 1:
        return None  # "ok so the light is red": a filler, not an answer
    values = {"yes" if w in _YES_WORDS else "no" for _, w in answers}
    if len(values) > 1:
        if _CORRECTION.search(clean):  # "no wait, yes it did": the correction wins
            last = answers[-1][1]
            return ("yes" if last in _YES_WORDS else "no"), 0.9
        return ("yes" if word in _YES_WORDS else "no"), 0.6  # "yes but no": ask
    value = "yes" if word in _YES_WORDS else "no"
    return value, 1.0 if len(words) <= 3 else 0.95


def _not_an_answer(words: list[str], i: int) -> bool:
    """ "sure" in "not sure", "no" in "no idea": parts of a phrase, not a yes or a no."""
    word = words[i]
    before = words[i - 1] if i > 0 else ""
    after = words[i + 1] if i + 1 < len(words) else ""
    if word == "sure" and before in ("not", "unsure", "too", "100%", "quite", "really"):
        return True
    return word == "no" and after in ("idea", "ida", "clue", "way", "one", "longer")


def _outcome(clean: str, meaning: YesMeans) -> str | None:
    """What a report of how things went means for the question, or None."""
    if meaning == "fact":
        return None
    better = any(not _NEGATED.search(clean[: m.start()]) for m in _BETTER.finditer(clean)) or bool(
        _STILL_GOOD.search(clean)
    )
    negated_better = any(_NEGATED.search(clean[: m.start()]) for m in _BETTER.finditer(clean))
    worse = (bool(_WORSE.search(clean)) or negated_better) and not _STILL_GOOD.search(clean)
    if better and worse and re.search(r"\bstill\b", clean) and not _STILL_GOOD.search(clean):
        better = False  # "turned the lights on, still really dark": what still happens decides
    if better == worse:
        return None  # neither, or both ("better, but a few freezes"): decided elsewhere
    went_well = better
    if meaning == "better":
        return "yes" if went_well else "no"
    return "no" if went_well else "yes"


def _restated(clean: str, question: str | None) -> ParsedAnswer:
    """A reply that repeats the question's own words: affirmed unless it negates them."""
    if not question:
        return NOT_UNDERSTOOD
    asked = {w for w in re.findall(r"[a-z0-9]+", question.lower()) if w not in _STOP}
    said = {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", clean)}
    shared = {w for w in asked if w in said or w.rstrip("s") in said}
    if not shared:
        return NOT_UNDERSTOOD
    if _NEGATION.search(clean):
        return _answer("no", 0.8)
    if _AFFIRM.search(clean) or len(shared) >= 2:
        return _answer("yes", 0.8)
    return _answer("yes", 0.7)


_WEAK_NO = re.compile(
    r"\b(?:not|never|nothing|none|neither|isn'?t|doesn'?t|don'?t|can'?t|cannot|won'?t|didn'?t|"
    r"aren'?t|wasn'?t|haven'?t|hasn'?t|couldn'?t|ain'?t|nowhere|nor)\b"
)
_WEAK_YES = re.compile(
    r"\b(?:it (?:is|does|did|was|has)|i (?:do|did|can|have)|we (?:do|did|can|have)|"
    r"they (?:do|did|can)|there (?:is|are)|that'?s right|works|working|worked|done|all good)\b"
)


def _weak(clean: str) -> ParsedAnswer:
    """ "it isn't" (no), "it is working now" (yes): a plain statement, less sure."""
    no, yes = bool(_WEAK_NO.search(clean)), bool(_WEAK_YES.search(clean))
    if no:
        return _answer("no", 0.8 if not yes else 0.7)
    if yes:
        return _answer("yes", 0.8)
    return NOT_UNDERSTOOD


def _answer(value: str, confidence: float) -> ParsedAnswer:
    return ParsedAnswer("value", value, confidence, value)
