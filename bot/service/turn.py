"""The turn being worked out by the conversation rules: the state so far, what the bot says, and
the handoff it opens. Mutable while a turn is computed; the rules return a frozen result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.dialogue.state import Message
from bot.service.outcome import KbAnswerKind, OpenedHandoff
from bot.service.state import SessionState


@dataclass
class Turn:
    state: SessionState
    now: datetime
    messages: list[Message] = field(default_factory=list)
    handoff: OpenedHandoff | None = None
    kb_result: KbAnswerKind | None = None  # the knowledge base answered, or abstained

    def say(self, *messages: Message) -> None:
        self.messages.extend(messages)

    def set(self, **changes: object) -> None:
        self.state = self.state.model_copy(update=changes)
