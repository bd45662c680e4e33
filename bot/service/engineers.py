"""The one service for engineers: the queue ordered by the contract clock, a case's record,
transcript, site and contract, and the moves (``bot.service.moves``): claim, write in the chat,
resolve, hand back, hand over.

The API's engineer routes, the workspace and the console all call this; none touches the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.dialogue.schema import Flow
from bot.errors import SessionError
from bot.escalation.accounts import Accounts, Site
from bot.escalation.coverage import coverage
from bot.kb.citation import Citation
from bot.service.assistant import Assistant
from bot.service.identity import Engineer
from bot.service.live import QUEUE
from bot.service.moves import TRANSITIONS, CaseMoves, Move
from bot.service.transcript import (
    Activity,
    BotSaid,
    EngineerHandedBack,
    EngineerSaid,
    UserSaid,
    from_row,
)
from bot.store.kcs import ArticleWrite
from bot.store.outbox import Delivery, Status
from bot.store.store import Store, StoredHandoff, StoredReturn

Handoff = StoredHandoff  # what clients of the service (API, console) read
STATUSES = ("open", "claimed", "resolved", "handed_back")
PRIORITIES = ("P1", "P2", "P3")
__all__ = ["PRIORITIES", "STATUSES", "TRANSITIONS", "EngineerDesk", "Handoff", "Move"]


@dataclass(frozen=True)
class TranscriptLine:
    """One chat event as the engineer reads it: who, when, plain text, offered choices."""

    who: str  # "user", "assistant", "engineer" or "activity"
    at: datetime
    text: str
    choices: list[str] = field(default_factory=list)
    seq: int = 0
    name: str = ""
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class QueueItem:
    """A case in the queue, with where it stands on the contract clock."""

    handoff: StoredHandoff
    group: str  # "live" (waiting to be joined), "callback", "working", "closed"
    waiting: timedelta | None  # live: how long the user has waited
    callback_at: datetime | None
    overdue: bool


_GROUPS = {"live": 0, "callback": 1, "working": 2, "closed": 3}


class EngineerDesk:
    """Queue, records and moves, over the store and the assistant."""

    def __init__(
        self,
        *,
        store: Store,
        assistant: Assistant,
        accounts: Accounts,
        flows: Mapping[str, Flow],
        find_engineer: Callable[[str], Engineer | None] = lambda _: None,
        publish: Callable[..., None] = lambda *channels: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.assistant = assistant
        self.accounts = accounts
        self.flows = flows
        self.clock = clock
        self.moves = CaseMoves(
            store,
            assistant,
            find_engineer=find_engineer,
            publish=publish,
            clock=lambda: self.clock(),
        )

    def queue_view(self, include_closed: bool = False) -> list[QueueItem]:
        """The queue by the contract clock: live transfers waiting (oldest first), callbacks by
        ``callback_at`` (overdue first), the cases being worked, then (optionally) the closed
        ones; P1 before P2 before P3 within each group."""
        now = self.clock()
        items = []
        for h in self.store.handoffs():
            decision = h.record.get("decision") or {}
            callback = decision.get("callback_at")
            at = datetime.fromisoformat(str(callback)) if callback else None
            if h.status == "open" and decision.get("route") == "callback" and at:
                items.append(QueueItem(h, "callback", None, at, at <= now))
            elif h.status == "open":
                items.append(QueueItem(h, "live", now - h.created_at, None, False))
            elif h.status == "claimed":
                items.append(QueueItem(h, "working", None, at, False))
            elif include_closed:
                items.append(QueueItem(h, "closed", None, at, False))
        return sorted(
            items,
            key=lambda i: (
                _GROUPS[i.group],
                i.handoff.priority,
                i.callback_at or i.handoff.created_at,
            ),
        )

    def site_of(self, handoff: StoredHandoff) -> Site | None:
        return self.accounts.site(handoff.site_id)

    def site_summary(self, handoff: StoredHandoff) -> dict[str, Any]:
        """The site's assets and its contract now, for the engineer looking at a case."""
        site = self.site_of(handoff)
        if site is None:
            return {}
        cover = coverage(self.accounts, site, self.clock())
        return {
            "id": site.id,
            "name": site.name,
            "timezone": site.timezone,
            "local_time": cover.now.isoformat(),
            "contract": cover.includes(),
            "hours": cover.hours(),
            "assets": [
                {
                    "serial": a.serial,
                    "room": a.room,
                    "model": a.model,
                    "kind": a.kind.value,
                    "maker": a.maker,
                    "firmware": a.firmware,
                    "end_of_life": a.end_of_life,
                }
                for a in site.assets
            ],
        }

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
        return self.transcript_after(handoff, 0)

    def transcript_after(self, handoff: StoredHandoff, after: int) -> list[TranscriptLine]:
        """The chat's events after sequence number ``after`` (0: all)."""
        if not handoff.session_id:
            return []
        lines = []
        for row in self.store.events(handoff.session_id, after=after):
            event = from_row(row.kind, row.payload)
            if isinstance(event, UserSaid):
                said = event.text if event.text is not None else f"(chose: {event.choice})"
                lines.append(TranscriptLine("user", row.at, said, seq=row.seq))
            elif isinstance(event, BotSaid):
                message = event.message
                labels = [c.label for c in message.choices]
                lines.append(
                    TranscriptLine(
                        "assistant",
                        row.at,
                        message.text,
                        labels,
                        seq=row.seq,
                        citations=message.citations,
                    )
                )
            elif isinstance(event, EngineerSaid):
                lines.append(
                    TranscriptLine(
                        "engineer",
                        row.at,
                        event.text,
                        seq=row.seq,
                        name=event.name,
                        citations=event.citations,
                    )
                )
            elif isinstance(event, Activity):
                lines.append(TranscriptLine("activity", row.at, event.text, seq=row.seq))
            elif isinstance(event, EngineerHandedBack):
                where = f" at step {event.step}" if event.step else ""
                lines.append(
                    TranscriptLine(
                        "activity", row.at, f"(handed the case back{where})", seq=row.seq
                    )
                )
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

    def deliveries(self, status: Status | None = None) -> list[Delivery]:
        """Handoff deliveries to the sinks, newest first."""
        return self.store.outbox.entries(status)

    def retry_delivery(self, entry_id: int) -> bool:
        """Make a dead letter (or any undelivered entry) due again now."""
        done = self.store.outbox.retry([entry_id], self.clock()) == 1
        if done:
            self.moves.publish(QUEUE)
        return done

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
        engineer: Engineer,
        note: str | None = None,
        step: str | None = None,
        to: str | None = None,
        article: ArticleWrite | None = None,
    ) -> StoredHandoff:
        """See ``CaseMoves.move``."""
        return self.moves.move(
            handoff_id, move, engineer, note=note, step=step, to=to, article=article
        )

    def say(
        self, handoff_id: str, engineer: Engineer, text: str, citations: Sequence[Citation] = ()
    ) -> StoredHandoff:
        """See ``CaseMoves.say``."""
        return self.moves.say(handoff_id, engineer, text, citations)
