"""Reading the record back for reports: every conversation (and handoff) since a moment.

Rows only, no meaning: the service reads what a conversation was about from its state. Reports
read with one query per table, so they stay cheap next to the turns the service writes.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.tables import HandoffRow, SessionRow, as_utc


@dataclass(frozen=True)
class SessionSummary:
    """A conversation as a report reads it: no token, the state as stored (JSON-ready)."""

    id: str
    site_id: str
    status: str
    state: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class HandoffSummary:
    """A handoff as a report reads it: where, which conversation (if any), the record, when."""

    id: str
    session_id: str | None
    site_id: str
    status: str
    record: dict[str, Any]
    created_at: datetime


class History:
    """Conversations and handoffs, oldest first, optionally from ``since`` on."""

    def __init__(self, tx: Callable[[], AbstractContextManager[Session]]) -> None:
        self._tx = tx

    def sessions(self, since: datetime | None = None) -> list[SessionSummary]:
        with self._tx() as db:
            query = select(SessionRow).order_by(SessionRow.created_at, SessionRow.id)
            if since is not None:
                query = query.where(SessionRow.created_at >= since)
            return [
                SessionSummary(
                    r.id,
                    r.site_id,
                    r.status,
                    dict(r.state),
                    as_utc(r.created_at),
                    as_utc(r.updated_at),
                )
                for r in db.scalars(query)
            ]

    def handoffs(self, since: datetime | None = None) -> list[HandoffSummary]:
        with self._tx() as db:
            query = select(HandoffRow).order_by(HandoffRow.created_at, HandoffRow.id)
            if since is not None:
                query = query.where(HandoffRow.created_at >= since)
            return [
                HandoffSummary(
                    r.id, r.session_id, r.site_id, r.status, dict(r.record), as_utc(r.created_at)
                )
                for r in db.scalars(query)
            ]
