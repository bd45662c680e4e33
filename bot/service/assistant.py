"""The service the API, the CLI chat and the console call for site users' conversations.

A turn is a value: ``reply(session, event)`` computes a ``TurnOutcome`` (the conversation's next
state, the transcript events, the bot's messages, the handoff it opens) and saves all of it in
one transaction guarded by the session version it was computed from. Nothing is kept in memory
between turns, so any worker can serve any turn.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from bot.dialogue.state import Message
from bot.errors import InvalidQueryError, SessionError
from bot.escalation.accounts import Accounts, Site
from bot.metrics import Metrics
from bot.service.conversation import Conversation
from bot.service.kcs_usage import article_uses
from bot.service.live import QUEUE, session_channel
from bot.service.outcome import Effect, HandoffOpened, TurnOutcome, UserEvent, UserText
from bot.service.state import PublicState, SessionState
from bot.service.transcript import BotSaid, EngineerHandedBack, UserSaid, to_row
from bot.store.store import NewHandoff, SessionTurn, Store, StoredSession

log = logging.getLogger(__name__)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_text(text: str) -> str:
    """Typed text as it is stored and shown: line breaks (CR LF, CR and the Unicode line and
    paragraph separators become one newline) and tabs kept, other spaces (no-break, ideographic)
    as plain spaces, every other control or format character (NUL, ESC, the bidi override U+202E,
    zero-width characters, lone surrogates) removed; trimmed."""
    kept: list[str] = []
    for ch in text.replace("\r\n", "\n"):
        if ch in "\n\t" or ch.isprintable():
            kept.append(ch)
        elif ch in "\r\u2028\u2029":
            kept.append("\n")
        elif unicodedata.category(ch) == "Zs":
            kept.append(" ")
    return "".join(kept).strip()


@dataclass(frozen=True)
class OpenSession:
    """A session whose token was checked: loaded once per request."""

    id: str
    site: Site
    state: SessionState
    version: int


@dataclass(frozen=True)
class Started:
    """A new conversation: its id, the bearer token (shown once), the greeting and the state."""

    session_id: str
    token: str
    messages: tuple[Message, ...]
    state: PublicState


class Assistant:
    """Conversations for site users; stateless between turns."""

    def __init__(
        self,
        *,
        conversation: Conversation,
        accounts: Accounts,
        store: Store,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_message_chars: int = 4000,
        max_session_messages: int = 300,
        max_session_chars: int = 100_000,
        session_idle: timedelta = timedelta(hours=72),
        session_lifetime: timedelta = timedelta(days=14),
        on_effects: Callable[[Sequence[Effect]], None] | None = None,
        publish: Callable[..., None] = lambda *channels: None,
        metrics: Metrics | None = None,
    ) -> None:
        self.conversation = conversation
        self.accounts = accounts
        self.store = store
        self.clock = clock
        self.max_message_chars = max_message_chars
        self.max_session_messages = max_session_messages
        self.max_session_chars = max_session_chars
        self.session_idle = session_idle
        self.session_lifetime = session_lifetime
        self._on_effects = on_effects
        self.publish = publish
        self.metrics = metrics or Metrics()

    # --- sessions ----------------------------------------------------------------------------
    def start(self, access_code: str) -> Started:
        site = self.accounts.site_for_code(access_code)
        if site is None:
            raise SessionError("unknown access code", code="unauthorized")
        now = self.clock()
        session_id, token = secrets.token_hex(16), secrets.token_urlsafe(32)
        state = SessionState(session_id=session_id, site_id=site.id)
        greeting = self.conversation.greeting(site)
        self.store.create_session(
            session_id,
            site.id,
            token_hash(token),
            state.model_dump(mode="json"),
            state.public().status,
            now,
            [to_row(BotSaid(greeting))],
        )
        return Started(session_id, token, (greeting,), state.public())

    def open(self, session_id: str, token: str) -> OpenSession:
        """The session if ``token`` is its bearer token; ``SessionError`` (401) otherwise, with no
        hint whether the session or the token was wrong."""
        stored = self.store.load_session(session_id)
        if stored is None or not hmac.compare_digest(stored.token_hash, token_hash(token)):
            raise SessionError("unknown session or token", code="unauthorized")
        now = self.clock()
        if now - stored.updated_at >= self.session_idle or (
            now - stored.created_at >= self.session_lifetime
        ):
            raise SessionError(
                "this conversation has expired; start a new chat", code="session_expired"
            )
        return self._opened(stored)

    def open_by_id(self, session_id: str) -> OpenSession:
        """The session without a token check: for the service's own callers (engineers' moves,
        the terminal chat), never for a request from a site user."""
        stored = self.store.load_session(session_id)
        if stored is None:
            raise SessionError("no such session", code="session_not_found")
        return self._opened(stored)

    def _opened(self, stored: StoredSession) -> OpenSession:
        site = self.accounts.site(stored.site_id)
        if site is None:
            raise SessionError("the session's site no longer exists", code="unauthorized")
        try:
            state = SessionState.model_validate(stored.state)
        except ValidationError:
            raise SessionError(
                "this conversation was started by an older version; start a new chat",
                code="session_not_found",
            ) from None
        return OpenSession(stored.id, site, state, stored.version)

    def transcript(
        self, session: OpenSession | str, after: int = 0
    ) -> tuple[PublicState, list[dict[str, Any]]]:
        """The public state and the transcript events after sequence number ``after`` (all by
        default), oldest first."""
        opened = session if isinstance(session, OpenSession) else self.open_by_id(session)
        events = [
            {"seq": e.seq, "at": e.at.isoformat(), "kind": e.kind, **e.payload}
            for e in self.store.events(opened.id, after=after)
        ]
        return opened.state.public(), events

    def updates(self, session_id: str, after: int) -> tuple[PublicState, list[dict[str, Any]]]:
        """What is new in a conversation since ``after`` (read again from the store: another
        worker or an engineer may have written it)."""
        return self.transcript(self.open_by_id(session_id), after)

    # --- turns -------------------------------------------------------------------------------
    def reply(self, session: OpenSession | str, event: UserEvent) -> TurnOutcome:
        """Take one turn and save it (state, events, handoff) in one transaction."""
        opened = session if isinstance(session, OpenSession) else self.open_by_id(session)
        outcome = self.decide(opened, event, self.clock())
        self.save(outcome)
        return outcome

    def decide(self, session: OpenSession, event: UserEvent, now: datetime) -> TurnOutcome:
        """The turn ``event`` makes of ``session``, without writing anything."""
        if isinstance(event, UserText):
            event = UserText(clean_text(event.text))
            if len(event.text) > self.max_message_chars:
                raise InvalidQueryError(
                    f"the message is {len(event.text)} characters; the limit is "
                    f"{self.max_message_chars}"
                )
        said_chars = len(event.text) if isinstance(event, UserText) else 0
        self._check_open(session.state, said_chars)
        result = self.conversation.turn(session.state, event, now)
        counted = result.state.model_copy(
            update={
                "said_count": session.state.said_count + 1,
                "said_chars": session.state.said_chars + said_chars,
            }
        )
        said = (
            UserSaid(text=event.text)
            if isinstance(event, UserText)
            else UserSaid(choice=event.choice)
        )
        effects: tuple[Effect, ...] = ()
        if result.handoff is not None:
            record = result.handoff.record
            effects = (HandoffOpened(record.id, record.priority),)
        return TurnOutcome(
            session_id=session.id,
            expected_version=session.version,
            at=now,
            state=counted,
            events=(said, *(BotSaid(m) for m in result.messages)),
            messages=result.messages,
            handoff=result.handoff,
            effects=effects,
            kb_result=result.kb_result,
            article_uses=article_uses(session.state, result.state, result.handoff),
        )

    def _check_open(self, state: SessionState, said_chars: int) -> None:
        """Refuse a message to an ended conversation (409) or past its budget (429): nothing of
        it is saved, and the reason says what to do instead."""
        if not state.public().open:
            ref = f" (reference {state.handoff_id})" if state.handoff_id else ""
            raise SessionError(
                f"this conversation has ended{ref}; start a new chat for another problem",
                code="conversation_ended",
            )
        if (
            state.said_count >= self.max_session_messages
            or state.said_chars + said_chars > self.max_session_chars
        ):
            raise SessionError(
                f"this conversation has reached its limit of {self.max_session_messages} "
                f"messages or {self.max_session_chars} characters; start a new chat",
                code="conversation_full",
            )

    def save(self, outcome: TurnOutcome) -> None:
        """Write the turn; the loser of a race raises ``SessionError`` and writes nothing."""
        self.store.save_turn(self.session_turn(outcome))
        self._count(outcome)
        channels = [session_channel(outcome.session_id)]
        if outcome.handoff is not None:
            channels.append(QUEUE)
        self.publish(*channels)
        if outcome.effects and self._on_effects is not None:
            self._on_effects(outcome.effects)

    def _count(self, outcome: TurnOutcome) -> None:
        """Once the turn is written (a turn that lost a race counts nothing)."""
        reply, status = outcome.reply_kind, outcome.public().status
        self.metrics.turn(reply)
        if outcome.kb_result is not None:
            self.metrics.kb_answer(outcome.kb_result == "abstained")
        if outcome.handoff is None:
            log.info("turn.done reply=%s status=%s", reply, status)
            return
        record = outcome.handoff.record
        route = record.decision.route.value
        self.metrics.handoff(route, record.priority)
        log.info(
            "turn.done reply=%s status=%s handoff_id=%s route=%s priority=%s",
            reply,
            status,
            record.id,
            route,
            record.priority,
        )

    @staticmethod
    def session_turn(outcome: TurnOutcome) -> SessionTurn:
        """The store's form of a turn."""
        handoff = None
        if outcome.handoff is not None:
            opened = outcome.handoff
            record = opened.record
            handoff = NewHandoff(
                id=record.id,
                site_id=record.environment.site_id,
                priority=record.priority,
                category=record.decision.category.value,
                record=record.model_dump(mode="json"),
                markdown=record.to_markdown(),
                returns=[(r.serial, r.dispatch_date, r.return_due_date) for r in opened.returns],
                deliveries=list(opened.sinks),
            )
        return SessionTurn(
            session_id=outcome.session_id,
            expected_version=outcome.expected_version,
            state=outcome.state.model_dump(mode="json"),
            status=outcome.public().status,
            at=outcome.at,
            events=[to_row(e) for e in outcome.events],
            handoff=handoff,
            article_uses=outcome.article_uses,
        )

    def hand_back(
        self, session_id: str, step_id: str | None, note: str | None, engineer: str | None
    ) -> TurnOutcome:
        """The turn that resumes a handed-off chat at ``step_id`` (not yet written: the engineer
        service writes it with the handoff's move, in one transaction)."""
        opened = self.open_by_id(session_id)
        now = self.clock()
        state, message = self.conversation.resume(
            opened.state, step_id, clean_text(note) if note else None, now
        )
        return TurnOutcome(
            session_id=opened.id,
            expected_version=opened.version,
            at=now,
            state=state,
            events=(EngineerHandedBack(step_id, engineer), BotSaid(message)),
            messages=(message,),
        )
