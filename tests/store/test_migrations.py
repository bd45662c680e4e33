"""Migrations: the same revisions build, check and tear down the schema on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.config import Settings
from bot.errors import ConfigError, StoreError
from bot.escalation.accounts import load_accounts
from bot.service.runtime import load_runtime_accounts
from bot.store import migrate
from bot.store.store import Store
from bot.store.tables import Base
from tests.pg import fresh_database

REPO = Path(__file__).resolve().parents[2]
TABLES = {
    "sessions", "events", "handoffs", "returns", "outbox", "customers", "engineers",
    "engineer_sessions", "kcs_articles", "kcs_links", "kcs_uses",
}  # fmt: skip


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)],
)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            yield f"sqlite:///{tmp_path / 'assist.db'}"
        else:
            yield stack.enter_context(fresh_database())


def test_upgrade_builds_exactly_the_models_and_downgrade_removes_them(url: str) -> None:
    store = Store.from_url(url)
    assert migrate.current_revision(store.engine) is None
    store.create_schema()
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        assert set(inspect(conn).get_table_names()) >= TABLES
    migrate.downgrade(store.engine, "base")
    with store.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) & TABLES == set()
    store.create_schema()  # and back up again, idempotent afterwards
    store.create_schema()
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    store.engine.dispose()


def test_a_database_made_before_migrations_is_stamped_then_upgraded(url: str) -> None:
    store = Store.from_url(url)
    migrate.upgrade(store.engine, migrate.FIRST_REVISION)  # the tables create_all made then,
    with store.engine.begin() as conn:  # and no record of any migration
        conn.execute(text("DROP TABLE alembic_version"))
    store.create_session("old", "site", "h", {"n": 1}, "active", datetime.now(UTC))
    store.create_schema()
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    loaded = store.load_session("old")
    assert loaded is not None and loaded.state == {"n": 1}, "existing rows survive the upgrade"
    assert store.customers() == []
    store.engine.dispose()


def test_workers_starting_together_migrate_once(url: str) -> None:
    stores = [Store.from_url(url) for _ in range(4)]
    problems: list[BaseException] = []

    def start(store: Store) -> None:
        try:
            store.create_schema()
        except BaseException as exc:
            problems.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert migrate.current_revision(stores[0].engine) == migrate.head_revision()
    for s in stores:
        s.engine.dispose()


def test_accounts_imported_into_the_database_are_the_yaml_accounts(url: str) -> None:
    store = Store.from_url(url)
    store.create_schema()
    settings = Settings(database_url=url, accounts_source="database")
    with pytest.raises(ConfigError, match="assist accounts import"):
        load_runtime_accounts(settings, store)
    files = load_accounts(REPO / "knowledge/accounts")
    docs = [("knowledge/accounts", doc) for doc in files.to_documents()]
    assert store.replace_customers(docs, datetime.now(UTC)) == len(files.customers)
    assert store.replace_customers(docs, datetime.now(UTC)) == len(files.customers)  # replaces
    shared = load_runtime_accounts(settings, store)
    assert shared.customers == files.customers
    site = shared.site_for_code("DEMO-1234")
    assert site is not None and site == files.site_for_code("demo-1234 ")
    store.engine.dispose()


def test_an_unknown_revision_is_one_clear_error(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'assist.db'}")
    with pytest.raises(
        StoreError, match=r"'9999'.*known revisions: 0001, 0002, 0003, 0004, head, base"
    ):
        migrate.upgrade(store.engine, "9999")
    assert migrate.current_revision(store.engine) is None  # nothing applied
    store.engine.dispose()
