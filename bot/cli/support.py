"""What every CLI command shares: settings from the context, one-line errors, progress bars."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from bot.errors import AssistError

if TYPE_CHECKING:
    from bot.config import Settings


def settings_of(ctx: typer.Context) -> Settings:
    from bot.config import load_settings

    root = ctx.find_root()
    if not isinstance(root.obj, dict):
        root.obj = {}
    if "settings" not in root.obj:
        with expected_errors():
            root.obj["settings"] = load_settings()
    settings: Settings = root.obj["settings"]
    return settings


@contextmanager
def expected_errors() -> Iterator[None]:
    """Expected errors become one line on stderr and exit code 1; never a traceback."""
    try:
        yield
    except AssistError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


class StageProgress:
    """A rich progress bar per stage (files, embed, index), on stderr so --json output stays clean."""

    def __init__(self, enabled: bool = True) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self._progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not enabled or not sys.stderr.isatty(),
            transient=False,
        )
        self._tasks: dict[str, Any] = {}
        # without a terminal (CI, a pipe, a log file): one line per stage per tenth done
        self._lines = enabled and not sys.stderr.isatty()
        self._printed: dict[str, int] = {}

    def __enter__(self) -> StageProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._lines:
            tenth = 10 * done // total if total else 10
            if self._printed.get(stage, -1) < tenth:
                self._printed[stage] = tenth
                print(f"{stage} {done}/{total}", file=sys.stderr, flush=True)
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(stage, total=total)
        self._progress.update(self._tasks[stage], completed=done, total=total)
