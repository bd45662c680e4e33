"""The one service for engineers: the handoff queue, a case's record and transcript, and the moves
(claim, resolve, hand back) with the table of which status allows which move.

The API's engineer routes and the console both call this; neither touches the store. A move
that changes the site user's conversation (a claim, a resolution, a hand back) writes the
handoff and the conversation's turn in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from bot.dialogue.schema import Flow
from bot.errors import MoveError, SessionError
from bot.escalation.accounts import Accounts
from bot.service.assistant import Assistant
from bot.service.state import Resolved, WithEngineer
from bot.service.transcript import BotSaid, EngineerHandedBack, UserSaid, from_row
from bot.store.store import SessionTurn, Store, StoredHandoff, StoredReturn

Handoff = StoredHandoff  # what clients of the service (API, console) read
STATUSES = ("open", "claimed", "resolved", "handed_back")
PRIORITIES = ("P1", "P2", "P3")


class Move(StrEnum):
    """What an engineer can do with a handoff."""

    CLAIM = "claim"
    RESOLVE = "resolve"
    HAND_BACK = "hand_back"


#: move -> (statuses that allow it, status after it)
TRANSITIONS: dict[Move, tuple[frozenset[str], str]] = {
    Move.CLAIM: (frozenset({"open"}), "claimed"),
    Move.RESOLVE: (frozenset({"claimed"}), "resolved"),
    Move.HAND_BACK: (frozenset({"open", "claimed"}), "handed_back"),
}


@dataclass(frozen=True)
class TranscriptLine:
    """One chat message as the engineer reads it: who, when, plain text and offered choices."""

    who: str  # "user", "assistant" or "engineer"
    at: datetime
    text: str
    choices: list[str] = field(default_factory=list)


class EngineerDesk:
    """Queue, records and moves, over the store and the assistant."""

    def __init__(
        self,
        *,
        store: Store,
        assistant: Assistant,
        accounts: Accounts,
        flows: Mapping[str, Flow],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.assistant = assistant
        self.accounts = accounts
        self.flows = flows
        self.clock = clock

    # --- reading -----------------------------------------------------------------------------
    def queue(self, status: str | None = None, site_id: str | None = None) -> list[StoredHandoff]:
        """Handoffs, P1 first then oldest first; filtered by status and site."""
        return self.store.handoffs(status=status, site_id=site_id)

    def handoff(self, handoff_id: str) -> StoredHandoff | None:
        return self.store.handoff(handoff_id)

    def transcript(self, handoff: StoredHandoff) -> list[TranscriptLine]:
        """The chat that led to the handoff; empty when the handoff names no session."""
        if not handoff.session_id:
            return []
        lines = []
        for row in self.store.events(handoff.session_id):
            event = from_row(row.kind, row.payload)
            if isinstance(event, UserSaid):
                said = event.text if event.text is not None else f"(chose: {event.choice})"
                lines.append(TranscriptLine("user", row.at, said))
            elif isinstance(event, BotSaid):
                message = event.message
                labels = [c.label for c in message.choices]
                lines.append(TranscriptLine("assistant", row.at, message.text, labels))
            elif isinstance(event, EngineerHandedBack):
                where = f" at step {event.step}" if event.step else ""
                lines.append(TranscriptLine("engineer", row.at, f"(handed the case back{where})"))
        return lines

    def resume_steps(self, handoff: StoredHandoff) -> list[str]:
        """Steps a handoff can be handed back at: its flow's steps when known, else those taken."""
        if handoff.session_id:
            try:
                diagnosis = self.assistant.open_by_id(handoff.session_id).state.diagnosis
            except SessionError:
                diagnosis = None
            if diagnosis is not None and diagnosis.flow_id in self.flows:
                return [step.id for step in self.flows[diagnosis.flow_id].steps]
        taken = [
            str(d.get("step_id"))
            for d in handoff.record.get("diagnostics") or ()
            if d.get("step_id")
        ]
        return list(dict.fromkeys(taken))

    @staticmethod
    def allowed(handoff: StoredHandoff, move: Move | str) -> bool:
        return handoff.status in TRANSITIONS[Move(move)][0]

    def returns(self, today: date | None = None, overdue_only: bool = False) -> list[StoredReturn]:
        """Defective parts not yet back, earliest due first."""
        return self.store.returns(today or self.clock().date(), overdue_only)

    def accounts_public(self) -> dict[str, Any]:
        """Customers, contracts and sites, without access codes or their hashes."""
        data = self.accounts.model_dump(mode="json")
        for customer in data.get("customers", []):
            for site in customer.get("sites", []):
                site.pop("access_code_hash", None)
                site.pop("access_code", None)
        return data

    # --- moves -------------------------------------------------------------------------------
    def move(
        self,
        handoff_id: str,
        move: Move | str,
        *,
        engineer: str,
        note: str | None = None,
        step: str | None = None,
    ) -> StoredHandoff:
        """Claim, resolve (with a note) or hand back (at a step, or to the open question).

        Raises ``MoveError`` with the reason when the move is refused (unknown handoff, a status
        that does not allow it, a missing note), ``ConflictError`` when the handoff or the chat
        changed meanwhile."""
        kind = Move(move)
        engineer, note, step = engineer.strip(), (note or "").strip(), (step or "").strip()
        if not engineer:
            raise MoveError("an engineer must be named for every move", code="move_incomplete")
        if kind is Move.RESOLVE and not note:
            raise MoveError("write a resolution note before resolving", code="move_incomplete")
        current = self.store.handoff(handoff_id)
        if current is None:
            raise MoveError(f"no handoff {handoff_id}")
        allowed, target = TRANSITIONS[kind]
        if current.status not in allowed:
            raise MoveError(
                f"handoff {handoff_id} is {current.status.replace('_', ' ')}; "
                f"it cannot be {_DONE[kind]}"
            )
        changes: dict[str, str | None] = (
            {"claimed_by": engineer}
            if kind is Move.CLAIM
            else {"resolution": note}
            if kind is Move.RESOLVE
            else {"handed_back_to": step or None}
        )
        turn = self._chat_turn(current, kind, engineer, note or None, step or None)
        return self.store.update_handoff(
            handoff_id,
            allowed=allowed,
            status=target,
            at=self.clock(),
            changes=changes,
            session_turn=turn,
        )

    def _chat_turn(
        self, handoff: StoredHandoff, kind: Move, engineer: str, note: str | None, step: str | None
    ) -> SessionTurn | None:
        """What the move does to the site user's conversation, if the handoff has one."""
        if not handoff.session_id:
            return None
        if kind is Move.HAND_BACK:
            outcome = self.assistant.hand_back(handoff.session_id, step, note, engineer)
            return self.assistant.session_turn(outcome)
        opened = self.assistant.open_by_id(handoff.session_id)
        if opened.state.handoff_id != handoff.id:
            return None  # the chat has moved on (handed back, or another case)
        phase = (
            WithEngineer(handoff_id=handoff.id, engineer=engineer)
            if kind is Move.CLAIM
            else Resolved(handoff_id=handoff.id)
        )
        state = opened.state.model_copy(update={"phase": phase})
        return SessionTurn(
            opened.id,
            opened.version,
            state.model_dump(mode="json"),
            state.public().status,
            self.clock(),
            [],
        )


_DONE = {Move.CLAIM: "claimed", Move.RESOLVE: "resolved", Move.HAND_BACK: "handed back"}
