"""The ``assist escalation`` and ``assist accounts`` command groups (Typer sub-apps).

Mounted by ``bot.cli`` with ``app.add_typer(escalation_app, name="escalation")`` and
``app.add_typer(accounts_app, name="accounts")``. Expected errors (``AssistError``) become one line
on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.support import expected_errors, settings_of
from bot.errors import EscalationError
from bot.escalation.decision import Category, Decision, RemoteResolution

if TYPE_CHECKING:
    from bot.escalation.calendar import BusinessCalendar

DEFAULT_ACCOUNTS = Path("knowledge/accounts")
DEFAULT_RELEASES = Path("knowledge/releases.yaml")

escalation_app = typer.Typer(help="Contract-aware escalation decisions.", no_args_is_help=True)
accounts_app = typer.Typer(help="Customer accounts, sites and contracts.", no_args_is_help=True)


def parse_site_time(text: str, calendar: BusinessCalendar, option: str) -> datetime:
    """Read an ISO 8601 date and time: without an offset it is site-local, with one (or ``Z``) it
    is converted to the site's zone. Raises ``EscalationError`` naming the option."""
    value = text.strip()
    try:
        if "T" not in value.upper() and " " not in value:
            raise ValueError("no time part")
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise EscalationError(
            f"{option}: '{text}' is not an ISO 8601 date and time "
            "(e.g. 2026-11-24T14:32 for site-local time, or 2026-11-24T19:32:00Z)"
        ) from None
    return calendar.localize(moment)


@escalation_app.command("decide")
def decide_command(
    site: Annotated[str, typer.Option("--site", help="Site id.")],
    asset: Annotated[str, typer.Option("--asset", help="Asset serial number.")],
    category: Annotated[Category, typer.Option("--category", help="Fault category.")],
    determined_at: Annotated[
        str,
        typer.Option(
            "--determined-at",
            help="When the fault was determined (ISO 8601; no offset = site-local time).",
        ),
    ],
    remote_resolution: Annotated[
        RemoteResolution,
        typer.Option("--remote-resolution", help="How remote troubleshooting went."),
    ] = RemoteResolution.NOT_ATTEMPTED,
    unrepairable: Annotated[
        bool, typer.Option("--unrepairable", help="The unit cannot be repaired.")
    ] = False,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Decision time (ISO 8601); default --determined-at."),
    ] = None,
    accounts_dir: Annotated[
        Path, typer.Option("--accounts", help="Folder of accounts YAML files.")
    ] = DEFAULT_ACCOUNTS,
    releases: Annotated[
        Path,
        typer.Option("--releases", help="Release trains YAML (target versions of updates)."),
    ] = DEFAULT_RELEASES,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Decide the route, actions and dates the site's contract gives for a fault."""
    # Imported here so that building the CLI loads no pydantic models or holiday tables.
    from bot.escalation.accounts import load_accounts
    from bot.escalation.calendar import BusinessCalendar
    from bot.escalation.entitlements import decide
    from bot.escalation.releases import load_releases

    with expected_errors():
        accounts = load_accounts(accounts_dir)
        found = accounts.site(site)
        if found is None:
            raise EscalationError(f"unknown site '{site}'")
        calendar = BusinessCalendar.for_site(found)
        determined = parse_site_time(determined_at, calendar, "--determined-at")
        moment = parse_site_time(now, calendar, "--now") if now else determined
        latest: dict[str, str] = {}
        if releases != DEFAULT_RELEASES or releases.is_file():
            latest = load_releases(releases).latest_versions(as_of=moment.date())
        decision = decide(
            accounts,
            site,
            asset,
            category,
            remote_resolution,
            unrepairable,
            determined,
            moment,
            latest_versions=latest,
            calendar=calendar,
        )
    if as_json:
        typer.echo(json.dumps(decision.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_decision(decision)


def _print_decision(decision: Decision) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Escalation for {decision.site_id} / {decision.serial}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("entitled", "yes" if decision.entitled else "no")
    table.add_row("tier", decision.tier.label if decision.tier else "-")
    table.add_row("route", decision.route.value)
    table.add_row("callback at", decision.callback_at.isoformat() if decision.callback_at else "-")
    for action in decision.actions:
        dates = ", ".join(f"{k.removesuffix('_date')} {v}" for k, v in action.dates().items())
        target = f" -> {action.target_version}" if action.target_version else ""
        table.add_row(f"action: {action.kind.value}", (dates or "-") + target)
    table.add_row(
        "site representative", "required" if decision.site_representative_required else "-"
    )
    console.print(table)
    for reason in decision.reasons:
        console.print(f"- {reason}", highlight=False, markup=False)


@accounts_app.command("check")
def check_command(
    directory: Annotated[
        Path, typer.Argument(help="Folder of accounts YAML files.")
    ] = DEFAULT_ACCOUNTS,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Validate every *.yaml in the folder; print counts, or the first error with file and line."""
    from bot.escalation.accounts import load_accounts

    with expected_errors():
        counts = load_accounts(directory).summary()
    if as_json:
        typer.echo(json.dumps({"ok": True, **counts}))
        return
    typer.echo(
        f"ok: {counts['files']} files, {counts['customers']} customers, "
        f"{counts['contracts']} contracts, {counts['sites']} sites, {counts['assets']} assets, "
        f"{counts['countries']} countries, {counts['timezones']} time zones"
    )


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: read aloud without mistakes


def new_access_code() -> str:
    """65 random bits as 13 Crockford base-32 characters, grouped for reading: XXXX-XXXX-XXXXX."""
    chars = "".join(secrets.choice(CROCKFORD) for _ in range(13))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


@accounts_app.command("rotate-code")
def rotate_code_command(
    ctx: typer.Context,
    site_id: Annotated[str, typer.Argument(help="The site whose access code is replaced.")],
    directory: Annotated[
        Path, typer.Option("--dir", help="Folder of accounts YAML files.")
    ] = DEFAULT_ACCOUNTS,
) -> None:
    """Give SITE a new random access code (65 bits): printed once, only its keyed hash
    (ASSIST_SERVER__ACCESS_CODE_KEY) is written to the site's YAML. The old code stops working
    once the workers reload the accounts (restart; with ASSIST_ACCOUNTS_SOURCE=database, run
    assist accounts import first)."""
    from bot.escalation.accounts import hash_access_code, load_accounts

    settings = settings_of(ctx)
    key = settings.server.access_code_key.get_secret_value()
    with expected_errors():
        accounts = load_accounts(directory, code_key=key)
    if accounts.site(site_id) is None:
        typer.echo(f"error: no site {site_id!r} in {directory}", err=True)
        raise typer.Exit(1)
    code = new_access_code()
    hashed = hash_access_code(code, key)
    for path in sorted(Path(directory).glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        changed = _replace_code_line(lines, site_id, hashed)
        if changed:
            path.write_text("".join(lines), encoding="utf-8")
            with expected_errors():
                load_accounts(directory, code_key=key)  # the file still validates
            typer.echo(f"New access code for {site_id}: {code}")
            typer.echo("It is shown once; give it to the site. Only its hash is stored.")
            return
    typer.echo(f"error: no access_code line found for site {site_id!r}", err=True)
    raise typer.Exit(1)


def _replace_code_line(lines: list[str], site_id: str, hashed: str) -> bool:
    """In the block of ``- id: SITE``, replace its ``access_code`` or ``access_code_hash`` line
    (keeping the file's comments and layout)."""
    start = next(
        (i for i, line in enumerate(lines) if line.strip().strip("-").strip() in
         (f"id: {site_id}", f'id: "{site_id}"', f"id: '{site_id}'")),
        None,
    )  # fmt: skip
    if start is None:
        return False
    indent = len(lines[start]) - len(lines[start].lstrip(" -"))
    for i in range(start + 1, len(lines)):
        body = lines[i].lstrip(" ")
        own = len(lines[i]) - len(lines[i].lstrip(" -"))
        if lines[i].lstrip(" ").startswith("- ") and own <= indent:
            return False  # the next site: this one had no code line
        if body.startswith(("access_code:", "access_code_hash:")):
            pad = lines[i][: len(lines[i]) - len(body)]
            lines[i] = f'{pad}access_code_hash: "{hashed}"\n'
            return True
    return False
