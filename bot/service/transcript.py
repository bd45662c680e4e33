"""The events of a conversation's transcript, typed, and their stored form (``kind`` + payload).

The store keeps each as one row; the API's transcript lists them as ``{"seq", "at", "kind",
...payload}``, so a bot message keeps the message fields (``type``, ``text``, ``choices``,
``citations``) at the top level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dialogue.state import Message
from bot.kb.citation import Citation


@dataclass(frozen=True)
class UserSaid:
    """What the user sent: free text, or the id of an offered choice."""

    text: str | None = None
    choice: str | None = None

    kind = "user"

    def payload(self) -> dict[str, Any]:
        return {"text": self.text} if self.text is not None else {"choice": self.choice}


@dataclass(frozen=True)
class BotSaid:
    message: Message

    kind = "bot"

    def payload(self) -> dict[str, Any]:
        return self.message.model_dump(mode="json")


@dataclass(frozen=True)
class EngineerHandedBack:
    """An engineer gave the case back to the assistant, at a flow step or to the open question."""

    step: str | None
    engineer: str | None = None

    kind = "engineer_hand_back"

    def payload(self) -> dict[str, Any]:
        return {"step": self.step, "engineer": self.engineer}


@dataclass(frozen=True)
class EngineerSaid:
    """A message an engineer wrote into the chat (optionally citing knowledge-base passages)."""

    engineer_id: str
    name: str  # as the user sees it: "Dana (ProTelecom engineer)"
    text: str
    citations: tuple[Citation, ...] = ()

    kind = "engineer"

    def payload(self) -> dict[str, Any]:
        return {
            "engineer_id": self.engineer_id,
            "engineer": self.name,
            "text": self.text,
            "citations": [c.model_dump(mode="json") for c in self.citations],
        }


@dataclass(frozen=True)
class Activity:
    """Something that happened in the chat: an engineer joined, handed over, resolved it."""

    text: str
    engineer_id: str | None = None

    kind = "activity"

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "engineer_id": self.engineer_id}


TranscriptEvent = UserSaid | BotSaid | EngineerHandedBack | EngineerSaid | Activity


def to_row(event: TranscriptEvent) -> tuple[str, dict[str, Any]]:
    """The stored form: ``(kind, payload)``."""
    return event.kind, event.payload()


def from_row(kind: str, payload: Mapping[str, Any]) -> TranscriptEvent | None:
    """The typed event of a stored row; None for a kind this version does not know."""
    if kind == "user":
        return UserSaid(payload.get("text"), payload.get("choice"))
    if kind == "bot":
        return BotSaid(Message.model_validate(dict(payload)))
    if kind == "engineer_hand_back":
        return EngineerHandedBack(payload.get("step"), payload.get("engineer"))
    if kind == "engineer":
        citations = tuple(Citation.model_validate(c) for c in payload.get("citations") or ())
        return EngineerSaid(
            str(payload.get("engineer_id") or ""),
            str(payload.get("engineer") or ""),
            str(payload.get("text") or ""),
            citations,
        )
    if kind == "activity":
        return Activity(str(payload.get("text") or ""), payload.get("engineer_id"))
    return None
