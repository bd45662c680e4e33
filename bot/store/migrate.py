"""Schema migrations (Alembic), run on SQLite and PostgreSQL alike.

``upgrade`` brings a database to the newest revision and is safe to call from every worker at
start: on PostgreSQL an advisory lock lets one worker migrate while the others wait; on SQLite the
store's ``BEGIN IMMEDIATE`` does the same. A database made before migrations existed (tables, no
``alembic_version``) is stamped at the first revision, then upgraded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, text

from bot.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
FIRST_REVISION = "0001"
_LOCK_ID = 0x41535354  # "ASST": one advisory lock for every worker of this application


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _LOCK_ID})
            conn.commit()
        try:
            yield conn
        finally:
            if conn.dialect.name == "postgresql":
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _LOCK_ID})
                conn.commit()


@contextmanager
def _known_revisions() -> Iterator[None]:
    """An unknown revision becomes one ``StoreError`` listing the known ones."""
    try:
        yield
    except CommandError as exc:
        known = [s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()]
        raise StoreError(
            f"{exc}; known revisions: {', '.join(sorted(known))}, head, base"
        ) from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest)."""
    with _known_revisions(), _migration_lock(engine) as conn:
        config = alembic_config(conn)
        tables = set(inspect(conn).get_table_names())
        if "sessions" in tables and "alembic_version" not in tables:
            command.stamp(config, FIRST_REVISION)
        command.upgrade(config, revision)
        conn.commit()


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` ("base" drops every table)."""
    with _known_revisions(), _migration_lock(engine) as conn:
        command.downgrade(alembic_config(conn), revision)
        conn.commit()
