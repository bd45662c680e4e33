"""What an engineer does with a case: claim, write in the chat, resolve, hand back, hand over.

One table of moves (``TRANSITIONS``); every move is signed by an engineer and changes the site
user's chat in the same transaction as the handoff: a claim says "Dana (ProTelecom engineer)
joined", a resolution asks the user whether the problem is solved, a hand back resumes the
assistant at a step, a hand over names the new engineer. The hub is told after each commit, so
the user and other engineers see it at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum

from bot.dialogue.state import Choice, Message
from bot.errors import MoveError
from bot.kb.citation import Citation
from bot.service.assistant import Assistant, OpenSession, clean_text
from bot.service.identity import Engineer
from bot.service.live import QUEUE, session_channel
from bot.service.state import Rating, SessionState, WithEngineer
from bot.service.transcript import Activity, BotSaid, EngineerSaid, TranscriptEvent, to_row
from bot.store.kcs import ArticleWrite
from bot.store.store import SessionTurn, Store, StoredHandoff

RATING_QUESTION = "Did this solve your problem?"
YES_NO = (Choice(id="yes", label="Yes"), Choice(id="no", label="No"))
MAX_ENGINEER_MESSAGE = 4000


class Move(StrEnum):
    """What an engineer can do with a handoff."""

    CLAIM = "claim"
    RESOLVE = "resolve"
    HAND_BACK = "hand_back"
    HAND_OVER = "hand_over"


#: move -> (statuses that allow it, status after it)
TRANSITIONS: dict[Move, tuple[frozenset[str], str]] = {
    Move.CLAIM: (frozenset({"open"}), "claimed"),
    Move.RESOLVE: (frozenset({"claimed"}), "resolved"),
    Move.HAND_BACK: (frozenset({"open", "claimed"}), "handed_back"),
    Move.HAND_OVER: (frozenset({"claimed"}), "claimed"),
}
_DONE = {
    Move.CLAIM: "claimed",
    Move.RESOLVE: "resolved",
    Move.HAND_BACK: "handed back",
    Move.HAND_OVER: "handed over",
}


class CaseMoves:
    """The moves and the chat messages of engineers, over the store and the assistant."""

    def __init__(
        self,
        store: Store,
        assistant: Assistant,
        *,
        find_engineer: Callable[[str], Engineer | None],
        publish: Callable[..., None] = lambda *channels: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.assistant = assistant
        self.find_engineer = find_engineer
        self.publish = publish
        self.clock = clock

    def move(
        self,
        handoff_id: str,
        move: Move | str,
        engineer: Engineer,
        *,
        note: str | None = None,
        step: str | None = None,
        to: str | None = None,
        article: ArticleWrite | None = None,
    ) -> StoredHandoff:
        """Claim, resolve (with a note, and optionally a KCS ``article`` draft or link written
        in the same transaction), hand back (at a step, or to the open question) or hand
        over (``to`` another engineer's id).

        Raises ``MoveError`` with the reason when the move is refused (unknown handoff, a status
        that does not allow it, a missing note, a case claimed by another engineer: only they or
        an admin may move it), ``ConflictError`` when the
        handoff or the chat changed meanwhile."""
        kind = Move(move)
        note, step = clean_text(note or ""), (step or "").strip()
        if kind is Move.RESOLVE and not note:
            raise MoveError("write a resolution note before resolving", code="move_incomplete")
        if article is not None and kind is not Move.RESOLVE:
            raise MoveError("only a resolution carries a KCS article", code="move_incomplete")
        receiver = self.find_engineer(to) if kind is Move.HAND_OVER and to else None
        if kind is Move.HAND_OVER and receiver is None:
            raise MoveError("choose the engineer to hand the case over to", code="move_incomplete")
        current = self.store.handoff(handoff_id)
        if current is None:
            raise MoveError(f"no handoff {handoff_id}")
        allowed, target = TRANSITIONS[kind]
        if current.status not in allowed:
            raise MoveError(
                f"handoff {handoff_id} is {current.status.replace('_', ' ')}; "
                f"it cannot be {_DONE[kind]}"
            )
        owner = current.claimed_by
        if kind is not Move.CLAIM and owner and owner != engineer.id and engineer.role != "admin":
            who = self.find_engineer(owner)
            raise MoveError(
                f"handoff {handoff_id} is claimed by {who.name if who else owner}; "
                "only they or an admin can move it"
            )
        changes: dict[str, str | None]
        if kind is Move.CLAIM:
            changes = {"claimed_by": engineer.id}
        elif kind is Move.RESOLVE:
            changes = {"resolution": note, "resolved_by": engineer.id}
        elif kind is Move.HAND_BACK:
            changes = {"handed_back_to": step or None}
        else:
            changes = {"claimed_by": receiver.id if receiver else None}
        turn = self._chat_turn(current, kind, engineer, note or None, step or None, receiver)
        moved = self.store.update_handoff(
            handoff_id,
            allowed=allowed,
            status=target,
            at=self.clock(),
            changes=changes,
            session_turn=turn,
            article=article,
        )
        self._told(moved)
        return moved

    def say(
        self,
        handoff_id: str,
        engineer: Engineer,
        text: str,
        citations: Sequence[Citation] = (),
    ) -> StoredHandoff:
        """Write into the site user's chat (the case must be claimed by this engineer)."""
        body = clean_text(text)
        if not body and not citations:
            raise MoveError("the message is empty", code="move_incomplete")
        if len(body) > MAX_ENGINEER_MESSAGE:
            raise MoveError(
                f"the message is {len(body)} characters; the limit is {MAX_ENGINEER_MESSAGE}",
                code="move_incomplete",
            )
        current = self.store.handoff(handoff_id)
        if current is None or not current.session_id:
            raise MoveError(f"no chat for handoff {handoff_id}")
        if current.status != "claimed" or current.claimed_by != engineer.id:
            raise MoveError(f"claim handoff {handoff_id} before writing in its chat")
        opened = self.assistant.open_by_id(current.session_id)
        event = EngineerSaid(engineer.id, engineer.signature, body, tuple(citations))
        self.store.save_turn(self._turn(opened, opened.state, (event,)))
        self._told(current)
        return current

    def _told(self, handoff: StoredHandoff) -> None:
        channels = [QUEUE, f"handoff:{handoff.id}"]
        if handoff.session_id:
            channels.append(session_channel(handoff.session_id))
        self.publish(*channels)

    def _turn(
        self, opened: OpenSession, state: SessionState, events: Sequence[TranscriptEvent]
    ) -> SessionTurn:
        return SessionTurn(
            opened.id,
            opened.version,
            state.model_dump(mode="json"),
            state.public().status,
            self.clock(),
            [to_row(e) for e in events],
        )

    def _chat_turn(
        self,
        handoff: StoredHandoff,
        kind: Move,
        engineer: Engineer,
        note: str | None,
        step: str | None,
        receiver: Engineer | None,
    ) -> SessionTurn | None:
        """What the move does to the site user's conversation, if the handoff has one."""
        if not handoff.session_id:
            return None
        if kind is Move.HAND_BACK:
            outcome = self.assistant.hand_back(handoff.session_id, step, note, engineer.name)
            turn = self.assistant.session_turn(outcome)
            left = Activity(f"{engineer.signature} handed the chat back to the assistant.")
            return SessionTurn(
                turn.session_id,
                turn.expected_version,
                turn.state,
                turn.status,
                turn.at,
                [to_row(left), *turn.events],
            )
        opened = self.assistant.open_by_id(handoff.session_id)
        if opened.state.handoff_id != handoff.id:
            return None  # the chat has moved on (handed back, or another case)
        state, events = self._after(opened.state, handoff, kind, engineer, note, receiver)
        return self._turn(opened, state, events)

    @staticmethod
    def _after(
        state: SessionState,
        handoff: StoredHandoff,
        kind: Move,
        engineer: Engineer,
        note: str | None,
        receiver: Engineer | None,
    ) -> tuple[SessionState, tuple[TranscriptEvent, ...]]:
        if kind is Move.CLAIM:
            phase = WithEngineer(
                handoff_id=handoff.id, engineer=engineer.id, engineer_name=engineer.signature
            )
            return state.model_copy(update={"phase": phase}), (
                Activity(f"{engineer.signature} joined.", engineer.id),
            )
        if kind is Move.HAND_OVER and receiver is not None:
            phase = WithEngineer(
                handoff_id=handoff.id, engineer=receiver.id, engineer_name=receiver.signature
            )
            return state.model_copy(update={"phase": phase}), (
                Activity(
                    f"{engineer.signature} handed your case to {receiver.signature}.",
                    engineer.id,
                ),
            )
        resolved = Activity(
            f"{engineer.signature} marked the problem as resolved: {note}", engineer.id
        )
        question = Message(type="question", text=RATING_QUESTION, choices=YES_NO)
        rated = state.model_copy(
            update={
                "phase": Rating(handoff_id=handoff.id),
                "live_choices": ("yes", "no"),
                "last_question": question,
            }
        )
        return rated, (resolved, BotSaid(question))
