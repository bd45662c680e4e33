"""``assist report``: how often the assistant really solved the problem (``resolution``) and
what the knowledge base could not answer (``gaps``). Both read the database of the settings;
the model loads only when there are questions to group."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.support import expected_errors, settings_of

if TYPE_CHECKING:
    from bot.service.content_gaps import ContentGap
    from bot.service.resolution import ResolutionReports

report_app = typer.Typer(
    help="Reports over the stored conversations (resolution, content gaps).", no_args_is_help=True
)
_COLUMNS = (
    ("conversations", "conv."),
    ("contained", "contained"),
    ("repeat_contacts", "repeat"),
    ("handed_off", "handed off"),
    ("unresolved", "unresolved"),
    ("abstained_questions", "abstained"),
    ("containment_rate", "containment"),
    ("reported_resolution_rate", "said fixed"),
    ("articles_created", "articles +"),
    ("article_uses", "article uses"),
)


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        typer.echo(f"error: {option} takes an ISO date or date and time, not {text!r}", err=True)
        raise typer.Exit(2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _reports(ctx: typer.Context) -> ResolutionReports:
    from bot.kb.service import make_embedder
    from bot.service.resolution import ResolutionReports, stored_article_counts
    from bot.store.store import Store

    settings = settings_of(ctx)
    store = Store.from_url(settings.db_url)
    store.create_schema()
    return ResolutionReports(
        store,
        make_embedder(settings),
        settings=settings.reports,
        articles=stored_article_counts(store, settings.paths.kcs_file),
    )


def _table(title: str, key: str, rows: list[dict[str, Any]]) -> Table:
    """The rows as a table; a column none of them has (articles per flow) is left out."""
    columns = [(name, label) for name, label in _COLUMNS if any(name in row for row in rows)]
    table = Table(title=title, title_justify="left")
    table.add_column(key)
    for _, label in columns:
        table.add_column(label, justify="right")
    for row in rows:
        cells = [
            f"{row[name]:.0%}" if name.endswith("_rate") else str(row[name]) for name, _ in columns
        ]
        table.add_row(str(row[key]), *cells)
    return table


def _print_gaps(console: Console, gaps: list[dict[str, Any]] | list[ContentGap]) -> None:
    rows = [g if isinstance(g, dict) else g.to_json() for g in gaps]
    if not rows:
        console.print("content gaps: none (no unanswered questions)")
        return
    table = Table(title="Content gaps (unanswered questions, biggest first)", title_justify="left")
    for column in ("asked", "shared words", "examples"):
        table.add_column(column, justify="right" if column == "asked" else "left")
    for g in rows:
        table.add_row(str(g["size"]), ", ".join(g["terms"]), "\n".join(g["examples"]))
    console.print(table)


@report_app.command("resolution")
def resolution_command(
    ctx: typer.Context,
    days: Annotated[
        int | None,
        typer.Option(
            min=1, help="Repeat window in days (default ASSIST_REPORTS__REPEAT_WINDOW_DAYS, 7)."
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only conversations started from this ISO date on.")
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(help="The report's moment (ISO; default now): decides what is provisional."),
    ] = None,
    gaps: Annotated[
        bool, typer.Option("--gaps/--no-gaps", help="Group unanswered questions (loads the model).")
    ] = True,
    details: Annotated[
        bool, typer.Option("--details", help="Also each conversation's outcome (JSON).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Conversations, contained, repeat contacts, handed off and abstained questions, by flow and
    by week; contained = ended resolved, no handoff, and no new fault contact about the same
    site and device within the window."""
    moment = _moment(now, "--now") or datetime.now(UTC)
    with expected_errors():
        report = _reports(ctx).report(
            moment, days=days, since=_moment(since, "--since"), with_gaps=gaps
        )
    data = report.to_json(details=details)
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    console = Console()
    console.print(f"[bold]Resolution report[/bold] as of {data['generated_at']}")
    console.print(data["definition"])
    console.print(_table("Totals", "all", [{"all": "all", **data["totals"]}]))
    console.print(_table("By flow", "flow_id", data["by_flow"]))
    console.print(_table("By week (ISO, UTC)", "week", data["by_week"]))
    _print_gaps(console, data["content_gaps"])
    articles = data["articles"]
    if articles["available"]:
        console.print(f"articles: {articles['created']} created, {articles['used']} uses")
    for note in data["notes"]:
        console.print(f"note: {note}")


@report_app.command("gaps")
def gaps_command(
    ctx: typer.Context,
    questions: Annotated[
        Path | None,
        typer.Option(
            help="JSONL with a `question` field (an eval set): group those the knowledge base "
            "abstains on. Default: the unanswered questions in the database."
        ),
    ] = None,
    index: Annotated[Path | None, typer.Option(help="Index folder (with --questions).")] = None,
    top: Annotated[int | None, typer.Option(min=1, help="Gaps shown.")] = None,
    threshold: Annotated[
        float | None, typer.Option(min=0.01, max=1.0, help="Mean cosine similarity of a gap.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Content gaps: the questions the assistant could not answer, grouped by meaning."""
    from bot.jsonl import read_jsonl
    from bot.kb.service import KnowledgeBase
    from bot.service.resolution import unanswered

    settings = settings_of(ctx)
    with expected_errors():
        reports = _reports(ctx)
        changes = {"gap_clusters": top, "gap_similarity": threshold}
        reports.settings = reports.settings.model_copy(
            update={k: v for k, v in changes.items() if v is not None}
        )
        if questions is not None:
            asked = [str(row["question"]) for row in read_jsonl(questions, ("question",))]
            kb = KnowledgeBase.from_settings(settings, index, reports.embedder)
            left = unanswered(kb, asked)
            source = f"{questions}: {len(left)} of {len(asked)} questions unanswered"
        else:
            conversations, _ = reports.facts()
            left = [q for c in conversations for q in c.abstained]
            source = f"database: {len(left)} unanswered questions"
        found = reports.gaps(left)
    if as_json:
        data = {"source": source, "questions": len(left), "gaps": [g.to_json() for g in found]}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    console = Console()
    console.print(source)
    _print_gaps(console, found)
