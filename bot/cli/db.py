"""``assist db`` (migrations) and ``assist accounts import`` (accounts into the shared database)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.support import expected_errors, settings_of

db_app = typer.Typer(
    help="The database: sessions, events, handoffs, accounts.", no_args_is_help=True
)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@db_app.command("upgrade")
def upgrade_command(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    from bot.store import migrate
    from bot.store.store import Store

    settings = settings_of(ctx)
    with expected_errors():
        store = Store.from_url(settings.db_url)
        with store.guard():
            migrate.upgrade(store.engine, revision)
            now = migrate.current_revision(store.engine)
    typer.echo(f"ok: {_redacted(settings.db_url)} at revision {now}")


@db_app.command("current")
def current_command(ctx: typer.Context) -> None:
    """Print the database's revision and the newest one; exit 1 if they differ."""
    from bot.store import migrate
    from bot.store.store import Store

    settings = settings_of(ctx)
    with expected_errors():
        store = Store.from_url(settings.db_url)
        with store.guard():
            now = migrate.current_revision(store.engine)
    head = migrate.head_revision()
    typer.echo(f"{_redacted(settings.db_url)}: revision {now or 'none'} (newest {head})")
    if now != head:
        raise typer.Exit(1)


def import_accounts_command(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder of accounts YAML files.")] = Path(
        "knowledge/accounts"
    ),
) -> None:
    """Validate the YAML folder and replace the database's accounts with it, in one transaction
    (for ASSIST_ACCOUNTS_SOURCE=database; workers read them when they start)."""
    from bot.escalation.accounts import load_accounts
    from bot.store.store import Store

    settings = settings_of(ctx)
    with expected_errors():
        accounts = load_accounts(
            directory,
            code_key=settings.server.access_code_key.get_secret_value(),
            strong_codes=settings.environment == "production",
        )
        store = Store.from_url(settings.db_url)
        store.create_schema()
        count = store.replace_customers(
            [(str(directory), doc) for doc in accounts.to_documents()], datetime.now(UTC)
        )
    counts = accounts.summary()
    typer.echo(
        f"ok: {count} customers, {counts['sites']} sites, {counts['assets']} assets "
        f"imported into {_redacted(settings.db_url)}"
    )
