"""The outbox: one entry per handoff and sink, written with the handoff's turn, delivered later.

Entries are leased when taken (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so two workers never
deliver the same one at once and an entry whose worker died is due again when its lease ends.
When the last attempt fails the entry becomes a dead letter (``dead_at``) until it is retried by
hand. The retry schedule is the caller's: the store keeps what it is told.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.tables import OutboxRow, as_utc

Status = Literal["pending", "delivered", "dead"]


def _utc(dt: datetime | None) -> datetime | None:
    return None if dt is None else as_utc(dt)


@dataclass(frozen=True)
class Delivery:
    """One outbox entry: which sink, the idempotency key (the handoff id), the payload."""

    id: int
    sink: str
    key: str
    payload: dict[str, Any]
    attempts: int
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    dead_at: datetime | None = None

    @property
    def status(self) -> Status:
        if self.delivered_at is not None:
            return "delivered"
        return "dead" if self.dead_at is not None else "pending"


def _delivery(row: OutboxRow) -> Delivery:
    return Delivery(
        row.id,
        row.sink,
        row.idempotency_key,
        dict(row.payload),
        row.attempts,
        row.last_error,
        _utc(row.next_attempt_at),
        _utc(row.delivered_at),
        _utc(row.dead_at),
    )


class Outbox:
    """Due entries (leased), their results, and the dead letters."""

    def __init__(self, tx: Callable[[], AbstractContextManager[Session]]) -> None:
        self._tx = tx

    def due(
        self, now: datetime, limit: int = 50, lease: timedelta = timedelta(seconds=60)
    ) -> list[Delivery]:
        """Take up to ``limit`` due entries for ``lease``: another worker asking meanwhile gets
        other entries, and an entry whose worker died is due again once the lease ends."""
        with self._tx() as db:
            rows = db.scalars(
                select(OutboxRow)
                .where(
                    OutboxRow.delivered_at.is_(None),
                    OutboxRow.dead_at.is_(None),
                    OutboxRow.next_attempt_at <= now,
                )
                .order_by(OutboxRow.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                row.next_attempt_at = now + lease
            return [_delivery(r) for r in rows]

    def delivered(self, entry_id: int, at: datetime) -> None:
        with self._tx() as db:
            row = db.get(OutboxRow, entry_id)
            if row is not None:
                row.delivered_at, row.attempts = at, row.attempts + 1

    def failed(self, entry_id: int, at: datetime, error: str, retry_at: datetime | None) -> None:
        """Count a failed attempt; retry at ``retry_at``, or give up (a dead letter) when None."""
        with self._tx() as db:
            row = db.get(OutboxRow, entry_id)
            if row is None:
                return
            row.attempts += 1
            row.last_error = error[:500]
            if retry_at is None:
                row.dead_at = at
            else:
                row.next_attempt_at = retry_at

    def entries(self, status: Status | None = None, limit: int = 200) -> list[Delivery]:
        """The newest entries, optionally of one status."""
        with self._tx() as db:
            query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
            if status == "delivered":
                query = query.where(OutboxRow.delivered_at.is_not(None))
            elif status == "dead":
                query = query.where(OutboxRow.dead_at.is_not(None))
            elif status == "pending":
                query = query.where(OutboxRow.delivered_at.is_(None), OutboxRow.dead_at.is_(None))
            return [_delivery(r) for r in db.scalars(query)]

    def retry(self, ids: Sequence[int], now: datetime) -> int:
        """Make dead letters (or any undelivered entries among ``ids``) due now; the count."""
        with self._tx() as db:
            rows = db.scalars(
                select(OutboxRow).where(OutboxRow.id.in_(ids), OutboxRow.delivered_at.is_(None))
            ).all()
            for row in rows:
                row.dead_at, row.next_attempt_at = None, now
            return len(rows)
