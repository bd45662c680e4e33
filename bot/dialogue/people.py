"""Reading who to call from free text: a person's name and a phone number.

``parse_person_name("it's me, Priya")`` gives "Priya", not the whole phrase; ``parse_phone("my
mobile is +1 (617) 555-0142", "US")`` finds the number inside the sentence and normalises it with
the ``phonenumbers`` library (E.164 kept, the national format shown), the site's country being
the default region for numbers typed without a country code. Both return a
:class:`~bot.dialogue.answers.ParsedAnswer` and never raise.
"""

from __future__ import annotations

import re

import phonenumbers

from bot.dialogue.parsed import NOT_UNDERSTOOD, ParsedAnswer

MAX_NAME_CHARS = 80
_LEADS = re.compile(
    r"^(?:(?:hi|hello|hey|ok|okay|sure|yes|yeah|yep|well|um|erm|so)[,.!]?\s+)*"
    r"(?:(?:that(?:'s| is| would be| will be)|it(?:'s| is| will be| would be)|its)\s+(?:me|myself)"
    r"(?:\s*[,:-]\s*|\s+)|"
    r"(?:this is|i am|i'm|im|my name is|my name's|name is|name's|the name is|"
    r"it'?ll be|it will be|it would be|it'?d be|that'?ll be|that'?d be|should be|probably|"
    r"it's|it is|its|"
    r"you can (?:call|talk to|ask for|speak to|speak with)|ask for|talk to|speak to|call|"
    r"that(?:'s| is| would be| will be)|that will be|the person is|contact)\s+)"
)
# Greetings, thanks and apologies before the answer ("sorry - Dana Whitfield", "Thanks! Sam")
_FILLER = re.compile(
    r"^(?:(?:hi|hello|hey|ok|okay|well|um|erm|so|sorry|oops|oh|ah|thanks|thank you|my bad|"
    r"apologies)(?:\s*[,.!:;\-–—]+\s+|\s+|[,.!]*$))+",
    re.IGNORECASE,
)
_SELF_ONLY = re.compile(r"^(?:me|myself|it's me|its me|it is me|that's me|i am|i will|i'll)[.!]*$")
_TAILS = re.compile(
    r"\s*(?:[,(/]|\s-\s|\bfrom\b|\bin\b|\bat\b|\bof\b|\bhere\b|\bspeaking\b|\bthe\b|\bour\b|"
    r"\bwho\b|\band\b|\bon\b)\s*.*$"
)
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.\-]*(?:['’.\-][^\W\d_]+)*\.?$")
_NOT_NAMES = frozenset(
    [
        "me",
        "myself",
        "you",
        "him",
        "her",
        "them",
        "someone",
        "somebody",
        "nobody",
        "anyone",
        "yes",
        "no",
        # a yes or no typed first answers a question about the fault ("nope the socket works, I
        # plugged a lamp into it"), not the one about who to call
        "nope",
        "nah",
        "yeah",
        "yep",
        "yup",
        "negative",
        "correct",
        "not",
        "sure",
        "dunno",
        "idea",
        "the",
        "a",
        "it",
        "he",
        "she",
        "they",
        "we",
        "i",
        "unknown",
        "n/a",
        "na",
        "none",
        "nothing",
        "hello",
        "hi",
        "hey",
        "ok",
        "okay",
        "thanks",
        "sorry",
        "oops",
    ]
)
# Words no name holds: verbs of being and having, and the words of a report ("both ends are
# pushed in, still nothing" answers an earlier question, it names nobody).
_NOT_IN_NAMES = frozenset(
    ("is", "are", "was", "were", "be", "been", "am", "has", "have", "had", "do", "does", "did",
     "still", "both", "all", "just", "also", "again", "nothing", "anything", "every", "tried")
)  # fmt: skip
_LINKISH = re.compile(r"(?:https?://|www\.|@|\.(?:com|net|org|io|example)\b)", re.IGNORECASE)


def parse_person_name(text: str) -> ParsedAnswer:
    """The name in a reply: "Priya", "Dana Whitfield", "it's me, Priya" -> "Priya", "this is Dana
    from facilities" -> "Dana". A bare name is certain; one taken out of a longer phrase is less
    so. "me" alone, a reply that starts with yes or no, digits, links and e-mail addresses are no
    name."""
    raw = _FILLER.sub("", " ".join(text.split())[:300])
    if not raw or _LINKISH.search(raw):
        return NOT_UNDERSTOOD
    lowered = raw.lower().replace("’", "'")
    if _SELF_ONLY.match(lowered):
        return NOT_UNDERSTOOD
    rest = raw
    lead = _LEADS.match(lowered)
    if lead:
        rest = raw[lead.end() :]
    rest = rest.strip(" .!,;:")
    trimmed = _TAILS.sub("", rest).strip(" .!,;:") if rest else ""
    words = trimmed.split()
    if not words or len(words) > 4 or len(trimmed) > MAX_NAME_CHARS:
        return NOT_UNDERSTOOD
    if any(not _NAME_WORD.match(w) for w in words) or words[0].lower() in _NOT_NAMES:
        return NOT_UNDERSTOOD
    if any(w.lower() in _NOT_IN_NAMES for w in words):
        return NOT_UNDERSTOOD
    name = " ".join(w if not w.islower() else w[:1].upper() + w[1:] for w in words)
    whole = trimmed == raw.strip(" .!")
    return ParsedAnswer("value", name, 1.0 if whole else 0.9, name)


def parse_phone(text: str, region: str | None = None) -> ParsedAnswer:
    """The first phone number in the text, as E.164 (value) and in national format (display).

    ``region`` (ISO country code, the site's country) reads numbers typed without "+country";
    several numbers or none give a lower confidence or nothing."""
    raw = text[:500]
    default = (region or "US").upper()
    found = [
        m.number
        for m in phonenumbers.PhoneNumberMatcher(
            raw, default, leniency=phonenumbers.Leniency.POSSIBLE
        )
    ]
    if not found:
        return NOT_UNDERSTOOD
    number = found[0]
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    same_country = phonenumbers.region_code_for_number(number) == default
    shown = phonenumbers.format_number(
        number,
        phonenumbers.PhoneNumberFormat.NATIONAL
        if same_country
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    )
    confidence = 1.0 if phonenumbers.is_valid_number(number) else 0.7
    if len({phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164) for n in found}) > 1:
        confidence = min(confidence, 0.7)  # "617 555 0142 or 0143": which one?
    return ParsedAnswer("value", e164, confidence, shown)


def display_phone(e164: str, region: str | None = None) -> str:
    """An E.164 number as people of ``region`` write it (international for other countries)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    same = phonenumbers.region_code_for_number(number) == (region or "").upper()
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if same
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
