"""The store: one class over SQLAlchemy, SQLite by default, PostgreSQL by URL.

Every turn is one transaction (the state, its events, and the handoff it opens with its part
returns and outbox entries), guarded by an optimistic version, so two workers can never interleave
half a turn and the loser of a race writes nothing; a database outage becomes
``StoreUnavailableError``. The store knows rows, not the domain: states and records arrive as
JSON-ready dicts.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import ConflictError, SessionError, StoreError, StoreUnavailableError
from bot.store import migrate
from bot.store.attempts import Attempts
from bot.store.engineers import EngineerAccounts
from bot.store.history import History
from bot.store.kcs import ArticleWrite, KcsRows
from bot.store.outbox import Outbox
from bot.store.tables import (
    CustomerRow,
    EventRow,
    HandoffRow,
    OutboxRow,
    ReturnRow,
    SessionRow,
    as_utc,
)

_HANDOFF_CHANGES = frozenset({"claimed_by", "resolution", "resolved_by", "handed_back_to"})


@dataclass(frozen=True)
class StoredSession:
    id: str
    site_id: str
    token_hash: str
    status: str
    state: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewHandoff:
    """A handoff to store: its record (JSON-ready) and Markdown, the part returns it implies
    (``(serial, dispatch, due)``) and the sinks that get an outbox entry."""

    id: str
    site_id: str
    priority: str
    category: str
    record: dict[str, Any]
    markdown: str
    returns: Sequence[tuple[str, date, date]] = ()
    deliveries: Sequence[str] = ()


@dataclass(frozen=True)
class SessionTurn:
    """A session's next state, the events that led to it and the handoff it opens (if any), to
    be written in one transaction."""

    session_id: str
    expected_version: int
    state: dict[str, Any]
    status: str
    at: datetime
    events: Sequence[tuple[str, dict[str, Any]]]
    handoff: NewHandoff | None = None
    article_uses: Sequence[tuple[int, str]] = ()  # (KCS article number, kind of use)


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    at: datetime
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class StoredHandoff:
    id: str
    session_id: str | None
    site_id: str
    status: str
    priority: str
    category: str
    record: dict[str, Any]
    markdown: str
    claimed_by: str | None
    resolution: str | None
    handed_back_to: str | None
    created_at: datetime
    updated_at: datetime
    resolved_by: str | None = None


@dataclass(frozen=True)
class StoredReturn:
    handoff_id: str
    site_id: str
    serial: str
    dispatch_date: date
    return_due_date: date
    returned_on: date | None


def _handoff(row: HandoffRow) -> StoredHandoff:
    return StoredHandoff(
        row.id,
        row.session_id,
        row.site_id,
        row.status,
        row.priority,
        row.category,
        row.record,
        row.markdown,
        row.claimed_by,
        row.resolution,
        row.handed_back_to,
        as_utc(row.created_at),
        as_utc(row.updated_at),
        row.resolved_by,
    )


def _set_wal(cursor: Any, attempts: int = 100) -> None:
    """Switch a SQLite file to write-ahead logging. Changing the mode of a new file needs it to
    itself, and SQLite answers "database is locked" at once (no busy wait) while another worker
    starting at the same moment holds it: retry for up to about 5 s."""
    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


class Store:
    """Sessions with their append-only event log, handoffs, returns and the outbox."""

    def __init__(self, engine: Engine, file: Path | None = None) -> None:
        self.engine = engine
        self._file = file  # SQLite: the database file, whose identity is checked on every use
        self._identity: tuple[int, int] | None = None
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.outbox = Outbox(self._tx)
        self.engineers = EngineerAccounts(self._tx)
        self.attempts = Attempts(self._tx, self.engine.dialect.name)
        self.kcs = KcsRows(self._tx)
        self.history = History(self._tx)  # read back for reports

    @classmethod
    def from_url(cls, url: str) -> Store:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            file = Path(url.removeprefix("sqlite:///")).resolve()
            engine = create_engine(url, connect_args={"timeout": 30})

            @event.listens_for(engine, "connect")
            def _pragmas(dbapi_conn: Any, _: Any) -> None:
                dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
                cursor = dbapi_conn.cursor()
                _set_wal(cursor)
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA busy_timeout=30000")
                cursor.close()

            @event.listens_for(engine, "begin")
            def _begin_immediate(conn: Any) -> None:
                # take the write lock up front: a read that later upgrades to a write fails at once
                # with "database is locked" when another worker writes, instead of waiting its turn
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            return cls(engine, file)
        return cls(create_engine(url, pool_pre_ping=True))

    def create_schema(self) -> None:
        """Bring the schema to the newest migration (safe from every worker at start)."""
        with self._guard():
            migrate.upgrade(self.engine)
        if self._file is not None:
            self._identity = self._file_identity()

    def ping(self) -> None:
        with self._tx() as db:
            db.execute(select(1))

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a lost or refused database connection into ``StoreUnavailableError``."""
        with self._guard():
            yield

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (OperationalError, InterfaceError) as exc:  # refused, lost or closed
            raise StoreUnavailableError(
                f"the database is unavailable: {str(exc.orig).splitlines()[0]}", backend="database"
            ) from exc

    def _file_identity(self) -> tuple[int, int] | None:
        assert self._file is not None
        try:
            st = self._file.stat()
        except FileNotFoundError:
            return None
        return st.st_dev, st.st_ino

    def _check_file(self) -> None:
        """A SQLite file deleted or replaced under a running service would take writes into an
        unlinked file, or split the workers over two databases: refuse instead, until restart."""
        if self._file is None:
            return
        now = self._file_identity()
        if self._identity is None:
            self._identity = now
        elif now != self._identity:
            what = "removed" if now is None else "replaced"
            raise StoreUnavailableError(
                f"the database file was {what} while the service ran; restore it or restart",
                backend="database",
            )

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        self._check_file()
        with self._guard(), self._sessions.begin() as db:
            yield db

    # --- sessions -------------------------------------------------------------------------
    def create_session(
        self,
        session_id: str,
        site_id: str,
        token_hash: str,
        state: dict[str, Any],
        status: str,
        at: datetime,
        events: Sequence[tuple[str, dict[str, Any]]] = (),
    ) -> None:
        with self._tx() as db:
            db.add(
                SessionRow(
                    id=session_id,
                    site_id=site_id,
                    token_hash=token_hash,
                    status=status,
                    state=state,
                    version=1,
                    created_at=at,
                    updated_at=at,
                )
            )
            db.flush()
            for seq, (kind, payload) in enumerate(events, start=1):
                db.add(EventRow(session_id=session_id, seq=seq, at=at, kind=kind, payload=payload))

    def load_session(self, session_id: str) -> StoredSession | None:
        with self._tx() as db:
            row = db.get(SessionRow, session_id)
            if row is None:
                return None
            return StoredSession(
                row.id,
                row.site_id,
                row.token_hash,
                row.status,
                dict(row.state),
                row.version,
                as_utc(row.created_at),
                as_utc(row.updated_at),
            )

    def save_turn(self, turn: SessionTurn) -> int:
        """Write the new state, append the turn's events and store its handoff (with returns and
        outbox entries), atomically; returns the new version. A session that moved on since
        ``expected_version`` raises ``SessionError`` (``session_conflict``) and writes nothing."""
        try:
            with self._tx() as db:
                return self._write_turn(db, turn)
        except IntegrityError as exc:
            raise SessionError("concurrent update; retry", code="session_conflict") from exc

    @classmethod
    def _write_turn(cls, db: Session, turn: SessionTurn) -> int:
        row = db.get(SessionRow, turn.session_id, with_for_update=True)
        if row is None:
            raise SessionError("no such session", code="session_not_found")
        if row.version != turn.expected_version:
            raise SessionError(
                "the conversation moved on in another window; reload it",
                code="session_conflict",
            )
        last = (
            db.scalar(select(func.max(EventRow.seq)).where(EventRow.session_id == turn.session_id))
            or 0
        )
        for offset, (kind, payload) in enumerate(turn.events, start=1):
            db.add(
                EventRow(
                    session_id=turn.session_id,
                    seq=last + offset,
                    at=turn.at,
                    kind=kind,
                    payload=payload,
                )
            )
        row.state, row.status, row.version, row.updated_at = (
            turn.state,
            turn.status,
            row.version + 1,
            turn.at,
        )
        if turn.handoff is not None:
            cls._add_handoff(db, turn.handoff, turn.session_id, turn.at)
        if turn.article_uses:
            handoff_id = turn.handoff.id if turn.handoff is not None else None
            KcsRows.add_uses_in(db, turn.article_uses, turn.session_id, handoff_id, turn.at)
        return row.version

    def events(self, session_id: str, after: int = 0) -> list[StoredEvent]:
        """A session's events, oldest first; only those after sequence number ``after``."""
        with self._tx() as db:
            rows = db.scalars(
                select(EventRow)
                .where(EventRow.session_id == session_id, EventRow.seq > after)
                .order_by(EventRow.seq)
            )
            return [StoredEvent(r.seq, as_utc(r.at), r.kind, dict(r.payload)) for r in rows]

    # --- handoffs ---------------------------------------------------------------------------
    def add_handoff(self, handoff: NewHandoff, at: datetime, session_id: str | None = None) -> None:
        """Store a handoff that no conversation turn opens (imports, tests), in one transaction."""
        with self._tx() as db:
            self._add_handoff(db, handoff, session_id, at)

    @staticmethod
    def _add_handoff(db: Session, h: NewHandoff, session_id: str | None, at: datetime) -> None:
        db.add(
            HandoffRow(
                id=h.id,
                session_id=session_id,
                site_id=h.site_id,
                status="open",
                priority=h.priority,
                category=h.category,
                record=h.record,
                markdown=h.markdown,
                created_at=at,
                updated_at=at,
            )
        )
        db.flush()
        for serial, dispatch, due in h.returns:
            db.add(
                ReturnRow(
                    handoff_id=h.id,
                    site_id=h.site_id,
                    serial=serial,
                    dispatch_date=dispatch,
                    return_due_date=due,
                )
            )
        for sink in h.deliveries:
            db.add(OutboxRow(sink=sink, idempotency_key=h.id, payload=h.record, next_attempt_at=at))

    def handoffs(
        self, status: str | None = None, site_id: str | None = None
    ) -> list[StoredHandoff]:
        with self._tx() as db:
            query = select(HandoffRow).order_by(HandoffRow.priority, HandoffRow.created_at)
            if status:
                query = query.where(HandoffRow.status == status)
            if site_id:
                query = query.where(HandoffRow.site_id == site_id)
            return [_handoff(r) for r in db.scalars(query)]

    def handoff(self, handoff_id: str) -> StoredHandoff | None:
        with self._tx() as db:
            row = db.get(HandoffRow, handoff_id)
            return _handoff(row) if row else None

    def update_handoff(
        self,
        handoff_id: str,
        *,
        allowed: Collection[str],
        status: str,
        at: datetime,
        changes: Mapping[str, str | None] | None = None,
        session_turn: SessionTurn | None = None,
        article: ArticleWrite | None = None,
    ) -> StoredHandoff:
        """Move a handoff from one of the ``allowed`` statuses to ``status``, setting ``changes``
        (``claimed_by``, ``resolution``, ``resolved_by``, ``handed_back_to``), with ``session_turn`` (the chat
        resuming) and ``article`` (a KCS draft or link) in the same transaction, or nothing at all.
        Raises ``StoreError`` for an unknown handoff or a status that does not allow the move."""
        with self._tx() as db:
            if session_turn is not None:
                self._write_turn(db, session_turn)
            if article is not None:
                KcsRows.write_in(db, article)
            row = db.get(HandoffRow, handoff_id, with_for_update=True)
            if row is None:
                raise StoreError(f"no handoff {handoff_id}")
            if row.status not in allowed:
                raise ConflictError(f"handoff {handoff_id} is {row.status.replace('_', ' ')}")
            row.status, row.updated_at = status, at
            for name, value in (changes or {}).items():
                if name not in _HANDOFF_CHANGES:
                    raise StoreError(f"a handoff has no field {name!r} to change")
                setattr(row, name, value)
            return _handoff(row)

    def returns(self, today: date, overdue_only: bool = False) -> list[StoredReturn]:
        with self._tx() as db:
            query = (
                select(ReturnRow)
                .where(ReturnRow.returned_on.is_(None))
                .order_by(ReturnRow.return_due_date)
            )
            if overdue_only:
                query = query.where(ReturnRow.return_due_date < today)
            return [
                StoredReturn(
                    r.handoff_id,
                    r.site_id,
                    r.serial,
                    r.dispatch_date,
                    r.return_due_date,
                    r.returned_on,
                )
                for r in db.scalars(query)
            ]

    # --- customers (accounts shared by every worker) ---------------------------------------
    def replace_customers(
        self, documents: Sequence[tuple[str, dict[str, Any]]], at: datetime
    ) -> int:
        """Replace every stored customer with ``(source, document)`` pairs, in one transaction."""
        with self._tx() as db:
            db.query(CustomerRow).delete()
            for position, (source, doc) in enumerate(documents):
                db.add(
                    CustomerRow(
                        id=doc["id"], position=position, source=source, document=doc, imported_at=at
                    )
                )
        return len(documents)

    def customers(self) -> list[tuple[str, dict[str, Any]]]:
        """The stored customers as ``(source, document)``, in import order."""
        with self._tx() as db:
            rows = db.scalars(select(CustomerRow).order_by(CustomerRow.position)).all()
            return [(row.source, row.document) for row in rows]
