"""Which of the site's devices a conversation is about.

``mentions(site, text)`` reads the rooms ("room 2", "the boardroom"), models ("CX-500", "cx500")
and kinds of device ("the panel", "the second screen", "ceiling mic") a message names.
``identify(site, kinds, mention)`` picks the asset a flow is about: the one the user named, the
only one of its kind, or the candidates to ask about (with choices built from the site's own
rooms and devices). Pure.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.devices import MODEL_WORDS, DeviceCategory
from bot.dialogue.cues import KeywordIndex, similar, words
from bot.dialogue.state import Choice
from bot.escalation.accounts import Asset, Site

How = Literal["said", "asked", "only_one", "flow_outcome", "room_system", "not_confirmed"]
HOW_WORDS: dict[str, str] = {
    "said": "named by the user",
    "asked": "chosen by the user when asked",
    "only_one": "the only one of its kind at the site",
    "flow_outcome": "the device the checks pointed to",
    "room_system": "the room's system: the device at fault could not be named as a registered asset",
    "not_confirmed": "not confirmed: the user was not sure which one",
}

_KIND_WORDS: dict[DeviceCategory, tuple[str, ...]] = {
    DeviceCategory.TOUCH_PANEL: ("touch panel", "touchpanel", "touch screen", "touchscreen", "panel", "controller", "control panel", "tablet", "room controller"),
    DeviceCategory.WIRELESS_PRESENTER: ("wireless presenter", "sharing button", "share button", "usb button", "button", "dongle", "gateway", "clickshare", "wireless sharing", "presenter"),
    DeviceCategory.CODEC: ("codec", "room system", "video system", "vc system", "vc unit", "main box", "the box", "video unit", "room kit"),
    DeviceCategory.DISPLAY: ("screen", "screens", "display", "displays", "tv", "tvs", "monitor", "monitors", "projector", "telly"),
    DeviceCategory.CAMERA: ("camera", "cameras", "cam", "webcam", "ptz"),
    DeviceCategory.MICROPHONE: ("ceiling mic", "ceiling microphone", "table mic", "mic", "mics", "microphone", "microphones"),
    DeviceCategory.DSP: ("dsp", "audio processor", "audio box", "echo canceller"),
    DeviceCategory.SPEAKER: ("speaker", "speakers", "soundbar", "sound bar"),
    DeviceCategory.AMPLIFIER: ("amplifier", "amp"),
    DeviceCategory.SWITCH: ("network switch", "poe switch", "switch"),
}  # fmt: skip
_ROOM_STOP = frozenset({"room", "the", "meeting", "conference", "of", "and", "a"})
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6"}


@dataclass(frozen=True)
class Mention:
    """What a message says about the device: rooms of the site, models, kinds of device."""

    rooms: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    kinds: tuple[DeviceCategory, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rooms or self.models or self.kinds)

    def merged(self, other: Mention) -> Mention:
        return Mention(
            tuple(dict.fromkeys((*self.rooms, *other.rooms))),
            tuple(dict.fromkeys((*self.models, *other.models))),
            tuple(dict.fromkeys((*self.kinds, *other.kinds))),
        )


@dataclass(frozen=True)
class Identified:
    """The asset found (with how), or the candidates to ask about."""

    asset: Asset | None
    how: How | None = None
    candidates: tuple[Asset, ...] = ()


def rooms_of(site: Site) -> list[str]:
    return list(dict.fromkeys(a.room for a in site.assets if a.room))


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def mentions(site: Site, text: str) -> Mention:
    """The site's rooms, models and the kinds of device ``text`` names."""
    said = words(text[:2000])
    numbers = [_NUMBER_WORDS.get(w, w) for w in said]
    squashed = _squash(text)
    named = [a.model for a in site.assets if _squash(a.model) in squashed]
    nicknamed = [
        a.model
        for a in site.assets
        if a.model.upper() in MODEL_WORDS
        and KeywordIndex.of(MODEL_WORDS[a.model.upper()]).hits(said)
    ]
    return Mention(
        rooms=tuple(_rooms_said(site, said, numbers)),
        models=tuple(dict.fromkeys((*named, *_only_one_kind(site, nicknamed)))),
        kinds=tuple(_kinds_said(said)),
    )


def _only_one_kind(site: Site, models: list[str]) -> list[str]:
    """Nicknames narrow only between devices of one kind ("button": the WX-B, not the WX-4);
    a nickname that fits models of several kinds says nothing about which."""
    kinds = {a.kind for a in site.assets if a.model in models}
    return models if len(kinds) == 1 else []


def _rooms_said(site: Site, said: list[str], numbers: list[str]) -> Iterable[str]:
    rooms = rooms_of(site)
    tokens = {room: [t for t in words(room) if t not in _ROOM_STOP] for room in rooms}
    shared = Counter(t for ts in tokens.values() for t in set(ts))
    for room in rooms:
        own = [t for t in tokens[room] if shared[t] == 1]
        if not own:
            continue
        for token in own:
            if token.isdigit():  # "room 2", "rm 2", "room number two"
                hit = any(
                    n == token and i > 0 and said[i - 1] in ("room", "rm", "number", "#")
                    for i, n in enumerate(numbers)
                )
            else:
                hit = any(w == token or (len(token) >= 5 and similar(w, token)) for w in said)
            if hit:
                yield room
                break


@functools.cache
def _kind_phrases() -> tuple[tuple[DeviceCategory, tuple[str, ...]], ...]:
    """Every device word and phrase as words, longest first (split once per process)."""
    phrases = [(kind, tuple(words(p))) for kind, ps in _KIND_WORDS.items() for p in ps]
    return tuple(sorted(phrases, key=lambda item: -len(item[1])))


def _kinds_said(said: list[str]) -> Iterable[DeviceCategory]:
    taken = [False] * len(said)
    found: list[DeviceCategory] = []
    for kind, phrase in _kind_phrases():
        width = len(phrase)
        for start in range(len(said) - width + 1):
            span = range(start, start + width)
            if any(taken[i] for i in span):
                continue
            if all(
                said[i] == p or (len(p) >= 6 and similar(said[i], p))
                for i, p in zip(span, phrase, strict=True)
            ):
                for i in span:
                    taken[i] = True
                if kind not in found:
                    found.append(kind)
    return found


def identify(site: Site, kinds: Sequence[DeviceCategory], mention: Mention) -> Identified:
    """The asset a check about ``kinds`` (main kind first) is about, given what was said."""
    assets = list(site.assets)
    if mention.models:  # a model of a kind this check is about ("the panel" is no codec)
        named = [a for a in assets if a.model in mention.models and a.kind in kinds]
        if len(named) == 1:
            return Identified(named[0], "said")
        if named:
            assets = named
    pool = [a for a in assets if a.room in mention.rooms] if mention.rooms else assets
    pool = pool or assets
    wanted = [k for k in mention.kinds if k in kinds] or list(kinds[:1])
    for kind in (*wanted, *kinds):
        matches = [a for a in pool if a.kind is kind]
        if not matches:
            continue
        if len(matches) == 1:
            narrowed = bool(mention.rooms or mention.models or kind in mention.kinds)
            alone = len([a for a in site.assets if a.kind is kind]) == 1
            return Identified(matches[0], "only_one" if alone and not narrowed else "said")
        return Identified(None, None, tuple(matches))
    return Identified(None)


def in_room(
    site: Site,
    room: str | None,
    kind: DeviceCategory | None = None,
    product: str | None = None,
) -> Asset | None:
    """The one device of that kind (or product line) in that room; with none there, the one of
    the site (a network switch lives in a cupboard, not in the meeting room)."""
    fits = [a for a in site.assets if (a.product == product if product else a.kind is kind)]
    here = [a for a in fits if room is None or a.room == room]
    if len(here) == 1:
        return here[0]
    return fits[0] if not here and len(fits) == 1 else None


def choices_for(candidates: Sequence[Asset]) -> tuple[str, tuple[Choice, ...]]:
    """The question and the buttons that tell the candidates apart: by room when they are in
    different rooms, else by model and kind."""
    rooms = {a.room for a in candidates}
    if len(rooms) == len(candidates) and None not in rooms:
        question = "Which room is this in?"
        choices = tuple(Choice(id=a.serial, label=f"{a.room} ({a.model})") for a in candidates)
    else:
        question = "Which one is it?"
        choices = tuple(
            Choice(
                id=a.serial,
                label=f"{a.model} {a.kind.words}" + (f", {a.room}" if a.room else ""),
            )
            for a in candidates
        )
    return question, choices


def strip_places(site: Site, text: str) -> str:
    """The text without where it happens, the site's rooms and city ("the codec in the Isar Saal
    is red" -> "the codec is red"), so the words about the problem stand together."""
    out = text
    places = rooms_of(site) + ([site.city] if site.city else [])
    for room in sorted(places, key=len, reverse=True):
        parts = [re.escape(p) for p in room.split()]
        core = r"\s+".join(parts)
        out = re.sub(
            rf"\s*\b(?:in|at|from|of)\s+(?:the\s+|our\s+)?{core}(?:\s+room)?\b",
            "",
            out,
            flags=re.IGNORECASE,
        )
        out = re.sub(rf"\b{core}\b", "", out, flags=re.IGNORECASE)
    out = re.sub(
        r"\s*\b(?:in|at)\s+(?:the\s+)?(?:room|rm)\s+(?:\d+|one|two|three|four)\b",
        "",
        out,
        flags=re.IGNORECASE,
    )
    return " ".join(out.split())
