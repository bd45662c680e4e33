"""``assist chat --site CODE``: the same conversation as the widget, in a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.support import expected_errors, settings_of

if TYPE_CHECKING:
    from bot.dialogue.state import Message


def _show(messages: Sequence[Message], choices_out: list[str]) -> None:
    """Print bot messages as plain text (never interpreted as markup); number the choices."""
    choices_out.clear()
    for m in messages:
        typer.echo(f"assistant: {m.text}")
        for n, cite in enumerate(m.citations, start=1):
            version = f" {cite.version}" if cite.version else ""
            typer.echo(f"    [{cite.n or n}] {cite.title}{version} ({cite.source})")
        for choice in m.choices:
            choices_out.append(choice.id)
            typer.echo(f"    {len(choices_out)}) {choice.label}")


def chat_command(
    ctx: typer.Context,
    site: Annotated[str, typer.Option(help="The site's access code (e.g. DEMO-1234).")],
) -> None:
    """Chat with the assistant in the terminal; type a number to pick a choice, 'quit' to leave."""
    from bot.service.outcome import UserChoice, UserText
    from bot.service.runtime import build_runtime

    settings = settings_of(ctx)
    with expected_errors():
        runtime = build_runtime(settings)
        started = runtime.assistant.start(site)
    choices: list[str] = []
    _show(started.messages, choices)
    while started.state.status == "active":
        try:
            line = input("you> ").strip()
        except EOFError:
            break
        if line.lower() in ("quit", "exit"):
            break
        with expected_errors():
            if line.isdigit() and 1 <= int(line) <= len(choices):
                event: UserChoice | UserText = UserChoice(choices[int(line) - 1])
            else:
                event = UserText(line)
            turn = runtime.assistant.reply(started.session_id, event)
        _show(turn.messages, choices)
        status = turn.public().status
        if status != "active":
            typer.echo(f"(conversation {status.replace('_', ' ')})")
            break
