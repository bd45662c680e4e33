"""What several workers share safely: one count of failed attempts, one database file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service.limits import SharedLimiter
from bot.store.store import Store
from tests.pg import fresh_database


def _check(url: str) -> None:
    clock = [1_000_000.0]
    stores = [Store.from_url(url) for _ in range(2)]  # two workers
    stores[0].create_schema()
    try:
        _guess(
            *[SharedLimiter(s.attempts, "code", 10, 60.0, clock=lambda: clock[0]) for s in stores],
            clock,
        )
    finally:
        for store in stores:
            store.engine.dispose()


def _guess(a: SharedLimiter, b: SharedLimiter, clock: list[float]) -> None:
    for n in range(10):
        (a if n % 2 else b).hit("203.0.113.9")  # a guesser spread over both workers
    assert a.blocked("203.0.113.9") and b.blocked("203.0.113.9")
    assert not a.blocked("198.51.100.1")  # another address is not
    clock[0] += 60
    assert b.blocked("203.0.113.9")  # the previous window still counts
    clock[0] += 60
    assert not a.blocked("203.0.113.9") and not b.blocked("203.0.113.9")
    a.hit("x")  # sweeps windows two or more behind
    assert a.attempts.count("code", "203.0.113.9", 0) == 0


def test_sqlite_workers_share_one_count(tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path / 'assist.db'}")


@pytest.mark.integration
def test_postgresql_workers_share_one_count() -> None:
    with fresh_database() as url:
        _check(url)


def test_a_sqlite_file_removed_or_replaced_is_refused_not_written_silently(tmp_path: Path) -> None:
    from bot.errors import StoreUnavailableError

    path = tmp_path / "assist.db"
    store = Store.from_url(f"sqlite:///{path}")
    store.create_schema()
    store.ping()
    path.unlink()
    with pytest.raises(StoreUnavailableError, match="removed"):
        store.ping()
    with pytest.raises(StoreUnavailableError, match="removed"):
        store.attempts.add("code", "x", 1)  # writes too
    again = Store.from_url(f"sqlite:///{path}")  # a restarted worker makes a new file
    again.create_schema()
    with pytest.raises(StoreUnavailableError, match="replaced"):
        store.ping()  # the old worker does not split the data over two files
    again.ping()
    for s in (store, again):
        s.engine.dispose()
