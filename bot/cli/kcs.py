"""``assist kcs``: the KCS articles learned from engineers' resolutions: list, show, publish
(into the knowledge base, all or nothing) and reject. Listing and showing open only the
database; publishing and rejecting a published article also open the index and the model."""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.support import expected_errors, settings_of

if TYPE_CHECKING:
    from bot.service.kcs import KnowledgeArticles
    from bot.service.kcs_views import ArticleView

kcs_app = typer.Typer(
    help="KCS articles learned from engineers' resolutions (review and publish).",
    no_args_is_help=True,
)
STATUSES = ("draft", "published", "rejected")


def _articles(ctx: typer.Context) -> KnowledgeArticles:
    """The article desk on the configured database, index and model (the model loads only when
    an article is written into the index)."""
    from bot.kb.embedder import QueryCache
    from bot.kb.service import KnowledgeBase, make_embedder
    from bot.service.kcs import KnowledgeArticles
    from bot.service.kcs_index import KcsIndex
    from bot.service.kcs_rules import load_catalogue, load_policy
    from bot.service.runtime import load_runtime_accounts
    from bot.store.store import Store

    settings = settings_of(ctx)
    store = Store.from_url(settings.db_url)
    store.create_schema()
    accounts = load_runtime_accounts(settings, store)
    embedder = QueryCache(make_embedder(settings))
    opened: list[KnowledgeBase] = []

    def kb() -> KnowledgeBase:
        if not opened:
            opened.append(KnowledgeBase.from_settings(settings, embedder=embedder))
        return opened[0]

    return KnowledgeArticles(
        rows=store.kcs,
        desk=None,
        catalogue=load_catalogue(settings.paths.releases_file, accounts),
        policy=load_policy(settings.paths.kcs_file),
        index=KcsIndex(settings.kcs_dir, kb, max_file_bytes=settings.index.max_file_bytes),
        embedder=embedder,
    )


def _reviewer(by: str | None) -> Any:
    from bot.service.identity import Engineer

    name = by or getpass.getuser()
    return Engineer(f"cli:{name}", name, "", "admin")


def as_json(view: ArticleView) -> dict[str, Any]:
    f, c = view.fields, view.counts
    return {
        "id": view.id,
        "status": view.status,
        "title": f.title,
        "product": f.product,
        "model": f.model,
        "firmware_from": f.firmware_from,
        "firmware_to": f.firmware_to,
        "versions": list(view.versions),
        "symptom": f.symptom,
        "cause": f.cause,
        "fix": list(f.fix),
        "customer_safe": f.customer_safe,
        "audience": "customer" if f.customer_safe else "engineer",
        "revision": view.revision,
        "created_by": view.created_by,
        "created_at": view.created_at.isoformat(),
        "reviewed_by": view.reviewed_by,
        "reviewed_at": view.reviewed_at.isoformat() if view.reviewed_at else None,
        "rejected_reason": view.rejected_reason,
        "source": view.source,
        "flagged": view.flagged,
        "flag_reason": view.flag_reason,
        "handoffs": [link.handoff_id for link in view.handoffs],
        "counts": {
            "used": c.used,
            "offered": c.offered,
            "suggested": c.suggested,
            "resolved": c.resolved,
            "failed": c.failed,
            "handed_off": c.handed_off,
            "linked": c.linked,
        },
    }


@kcs_app.command("list")
def list_command(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="draft (to review), published or rejected.")
    ] = None,
    as_json_flag: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Articles newest first, with their counters and review flags."""
    if status not in (None, *STATUSES):
        typer.echo(f"error: status must be draft, published or rejected, not {status!r}", err=True)
        raise typer.Exit(2)
    with expected_errors():
        views = _articles(ctx).views(status)
    if as_json_flag:
        typer.echo(json.dumps([as_json(v) for v in views], indent=2, ensure_ascii=False))
        return
    table = Table(
        "id", "status", "product / model", "firmware", "title", "used", "worked", "failed"
    )
    for v in views:
        f, c = v.fields, v.counts
        status_text = v.status + (" (flagged)" if v.flagged else "")
        span = f"{f.firmware_from or '…'}–{f.firmware_to or '…'}"
        where = f"{f.product} / {f.model or 'any'}"
        row = (v.id, status_text, where, span, f.title, str(c.used), str(c.resolved), str(c.failed))
        table.add_row(*row)
    Console(width=160).print(table)
    typer.echo(f"{len(views)} articles")


@kcs_app.command("show")
def show_command(
    ctx: typer.Context,
    article: Annotated[str, typer.Argument(help="The article id (KCS-0007) or number.")],
    as_json_flag: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One article: environment, symptom, cause, fix, linked handoffs and counters."""
    with expected_errors():
        view = _articles(ctx).view(article)
    data = as_json(view)
    if as_json_flag:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    f = view.fields
    typer.echo(f"{view.id} [{view.status}] {f.title}")
    typer.echo(f"  environment: {f.product}, model {f.model or 'any'}, firmware "
               f"{f.firmware_from or '…'} to {f.firmware_to or '…'} ({', '.join(view.versions) or 'any'})")  # fmt: skip
    typer.echo(f"  audience:    {data['audience']}")
    typer.echo(f"  symptom:     {f.symptom}")
    typer.echo(f"  cause:       {f.cause}")
    for n, step in enumerate(f.fix, 1):
        typer.echo(f"  fix {n}:       {step}")
    typer.echo(f"  handoffs:    {', '.join(data['handoffs']) or 'none'}")
    typer.echo(f"  counts:      {json.dumps(data['counts'])}")
    if view.reviewed_at:
        typer.echo(f"  reviewed:    {view.reviewed_at:%Y-%m-%d} by {view.reviewed_by}")
    if view.flagged:
        typer.echo(f"  flagged:     {view.flag_reason}")
    if view.rejected_reason:
        typer.echo(f"  rejected:    {view.rejected_reason}")


@kcs_app.command("publish")
def publish_command(
    ctx: typer.Context,
    article: Annotated[str, typer.Argument(help="The draft's id (KCS-0007) or number.")],
    by: Annotated[str | None, typer.Option(help="Reviewer's name (default: your login).")] = None,
) -> None:
    """Check a draft, write it into the knowledge base and mark it published (all or nothing)."""
    with expected_errors():
        view = _articles(ctx).publish(article, _reviewer(by))
    typer.echo(f"ok: {view.id} published as {view.source} ({view.fields.title})")


@kcs_app.command("reject")
def reject_command(
    ctx: typer.Context,
    article: Annotated[str, typer.Argument(help="The article's id (KCS-0007) or number.")],
    why: Annotated[str, typer.Option("--why", help="Why it is rejected (required).")],
    by: Annotated[str | None, typer.Option(help="Reviewer's name (default: your login).")] = None,
) -> None:
    """Reject a draft, or withdraw a published article from the knowledge base."""
    with expected_errors():
        view = _articles(ctx).reject(article, _reviewer(by), why)
    typer.echo(f"ok: {view.id} rejected ({view.rejected_reason})")
