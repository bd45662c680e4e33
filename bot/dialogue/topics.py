"""What a message is about before any flow is chosen: a hazard, a request that is not about the
room's equipment, a call for help, a question about the customer's own contract or equipment,
or several problems at once. Pure text rules; never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.dialogue.answers import normalise

# --- safety ------------------------------------------------------------------------------------
_HAZARDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "burning smell",
        re.compile(
            r"\b(?:smell\w* (?:of |like )?(?:burn\w*|smok\w*|melt\w*|plastic|electric\w*)|burn\w* smell|(?:smells?|smelling) (?:hot|funny|like it'?s burning)|burnt|scorched)\b"
        ),
    ),
    ("smoke", re.compile(r"\b(?:smoke|smoking|smoky|fumes)\b")),
    ("fire", re.compile(r"\b(?:fire|flames?|on fire|caught fire|ablaze)\b")),
    ("sparks", re.compile(r"\b(?:sparks?|sparking|sparked|arcing|flash(?:ed)? and (?:a )?bang)\b")),
    (
        "water on equipment",
        re.compile(
            r"\b(?:water|liquid|coffee|tea|drink|juice|rain)\b.{0,30}\b(?:spill\w*|spilt|poured|knocked|"
            r"dripp\w*|leak\w*|got (?:in|into|on)|all over|on (?:the|our|it)|into (?:the|our|it))|"
            r"\b(?:spill\w*|spilt|leak\w*|dripp\w*|flood\w*)\b.{0,40}\b(?:codec|screen|display|"
            r"panel|rack|equipment|speakers?|mic\w*|camera|cables?|socket|switch|tv|box|ceiling|"
            r"it|on|in|onto|into)\b|\b(?:wet|soaked|damp)\b.{0,30}\b(?:codec|screen|display|panel|"
            r"rack|equipment|speakers?|mic\w*|camera|cables?|socket|switch|tv|box)\b"
        ),
    ),
    (
        "exposed wires",
        re.compile(
            r"\b(?:exposed|bare|frayed|stripped|cut|damaged|melted) (?:wires?|cables?|cords?|leads?)\b|\bwires? (?:hanging|sticking) out\b"
        ),
    ),
    (
        "electric shock",
        re.compile(
            r"\b(?:electric(?:al)? shock|shocked (?:me|him|her|them|us)|got a shock|gave (?:me|him|her) a shock|tingl\w* when)\b"
        ),
    ),
    (
        "very hot",
        re.compile(
            r"\b(?:too hot to touch|very hot|really hot|extremely hot|burning hot|scalding|overheat\w*|melting|melted)\b"
        ),
    ),
)
_NOT_HAZARD = re.compile(
    r"\b(?:no|not any|without|isn'?t any|there'?s no) (?:smoke|smell|sparks?|fire|water|burning)\b"
)


def hazard(text: str) -> str | None:
    """The hazard a message reports ("smoke", "burning smell", ...), or None."""
    clean = normalise(text)
    if _NOT_HAZARD.search(clean):
        clean = _NOT_HAZARD.sub(" ", clean)
    for name, pattern in _HAZARDS:
        if pattern.search(clean):
            return name
    return None


# --- requests for something else -----------------------------------------------------------------
@dataclass(frozen=True)
class OffTopic:
    """A request the assistant does not handle, and who does."""

    what: str
    who: str


_OFF_TOPIC: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(
            r"\b(?:wi-?fi|wireless network|guest network) (?:password|code|key|login)\b|\b(?:password|code) (?:for|of) (?:the )?(?:wi-?fi|guest)"
        ),
        "the Wi-Fi password",
        "your IT help desk",
    ),
    (
        re.compile(
            r"\b(?:book|reserve|booking|reservation|schedule)\b.{0,30}\b(?:room|meeting room|boardroom|space|desk)\b|\broom (?:booking|reservation)\b"
        ),
        "room bookings",
        "your facilities team or booking system",
    ),
    (
        re.compile(r"\b(?:catering|coffee|tea|lunch|sandwich\w*|snacks?|food|water bottles?)\b"),
        "catering",
        "your facilities or catering team",
    ),
    (
        re.compile(r"\b(?:weather|forecast|temperature outside|rain(?:ing)? today)\b"),
        "the weather",
        "a weather service",
    ),
    (
        re.compile(r"\b(?:parking|taxi|uber|car park)\b"),
        "parking and transport",
        "your reception or facilities team",
    ),
    (re.compile(r"\b(?:printer|printing|print (?:a|this|my))\b"), "printing", "your IT help desk"),
    (
        re.compile(
            r"\b(?:air ?con(?:ditioning)?|heating|thermostat|blinds|lights? in the (?:room|office))\b"
        ),
        "the room's climate and lighting",
        "your facilities team",
    ),
    (
        re.compile(
            r"\b(?:reset my password|my (?:email|outlook|laptop password|account password))\b"
        ),
        "your own accounts and laptop",
        "your IT help desk",
    ),
)


def off_topic(text: str) -> OffTopic | None:
    """A request about something other than the room's audio-visual equipment, or None."""
    clean = normalise(text)
    for pattern, what, who in _OFF_TOPIC:
        if pattern.search(clean):
            return OffTopic(what, who)
    return None


_HELP = re.compile(
    r"^(?:help|help me|help please|please help|\?+|menu|options|start|hi|hello|hey|"
    r"what can you do|what do you do|what can i ask|how does this work|what are my options|"
    r"what can you help (?:me )?with|who are you)[.!?]*$"
)


def wants_help(text: str) -> bool:
    """ "help", "what can you do", a greeting alone: show what the assistant can do."""
    return bool(_HELP.match(normalise(text)))


# --- questions about the customer's own contract and equipment ---------------------------------
AccountTopic = Literal["hours", "contract", "cases", "parts", "firmware"]
_ACCOUNT: tuple[tuple[AccountTopic, re.Pattern[str]], ...] = (
    (
        "parts",
        re.compile(
            r"\b(?:replacement|spare|new unit|new part|the part)\b.{0,40}\b(?:arrive|come|coming|ship|shipped|deliver\w*|when|track\w*)|\bwhen\b.{0,40}\b(?:replacement|new unit|spare)\b|\b(?:send|ship|return|post)\b.{0,30}\b(?:old|faulty|broken|defective) (?:one|unit|part|codec|device)\b|\breturn (?:date|deadline|by)\b"
        ),
    ),
    (
        "cases",
        re.compile(
            r"\b(?:my|our|the) (?:ticket|case|handoff|request|report)s?\b|\b(?:open|any|existing|outstanding|current) (?:tickets?|cases?|requests?|handoffs?)\b|\b(?:status|update|news|progress)\b.{0,30}\b(?:ticket|case|request|engineer|handoff|reference)\b|\bho-[0-9a-f]{6,}\b|\bwhen will (?:the|an|my|our) engineer\b|\bhas (?:anyone|someone|an engineer) (?:picked|looked|called)"
        ),
    ),
    (
        "firmware",
        re.compile(
            r"\b(?:what|which) (?:firmware|version|software)\b.{0,40}\b(?:our|we|on|running|installed)\b|\b(?:our|the) \w+(?: \w+)? (?:is )?(?:on|running) (?:which|what)\b|\b(?:are we|are (?:our|the) [\w-]+|is (?:our|it|the [\w-]+(?: [\w-]+)?)) (?:up to date|up-to-date|on the latest|current|latest)\b|\b(?:newer|latest|new) (?:firmware|version|release|update)\b.{0,40}\b(?:our|we|fix)\b|\bneed (?:an|a firmware) update\b"
        ),
    ),
    (
        "hours",
        re.compile(
            r"\b(?:covered|coverage|support hours|opening hours|hours of support|open|available|availability|weekends?|saturday|sunday|holidays?|out of hours|after hours|overnight|24 ?x ?7|24/7|night)\b.{0,40}\?|\b(?:is (?:someone|anyone|an engineer|somebody)|can i (?:talk|speak) to (?:someone|an engineer)) (?:available|there|around|on call)?\b.{0,20}\b(?:now|right now|today|tonight|weekend)\b|\bare we covered\b|\bwhen (?:are|is) (?:you|support|the helpdesk) open\b|\bsupport hours\b"
        ),
    ),
    (
        "contract",
        re.compile(
            r"\b(?:our|my|the) (?:contract|plan|agreement|service level|sla|coverage|support package|entitlement)\b|\bwhat (?:does|do) (?:we|our) (?:get|have|pay for)\b|\bpremier(?: plus)?\b.{0,30}\b(?:include|cover|mean|get)\b|\bwhat(?:'s| is) (?:included|covered)\b"
        ),
    ),
)


def account_topic(text: str) -> AccountTopic | None:
    """Which of the customer's own facts a question asks about, or None."""
    clean = normalise(text)
    for topic, pattern in _ACCOUNT:
        if pattern.search(clean):
            return topic
    return None


# --- several problems in one message -------------------------------------------------------------
_SPLIT = re.compile(
    r"\s*(?:[;.!?]\s+|,\s*(?:and\s+)?(?:also\s+)?|\s+(?:and|plus)\s+(?:also\s+)?(?:there(?:'s| is)\s+"
    r"(?:also\s+)?)?|\s+also\s+|\s+as well as\s+|\s+on top of that\s+|\s+another thing\s*)",
    re.IGNORECASE,
)


_THANKS = re.compile(
    r"^(?:(?:ok|okay|great|perfect|cool|brilliant|lovely|super)[,!. ]*)?(?:thanks?|thank you|"
    r"thank you very much|thanks a lot|many thanks|cheers|ta|bye|goodbye|that'?s all|"
    r"that'?s it|nothing else|all good|no thanks|ok|okay|great|perfect|cool)(?: (?:so much|"
    r"again|for your help|for the help|bye))?[.!]*$"
)
_SYMPTOM_WORDS = re.compile(
    r"\b(?:not|no|n't|cannot|can't|won't|doesn't|isn't|keeps?|stuck|fail\w*|broken|dead|"
    r"stopped|lost|frozen|freez\w*|black|blank|silent|echo\w*|howl\w*|feedback|flicker\w*|"
    r"blurry|dark|red|amber|orange|blinking|flashing|crackl\w*|buzz\w*|noise|choppy|lag\w*|"
    r"pixel\w*|drops?|dropping|off|offline|error|problem|issue|wrong|bad|connecting|"
    r"disconnect\w*|restart\w*|reboot\w*|hear\w*)\b"
)


def is_thanks(text: str) -> bool:
    """ "ok thanks", "cheers", "that's all": a closing word, not a problem."""
    return bool(_THANKS.match(normalise(text)))


_ANOTHER = re.compile(
    r"\b(?:also|plus|another|as well|on top of that|(?:second|other|separate) (?:problem|"
    r"thing|issue)|in addition)\b|[.;!?]\s+\S"
)


def says_another(text: str) -> bool:
    """ "... and there is also an echo", "... plus ...", two sentences: a second problem may
    follow (a plain "and" joins two signs of one problem as often as two problems)."""
    return bool(_ANOTHER.search(normalise(text)))


def reports_symptom(text: str) -> bool:
    """A clause that says something is wrong ("the camera is frozen", "an echo")."""
    return len(text.split()) >= 2 and bool(_SYMPTOM_WORDS.search(normalise(text)))


def clauses(text: str) -> list[str]:
    """The message cut where a second problem may start ("the camera is frozen and there is also
    an echo" -> two clauses); clauses of fewer than two words are dropped."""
    parts = [p.strip(" ,.;") for p in _SPLIT.split(text[:2000])]
    return [p for p in parts if len(p.split()) >= 2]
