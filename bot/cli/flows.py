"""CLI pieces for flows and the router, mounted by ``bot.cli``.

- ``flows_app``: ``assist flows check [DIR]`` and ``assist flows graph FLOW [--dir DIR]``.
- ``route_command(router, text, as_json)``: ``assist route TEXT [--json]``.
- ``eval_router_command(router, dataset, as_json)``: ``assist eval router --dataset FILE [--json]``.
- ``eval_dialogue_command(flows, router, dataset, as_json)``: ``assist eval dialogue``.

Expected problems (a missing folder, a malformed dataset, a flow that does not load) become one line on
stderr and exit code 1; the library raises, only this edge prints.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from bot.dialogue.datasets import read_jsonl
from bot.dialogue.graph import to_mermaid
from bot.dialogue.loader import load_flows
from bot.dialogue.router import Router
from bot.dialogue.scenarios import RouterLike, load_scenarios, run_scenarios
from bot.dialogue.schema import Flow
from bot.errors import AssistError

DEFAULT_FLOWS_DIR = Path("knowledge/flows")

flows_app = typer.Typer(help="Check and draw fault-isolation flows.", no_args_is_help=True)


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on stderr (one line) and return the exit to raise."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(code=1)


@flows_app.command("check")
def check_command(
    directory: Annotated[
        Path, typer.Argument(help="Folder of flow YAML files.")
    ] = DEFAULT_FLOWS_DIR,
) -> None:
    """Validate every flow; print each problem with file, flow, step and fix; exit 1 on errors."""
    if not directory.is_dir():
        raise fail(f"{directory} is not a folder of flow files")
    result = load_flows(directory)
    for error in result.errors:
        typer.echo(str(error), err=True)
    if result.errors:
        typer.echo(f"{len(result.errors)} problem(s); {len(result.flows)} flow(s) valid.", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"{len(result.flows)} flow(s) OK: {', '.join(f.id for f in result.flows)}")


@flows_app.command("graph")
def graph_command(
    flow_id: Annotated[str, typer.Argument(help="The flow id, e.g. display-no-signal.")],
    directory: Annotated[Path, typer.Option("--dir", help="Folder of flow files.")] = (
        DEFAULT_FLOWS_DIR
    ),
) -> None:
    """Print the flow as a Mermaid diagram."""
    result = load_flows(directory)
    flows = result.by_id()
    if flow_id not in flows:
        broken = [e for e in result.errors if e.flow == flow_id]
        if broken:
            raise fail(str(broken[0]))
        raise fail(f"unknown flow {flow_id!r}; known: {', '.join(sorted(flows)) or 'none'}")
    typer.echo(to_mermaid(flows[flow_id]), nl=False)


def route_command(router: Router, text: str, as_json: bool) -> None:
    """``assist route TEXT``: print the route (the DESIGN.md JSON shape with ``--json``)."""
    try:
        route = router.route(text)
    except AssistError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(route.to_json()))
        return
    best = ", ".join(f"{f} {s:.3f}" for f, s in route.candidates)
    target = route.flow_id or route.question or ""
    typer.echo(f"{route.kind}{': ' + target if target else ''}  [{best}]")


def eval_router_command(router: Router, dataset: Path, as_json: bool) -> None:
    """``assist eval router --dataset FILE``: print accuracy and items."""
    try:
        from evals.routing import evaluate_router

        report = evaluate_router(router, read_jsonl(dataset, ("id", "text", "expected")))
    except AssistError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(report))
        return
    wrong = [i for i in report["items"] if i["expected"] != i["predicted"]]
    typer.echo(f"accuracy {report['accuracy']:.1%} on {len(report['items'])} items")
    for item in wrong:
        typer.echo(f"  {item['id']}: expected {item['expected']}, got {item['predicted']}")


def eval_dialogue_command(
    flows: Mapping[str, Flow], router: RouterLike | None, dataset: Path, as_json: bool
) -> None:
    """``assist eval dialogue --dataset FILE``: scenario pass rate and mean turns to an outcome."""
    try:
        report = run_scenarios(flows, router, load_scenarios(dataset))
    except AssistError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(report.to_json()))
        return
    typer.echo(
        f"passed {report.passed}/{report.total} ({report.pass_rate:.1%}), "
        f"mean turns {report.mean_turns:.2f}"
    )
    for result in report.results:
        if not result.passed:
            typer.echo(f"  {result.id}: {'; '.join(result.problems)}")
