"""Engineers and their sign-in sessions, as rows: hashes only (the password's argon2 hash, the
session token's SHA-256); checking them is the service's job."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import ConflictError
from bot.store.tables import EngineerRow, EngineerSessionRow, as_utc


@dataclass(frozen=True)
class StoredEngineer:
    id: str
    name: str
    email: str
    role: str
    password_hash: str
    active: bool


@dataclass(frozen=True)
class StoredEngineerSession:
    token_hash: str
    engineer_id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


def _engineer(row: EngineerRow) -> StoredEngineer:
    return StoredEngineer(row.id, row.name, row.email, row.role, row.password_hash, row.active)


class EngineerAccounts:
    """Engineers and their sessions."""

    def __init__(self, tx: Callable[[], AbstractContextManager[Session]]) -> None:
        self._tx = tx

    def add(self, engineer: StoredEngineer, at: datetime) -> None:
        """Store a new engineer; an id or e-mail already used raises ``ConflictError``."""
        try:
            with self._tx() as db:
                db.add(
                    EngineerRow(
                        id=engineer.id,
                        name=engineer.name,
                        email=engineer.email,
                        role=engineer.role,
                        password_hash=engineer.password_hash,
                        active=engineer.active,
                        created_at=at,
                    )
                )
        except IntegrityError:
            raise ConflictError(f"an engineer {engineer.id} or {engineer.email} exists") from None

    def all(self) -> list[StoredEngineer]:
        with self._tx() as db:
            return [
                _engineer(r) for r in db.scalars(select(EngineerRow).order_by(EngineerRow.name))
            ]

    def by_id(self, engineer_id: str) -> StoredEngineer | None:
        with self._tx() as db:
            row = db.get(EngineerRow, engineer_id)
            return _engineer(row) if row else None

    def by_email(self, email: str) -> StoredEngineer | None:
        with self._tx() as db:
            row = db.scalars(select(EngineerRow).where(EngineerRow.email == email.lower())).first()
            return _engineer(row) if row else None

    def set_password(self, engineer_id: str, password_hash: str) -> None:
        with self._tx() as db:
            row = db.get(EngineerRow, engineer_id)
            if row is not None:
                row.password_hash = password_hash

    def open_session(
        self, token_hash: str, engineer_id: str, now: datetime, expires_at: datetime
    ) -> None:
        with self._tx() as db:
            db.add(
                EngineerSessionRow(
                    token_hash=token_hash,
                    engineer_id=engineer_id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires_at,
                )
            )

    def session(self, token_hash: str) -> StoredEngineerSession | None:
        with self._tx() as db:
            row = db.get(EngineerSessionRow, token_hash)
            if row is None:
                return None
            return StoredEngineerSession(
                row.token_hash,
                row.engineer_id,
                as_utc(row.created_at),
                as_utc(row.last_seen_at),
                as_utc(row.expires_at),
            )

    def touch(self, token_hash: str, at: datetime) -> None:
        with self._tx() as db:
            row = db.get(EngineerSessionRow, token_hash)
            if row is not None:
                row.last_seen_at = at

    def close_session(self, token_hash: str) -> None:
        with self._tx() as db:
            db.execute(
                delete(EngineerSessionRow).where(EngineerSessionRow.token_hash == token_hash)
            )
