"""``assist engineers`` (who may sign in to the workspace) and ``assist outbox`` (handoff
notifications: what was delivered, what is waiting, the dead letters, and a retry)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.support import expected_errors, settings_of

if TYPE_CHECKING:
    from bot.store.store import Store

engineers_app = typer.Typer(help="Engineers who sign in to the workspace.", no_args_is_help=True)
outbox_app = typer.Typer(
    help="Handoff notifications to the configured sinks (JSONL, webhooks).", no_args_is_help=True
)


def _store(ctx: typer.Context) -> Store:
    from bot.store.store import Store

    store = Store.from_url(settings_of(ctx).db_url)
    store.create_schema()
    return store


@engineers_app.command("add")
def engineers_add_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name, shown to site users.")],
    email: Annotated[str, typer.Argument(help="E-mail address to sign in with.")],
    role: Annotated[str, typer.Option(help="engineer or admin.")] = "engineer",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="ASSIST_NEW_ENGINEER_PASSWORD",
            help="Asked for when not given (or from ASSIST_NEW_ENGINEER_PASSWORD).",
        ),
    ] = "",
) -> None:
    """Add an engineer; only the argon2 hash of the password is stored."""
    from bot.service.identity import EngineerAuth

    if role not in ("engineer", "admin"):
        typer.echo(f"error: role must be engineer or admin, not {role!r}", err=True)
        raise typer.Exit(2)
    with expected_errors():
        engineer = EngineerAuth(_store(ctx)).add(name, email, role, password)  # type: ignore[arg-type]
    typer.echo(f"ok: {engineer.name} <{engineer.email}> ({engineer.role}) as {engineer.id}")


@engineers_app.command("list")
def engineers_list_command(ctx: typer.Context) -> None:
    """Everyone who can sign in."""
    from bot.service.identity import EngineerAuth

    with expected_errors():
        engineers = EngineerAuth(_store(ctx)).all()
    table = Table("id", "name", "e-mail", "role")
    for e in engineers:
        table.add_row(e.id, e.name, e.email, e.role)
    Console().print(table)


@outbox_app.command("list")
def outbox_list_command(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="pending, delivered or dead (the dead letters).")
    ] = None,
) -> None:
    """The newest 200 deliveries, with attempts and the last error."""
    if status not in (None, "pending", "delivered", "dead"):
        typer.echo(f"error: status must be pending, delivered or dead, not {status!r}", err=True)
        raise typer.Exit(2)
    with expected_errors():
        entries = _store(ctx).outbox.entries(status)  # type: ignore[arg-type]
    table = Table("id", "handoff", "sink", "status", "attempts", "next attempt", "last error")
    for d in entries:
        when = f"{d.next_attempt_at:%Y-%m-%d %H:%M:%S}" if d.next_attempt_at else ""
        table.add_row(str(d.id), d.key, d.sink, d.status, str(d.attempts), when, d.last_error or "")
    Console(width=160).print(table)
    typer.echo(f"{len(entries)} entries")


@outbox_app.command("retry")
def outbox_retry_command(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None, typer.Argument(help="Entry ids (see `assist outbox list`).")
    ] = None,
    dead: Annotated[bool, typer.Option("--dead", help="Every dead letter.")] = False,
) -> None:
    """Make dead letters due again; the workers' delivery loops send them within seconds."""
    with expected_errors():
        store = _store(ctx)
        chosen = list(ids or [])
        if dead:
            chosen += [d.id for d in store.outbox.entries("dead", limit=10_000)]
        if not chosen:
            typer.echo("error: give entry ids or --dead", err=True)
            raise typer.Exit(2)
        count = store.outbox.retry(chosen, datetime.now(UTC))
    typer.echo(f"ok: {count} of {len(chosen)} entries due again")
