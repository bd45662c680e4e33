"""The ``assist`` command, one module per command group (``kb``: ingest, ask, eval retrieval;
``evals``: route and the other evals; ``flows``; ``escalation``: escalation and accounts; ``db``;
``serve``: serve and cluster; ``chat``; ``desk``: engineers and the outbox; ``kcs``: articles
learned from resolutions; ``report``:
resolution and content gaps). Importing this package loads no model and no index:
commands import what they need when they run, so ``assist --version`` stays light. Nothing
below the CLI imports it."""

from __future__ import annotations

from importlib import metadata
from typing import Annotated

import typer

from bot.cli.kb import ask_command, eval_retrieval_command, ingest_command


def _version(value: bool) -> None:
    if value:
        typer.echo(f"assist {metadata.version('protelecom-assist')}")
        raise typer.Exit()


def build_app() -> typer.Typer:
    app = typer.Typer(
        help="ProTelecom Assist: knowledge base, guided fault isolation and contract-aware escalation.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )

    @app.callback()
    def root(
        version: Annotated[
            bool,
            typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
        ] = False,
    ) -> None:
        """Settings come from ASSIST_* environment variables and an optional .env file."""

    app.command("ingest")(ingest_command)
    app.command("ask")(ask_command)
    eval_app = typer.Typer(help="Evaluations (see docs/evaluation.md).", no_args_is_help=True)
    eval_app.command("retrieval")(eval_retrieval_command)
    from bot.cli.evals import eval_all_cmd, eval_dialogue_cmd, eval_router_cmd, route_cmd
    from bot.cli.flows import flows_app

    eval_app.command("router")(eval_router_cmd)
    eval_app.command("dialogue")(eval_dialogue_cmd)
    eval_app.command("all")(eval_all_cmd)
    app.add_typer(eval_app, name="eval")
    app.add_typer(flows_app, name="flows")
    app.command("route")(route_cmd)
    from bot.cli.escalation import accounts_app, escalation_app
    from bot.cli.serve import cluster_command, serve_command

    app.add_typer(escalation_app, name="escalation")
    app.add_typer(accounts_app, name="accounts")
    from bot.cli.db import db_app, import_accounts_command

    accounts_app.command("import")(import_accounts_command)
    app.add_typer(db_app, name="db")
    from bot.cli.desk import engineers_app, outbox_app

    app.add_typer(engineers_app, name="engineers")
    app.add_typer(outbox_app, name="outbox")
    from bot.cli.kcs import kcs_app

    app.add_typer(kcs_app, name="kcs")

    app.command("serve")(serve_command)
    app.command("cluster")(cluster_command)
    from bot.cli.chat import chat_command

    app.command("chat")(chat_command)
    from bot.cli.report import report_app

    app.add_typer(report_app, name="report")
    return app


def main() -> None:
    build_app()()
