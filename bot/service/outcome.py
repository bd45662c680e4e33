"""A turn as a value: what the user sent, what the conversation became, and what to write.

``TurnOutcome`` is computed without writing anything; the service then saves it in one
transaction (state, events, handoff, part returns, outbox), guarded by the session version it was
computed from, so the loser of a race writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.dialogue.state import Message
from bot.escalation.handoff import HandoffRecord, PartReturn
from bot.service.state import PublicState, SessionState
from bot.service.transcript import TranscriptEvent


@dataclass(frozen=True)
class UserText:
    """Free text typed by the user."""

    text: str


@dataclass(frozen=True)
class UserChoice:
    """The id of a choice the user picked."""

    choice: str


UserEvent = UserText | UserChoice
KbAnswerKind = Literal["answered", "abstained"]


@dataclass(frozen=True)
class OpenedHandoff:
    """A handoff this turn opens: the record, the part returns it implies, and the sinks that get
    an outbox entry."""

    record: HandoffRecord
    returns: tuple[PartReturn, ...]
    sinks: tuple[str, ...]


@dataclass(frozen=True)
class HandoffOpened:
    """After the turn is saved: engineers (and sinks) have a new case."""

    handoff_id: str
    priority: str


Effect = HandoffOpened


@dataclass(frozen=True)
class TurnOutcome:
    """One turn, not yet (or just) written."""

    session_id: str
    expected_version: int
    at: datetime
    state: SessionState
    events: tuple[TranscriptEvent, ...]
    messages: tuple[Message, ...]
    handoff: OpenedHandoff | None = None
    effects: tuple[Effect, ...] = ()
    kb_result: KbAnswerKind | None = None
    article_uses: tuple[tuple[int, str], ...] = ()  # KCS articles offered, tried, handed off

    def public(self) -> PublicState:
        return self.state.public()

    @property
    def reply_kind(self) -> str:
        """What the bot's reply was, for the turn counter: ``handoff`` (one was opened),
        ``answer`` or ``abstained`` (the knowledge base), ``silent`` (a note kept for the
        engineer), else the last message's type (``question``, ``outcome``, ``safety``, ``text``)."""
        if self.handoff is not None:
            return "handoff"
        if self.kb_result is not None:
            return "answer" if self.kb_result == "answered" else "abstained"
        return self.messages[-1].type if self.messages else "silent"
