"""Read a site user's free-text reply as the typed answer a step expects.

``parse_answer(spec, text)`` never raises, whatever the text. It returns a :class:`ParsedAnswer`:
the value (``"yes"``/``"no"``, an option id, a number in the step's unit, or the text itself), a
confidence in [0, 1] and the words to show when confirming. Below :data:`CONFIRM_BELOW` the engine
asks "did you mean ...?" before acting. "Not sure" and "I don't know" in any form give
``kind="not_sure"``.
"""

from __future__ import annotations

import itertools
import math
import re

from bot.dialogue.cues import similar
from bot.dialogue.parsed import CONFIRM_BELOW, NOT_UNDERSTOOD, ParsedAnswer
from bot.dialogue.people import parse_person_name, parse_phone
from bot.dialogue.schema import (
    AnswerSpec,
    ChoiceAnswer,
    ChoiceOption,
    NumberAnswer,
    PersonNameAnswer,
    PhoneAnswer,
    TextAnswer,
    YesNoAnswer,
)
from bot.dialogue.yesno import parse_yes_no

__all__ = ["CONFIRM_BELOW", "NOT_UNDERSTOOD", "ParsedAnswer", "parse_answer", "parse_yes_no"]
MAX_PARSE_CHARS = 500


def _vocab(words: str) -> frozenset[str]:
    return frozenset(words.split())


_NOT_SURE = re.compile(
    r"\b(not\s+(?:too\s+|really\s+|entirely\s+|quite\s+|100%\s+)?(?:sure|certain)|unsure|"
    r"(?:do\s*n[o']?t|dont|do not)\s+know|no\s+(?:idea|ida|clue)|dunno|idk|"
    r"can\s*(?:'|no)?t\s+tell|cannot\s+tell|hard\s+to\s+(?:say|tell)|no\s+way\s+to\s+tell|"
    r"not\s+a\s+clue|maybe|perhaps|i\s+guess\s+not\s+sure|haven'?t\s+a\s+clue|"
    r"(?:i'?m|i am)\s+not\s+(?:in\s+(?:the|that)\s+room|there|on\s+site|next\s+to\s+it)|"
    r"can\s*(?:'|no)?t\s+(?:see|reach|get\s+to|find)\s+(?:it|the|that|where)\b.*"
    r"(?:from\s+here|locked|cabinet|behind|ceiling|tiles|rack|cupboard|can'?t|find)|"
    r"(?:can\s*(?:'|no)?t|cannot)\s+(?:find|get\s+into|access|log\s*in)|"
    r"(?:do\s*n[o']?t|dont)\s+have\s+(?:a\s+|the\s+)?(?:login|access|password|rights)|"
    r"no\s+(?:login|access)|where\s+is\s+(?:that|it)|which\s+one\s+is|"
    r"(?:you'?d|you\s+would)\s+have\s+to\s+ask|ask\s+(?:her|him|them)|"
    r"locked\s+in|haven'?t\s+(?:checked|looked)|"
    r"can\s*(?:'|no)?t\s+see\s+(?:it|the\s+\w+)\s+from\s+here)\b"
)
_LEADING_UNSURE = re.compile(
    r"^(?:i'?m |i am )?(?:not sure|no idea|dunno|idk|(?:i )?(?:do ?n'?t|do not) know|"
    r"couldn'?t tell you|can'?t tell|no clue)\b(?![^,.;]*\b(?:but|maybe|probably|i think)\b)"
)
_LENGTH_WORDS = ["m", "meter", "meters", "metre", "metres", "mtr", "mtrs"]
_SECOND_WORDS = ["s", "sec", "secs", "second", "seconds"]
_MINUTE_WORDS = ["min", "mins", "minute", "minutes"]
_HOUR_WORDS = ["h", "hr", "hrs", "hour", "hours"]
# spoken unit -> (dimension, factor to the dimension's base unit: metres, seconds, percent)
_UNITS: dict[str, tuple[str, float]] = {
    **dict.fromkeys(_LENGTH_WORDS, ("m", 1.0)),
    **dict.fromkeys(["ft", "foot", "feet", "'"], ("m", 0.3048)),
    **dict.fromkeys(["yd", "yards"], ("m", 0.9144)),
    "cm": ("m", 0.01),
    **dict.fromkeys(_SECOND_WORDS, ("s", 1.0)),
    **dict.fromkeys(_MINUTE_WORDS, ("s", 60.0)),
    **dict.fromkeys(_HOUR_WORDS, ("s", 3600.0)),
    **dict.fromkeys(["%", "percent"], ("%", 1.0)),
}
_SPOKEN_UNITS = (
    "metres|meters|metre|meter|feet|foot|ft|m|minutes|minute|mins|min|hours|hour|hrs|hr|"
    "seconds|second|secs|sec"
)
_NEEDS_UNIT = frozenset({"a", "an", "half an", "half a", "a few", "a couple", "a couple of"})
# a step's unit -> (dimension, factor); "count" and unknown units are never converted
_SPEC_UNITS = {unit: _UNITS[unit] for unit in ("m", "ft", "s", "min", "h", "%")}
NUMBER_WITH_UNIT = re.compile(
    r"(?<![\w.])(-?\d+(?:[.,]\d+)?)\s*(metres|meters|metre|meter|mtrs|mtr|feet|foot|ft|cm|"
    r"yards|yd|seconds|second|secs|sec|minutes|minute|mins|min|hours|hour|hrs|hr|h|percent|%|m|s|')?"
    r"(?![a-z])"
)
_WORD_NUMBERS = {
    "a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3, "half an": 0.5, "half a": 0.5,
    "a dozen": 12, "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100, "an": 1,
    "a": 1,
}  # fmt: skip
_APPROX = re.compile(r"\b(about|around|roughly|approx\w*|maybe|perhaps|nearly|almost|ish)\b|~")
# words that say nothing about which option is meant ("the light is orange")
_STOP = _vocab(
    "the a an is it its it's light led lamp colour color of and or i we my our this that there "
    "to in at with shows showing says see think looks like one just now currently was be for me "
    "you no all"
)
_FUNCTION_WORDS = _vocab("the a an at all is it its of and or to in on for with")
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1}


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, single spaces; at most MAX_PARSE_CHARS characters."""
    text = text[:MAX_PARSE_CHARS].replace("\u2019", "'").replace("\u2018", "'").lower()
    return " ".join(text.split())


def is_not_sure(text: str) -> bool:
    """True for "not sure", "I don't know", "no idea", "dunno" and the like."""
    return bool(_NOT_SURE.search(normalise(text)))


def parse_answer(
    spec: AnswerSpec, text: str, region: str | None = None, question: str | None = None
) -> ParsedAnswer:
    """Parse ``text`` as an answer of type ``spec``; never raises. ``region`` (the site's
    country) reads phone numbers typed without a country code; ``question`` (the step's) tells
    what a yes means when the reply only reports how things went."""
    clean = normalise(text)
    if not clean:
        return NOT_UNDERSTOOD
    if isinstance(spec, PhoneAnswer):
        found = parse_phone(text, region)
        if found.kind == "none" and _NOT_SURE.search(clean):
            return ParsedAnswer("not_sure", confidence=1.0, display="not sure")
        return found
    if isinstance(spec, PersonNameAnswer):
        found = parse_person_name(text)
        if found.kind == "none" and _NOT_SURE.search(clean):
            return ParsedAnswer("not_sure", confidence=1.0, display="not sure")
        return found
    if isinstance(spec, ChoiceAnswer | NumberAnswer):
        # "maybe red" and "not sure, about 20 m" are answers; "not sure" alone is not, nor
        # "not sure, I just got told the call is bad"
        if _LEADING_UNSURE.match(clean):
            return ParsedAnswer("not_sure", confidence=1.0, display="not sure")
        unsure = bool(_NOT_SURE.search(clean))
        rest = _NOT_SURE.sub(" ", clean).strip(" ,.!") if unsure else clean
        parsed = NOT_UNDERSTOOD
        if rest:
            parsed = (
                parse_choice(spec.options, rest)
                if isinstance(spec, ChoiceAnswer)
                else parse_number(spec, rest)
            )
        if parsed.kind == "value" and parsed.confidence >= CONFIRM_BELOW:
            return parsed
        if unsure:
            return ParsedAnswer("not_sure", confidence=1.0, display="not sure")
        return parsed
    if isinstance(spec, YesNoAnswer):
        parsed = parse_yes_no(
            clean,
            question,
            yes_means=spec.yes_means,
            yes_when=spec.yes_when,
            no_when=spec.no_when,
        )
        if _NOT_SURE.search(clean) and not (parsed.kind == "value" and parsed.confidence >= 0.95):
            return ParsedAnswer("not_sure", confidence=1.0, display="not sure")
        return parsed
    if _NOT_SURE.search(clean):
        return ParsedAnswer("not_sure", confidence=1.0, display="not sure")
    if isinstance(spec, TextAnswer):
        shown = " ".join(text.split())[:MAX_PARSE_CHARS]
        return ParsedAnswer("value", shown, 1.0, shown)
    return NOT_UNDERSTOOD


def _words(clean: str) -> list[str]:
    return re.findall(r"[a-z0-9%]+(?:'[a-z]+)?", clean)


def _yes_no(value: str, confidence: float) -> ParsedAnswer:
    return ParsedAnswer("value", value, confidence, value)


def _option_tokens(option: ChoiceOption) -> tuple[set[str], set[str]]:
    id_tokens = {t for t in option.id.split("_") if t and t not in _STOP}
    label_tokens = {t for t in _words(normalise(option.label)) if t not in _STOP}
    return id_tokens, label_tokens


def parse_choice(options: list[ChoiceOption], text: str) -> ParsedAnswer:
    """The offered option the text names: id, label, ordinal, distinctive word or near spelling."""
    clean = normalise(text).strip(" .!")
    if not clean or not options:
        return NOT_UNDERSTOOD
    for option in options:
        if clean in (option.id, option.id.replace("_", " "), normalise(option.label).strip(" .")):
            return ParsedAnswer("value", option.id, 1.0, option.label)
    ids = {o.id for o in options}
    if re.fullmatch(r"[0-9]{1,3}", clean) and clean not in ids and 1 <= int(clean) <= len(options):
        option = options[int(clean) - 1]
        return ParsedAnswer("value", option.id, 0.9, option.label)
    said = _words(clean)
    words = [w for w in said if w not in _STOP]
    negated = {b for a, b in itertools.pairwise(words) if a in ("not", "isnt")}
    said_pairs = set(itertools.pairwise(said))
    tokens = _option_tokens_all(options)
    counts: dict[str, int] = {}
    for id_tokens, label_tokens in tokens.values():
        for token in id_tokens | label_tokens:
            counts[token] = counts.get(token, 0) + 1
    scores: dict[str, float] = {}
    exact: dict[str, bool] = {}
    for option in options:
        id_tokens, label_tokens = tokens[option.id]
        score, hit = 0.0, False
        for token in id_tokens | label_tokens:
            weight = (2.0 if token in id_tokens else 1.0) / counts[token]
            if token in words and token not in negated:
                score, hit = score + weight, True
            elif len(token) >= 4 and any(similar(w, token) for w in words):
                score += 0.45 * weight
            elif len(token) >= 4 and any(
                w.startswith(token) and len(w) > len(token) for w in words
            ):
                score, hit = score + 0.8 * weight, True  # "greenish", "reddish"
        # a phrase of the label ("no light") counts even when its words say little alone
        label_pairs = set(itertools.pairwise(_words(normalise(option.label))))
        phrases = [p for p in label_pairs & said_pairs if not set(p) <= _FUNCTION_WORDS]
        if phrases:
            score, hit = score + len(phrases), True
        # the flow's synonyms ("orange" for amber, "nobody can hear anybody" for both)
        if any(_contains(said, _words(normalise(s))) for s in option.synonyms):
            score, hit = score + 2.5, True
        scores[option.id], exact[option.id] = score, hit
    for word, index in _ORDINALS.items():
        if re.search(rf"\b{word}\b", clean) and not any(scores.values()):
            if index >= len(options):
                return NOT_UNDERSTOOD  # "the fifth" of three options
            option = options[index]
            return ParsedAnswer("value", option.id, 0.8, option.label)
    ranked = sorted(options, key=lambda o: scores[o.id], reverse=True)
    top = scores[ranked[0].id]
    if top <= 0:
        return NOT_UNDERSTOOD
    second = scores[ranked[1].id] if len(ranked) > 1 else 0.0
    confidence = 0.95 if second == 0 else 0.5 + 0.45 * (top - second) / top
    if not exact[ranked[0].id]:  # only near spellings matched: confirm
        confidence = min(confidence, 0.7)
    return ParsedAnswer("value", ranked[0].id, round(confidence, 3), ranked[0].label)


def _contains(said: list[str], phrase: list[str]) -> bool:
    """``phrase`` occurs in ``said`` as a run of words (a near spelling allowed per word)."""
    width = len(phrase)
    if not width:
        return False
    return any(
        all(
            w == p or (len(p) >= 4 and similar(w, p))
            for w, p in zip(said[i : i + width], phrase, strict=True)
        )
        for i in range(len(said) - width + 1)
    )


def _option_tokens_all(options: list[ChoiceOption]) -> dict[str, tuple[set[str], set[str]]]:
    return {o.id: _option_tokens(o) for o in options}


def parse_number(spec: NumberAnswer, text: str) -> ParsedAnswer:
    """A number in the step's unit: "about 20 metres" -> 20; "60 feet" -> 18.3 if the unit is m."""
    clean = normalise(text)
    found: list[tuple[float, str | None]] = []
    for match in NUMBER_WITH_UNIT.finditer(clean):
        try:
            value = float(match.group(1).replace(",", "."))
        except ValueError:
            continue
        if math.isfinite(value):  # 400 digits are no measurement (and "inf" breaks JSON)
            found.append((value, match.group(2)))
    if not found:
        for word, number in _WORD_NUMBERS.items():
            said = re.search(rf"\b{word}(?:\s+(?:of\s+)?({_SPOKEN_UNITS}))?\b", clean)
            if said and (said.group(1) or word not in _NEEDS_UNIT):
                half = 0.5 if re.search(rf"\b{word}\s+\w+\s+and a half\b", clean) else 0.0
                found.append((float(number) + half, said.group(1)))
                break
    if not found:
        return NOT_UNDERSTOOD
    value, unit = found[0]
    confidence = 0.95
    note = ""
    if len({v for v, _ in found}) > 1:
        confidence = 0.6  # "10 or 15 m", "between 10 and 15": ask which
    if _APPROX.search(clean):
        confidence = min(confidence, 0.9)
    target = _SPEC_UNITS.get(spec.unit)
    spoken = _UNITS.get(unit) if unit else None
    if target and spoken and spoken[0] == target[0] and spoken[1] != target[1]:
        value = round(value * spoken[1] / target[1], 1)
        if not math.isfinite(value):
            return NOT_UNDERSTOOD
        confidence = min(confidence, 0.9)
        note = f"converted from {found[0][0]:g} {unit}"
    elif spoken and target and spoken[0] != target[0]:
        confidence = min(confidence, 0.5)  # a length given where a time is asked, or the reverse
    shown = f"{value:g} {spec.unit}" if spec.unit != "count" else f"{value:g}"
    return ParsedAnswer("value", value, confidence, shown, note)
