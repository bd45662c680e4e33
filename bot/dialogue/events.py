"""The events that move a dialogue on. Each carries ``at``: the engine reads no clock.

Events are pydantic models with a ``type`` tag, so the store can append them to a session's event
log as JSON and replay them (``EventAdapter.validate_json``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.dialogue.state import Given, KnownFix, SiteContext
from bot.kb.citation import Citation


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: datetime


class Start(_Event):
    """Begin ``flow_id`` for a site whose asset is described by ``context`` (when known)."""

    type: Literal["start"] = "start"
    flow_id: str
    context: SiteContext | None = None
    given: dict[str, Given] = Field(default_factory=dict)  # answers the user already gave
    fixes: tuple[KnownFix, ...] = ()  # fixes engineers found for this device and symptom


class Answer(_Event):
    """The user's reply: free ``text`` or a ``choice`` id from the offered buttons."""

    type: Literal["answer"] = "answer"
    text: str | None = None
    choice: str | None = None


class KbResult(_Event):
    """The outcome of the pending knowledge-base lookup."""

    type: Literal["kb_result"] = "kb_result"
    found: bool
    summary: str = ""
    citations: tuple[Citation, ...] = ()
    fixed_in: str | None = None
    fixes: tuple[KnownFix, ...] = ()  # fixes engineers found for the check's symptom


class GoBack(_Event):
    type: Literal["go_back"] = "go_back"


class StartOver(_Event):
    type: Literal["start_over"] = "start_over"


class DontKnow(_Event):
    type: Literal["dont_know"] = "dont_know"


class Escalate(_Event):
    """The user asked for a person: hand off now with what is known."""

    type: Literal["escalate"] = "escalate"
    reason: str = "the user asked to talk to a person"


class SideQuestion(_Event):
    """The user asked something else; the assistant answers it, the engine re-asks the step."""

    type: Literal["side_question"] = "side_question"
    text: str = ""


class Unclear(_Event):
    """The user did not understand the question ("not sure what you mean"): the engine asks it
    again with its instruction; no answer, no miss, no "not sure"."""

    type: Literal["unclear"] = "unclear"


Event = Annotated[
    Start | Answer | KbResult | GoBack | StartOver | DontKnow | Escalate | SideQuestion | Unclear,
    Field(discriminator="type"),
]
EventAdapter: TypeAdapter[Event] = TypeAdapter(Event)
