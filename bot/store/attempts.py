"""Failed attempts counted in the database, so every worker and host shares one count."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.store.tables import AttemptRow


class Attempts:
    def __init__(self, tx: Callable[[], AbstractContextManager[Session]], dialect: str) -> None:
        self._tx = tx
        self._insert = pg_insert if dialect == "postgresql" else sqlite_insert

    def add(self, scope: str, key: str, window: int) -> None:
        """Count one attempt in ``window``; windows two or more behind are swept."""
        row = {"scope": scope, "key": key[:200], "window": window, "count": 1}
        statement = self._insert(AttemptRow).values(**row)
        statement = statement.on_conflict_do_update(
            index_elements=["scope", "key", "window"], set_={"count": AttemptRow.count + 1}
        )
        with self._tx() as db:
            db.execute(statement)
            db.execute(delete(AttemptRow).where(AttemptRow.window < window - 1))

    def count(self, scope: str, key: str, since_window: int) -> int:
        """Attempts of ``key`` in ``since_window`` and later."""
        with self._tx() as db:
            total = db.scalar(
                select(func.coalesce(func.sum(AttemptRow.count), 0)).where(
                    AttemptRow.scope == scope,
                    AttemptRow.key == key[:200],
                    AttemptRow.window >= since_window,
                )
            )
        return int(total or 0)
