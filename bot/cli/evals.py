"""CLI commands that need the router or several suites: ``route``, ``eval router``, ``eval dialogue``,
``eval all``. Each builds what it needs once, when it runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.support import expected_errors, settings_of

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.dialogue.router import Router


def _router(settings: Settings) -> Router:
    from bot.dialogue.router import Router
    from bot.kb.service import make_embedder
    from bot.service.runtime import load_bundled_flows

    router = Router(load_bundled_flows(settings.paths.flows_dir), make_embedder(settings))
    router.warm_up()
    return router


def route_cmd(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What the user wrote.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Where the router sends TEXT: a flow, a knowledge question, a clarifying choice, or nothing."""
    from bot.cli.flows import route_command

    with expected_errors():
        router = _router(settings_of(ctx))
    route_command(router, text, as_json)


def eval_router_cmd(
    ctx: typer.Context,
    dataset: Annotated[Path, typer.Option(help="JSONL of {id, text, expected}.")] = Path(
        "evals/datasets/router.jsonl"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Router top-1 accuracy on a dataset."""
    from bot.cli.flows import eval_router_command

    with expected_errors():
        router = _router(settings_of(ctx))
    eval_router_command(router, dataset, as_json)


def eval_dialogue_cmd(
    ctx: typer.Context,
    dataset: Annotated[Path, typer.Option(help="JSONL scenarios.")] = Path(
        "evals/datasets/scenarios.jsonl"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Scripted conversations: pass rate and mean turns to an outcome (real router)."""
    from bot.cli.flows import eval_dialogue_command
    from bot.service.runtime import load_bundled_flows

    settings = settings_of(ctx)
    with expected_errors():
        router = _router(settings)
        flows = load_bundled_flows(settings.paths.flows_dir)
    eval_dialogue_command(flows, router, dataset, as_json)


def eval_all_cmd(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Reports folder.")] = Path("evals/reports"),
    quick: Annotated[bool, typer.Option(help="Bundled corpus and dialogue suites only.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the headline figures as JSON.")
    ] = False,
) -> None:
    """Every suite; writes evals/reports/<date>/report.json, report.md and the plots."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TimeElapsedColumn

    from bot.kb.service import make_embedder
    from evals.report import headline, run_all

    settings = settings_of(ctx)
    with (
        expected_errors(),
        Progress(
            SpinnerColumn(), "{task.description}", TimeElapsedColumn(), console=Console(stderr=True)
        ) as progress,
    ):
        task = progress.add_task("loading the model", total=None)
        embedder = make_embedder(settings)
        embedder.warm_up()
        report = run_all(
            settings,
            embedder,
            out,
            quick=quick,
            step=lambda name: progress.update(task, description=name),
        )
    figures = headline(report)
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        typer.echo(f"{key:45s} {value:.4f}")
    typer.echo(f"report: {report['folder']}/report.md")
