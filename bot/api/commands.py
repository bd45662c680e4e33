"""``assist serve``."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli_support import settings_of


def serve_command(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (each loads the model once).")] = 1,
) -> None:
    """Serve the API, the widget (/widget.js) and the demo page (/). /healthz answers at once,
    /readyz once the model is warm and the stores are open."""
    import uvicorn

    settings = settings_of(ctx)
    bind_host, bind_port = host or settings.server.host, port or settings.server.port
    if workers > 1:
        # each worker builds its own app from the same ASSIST_* environment
        uvicorn.run(
            "bot.api.app:app_from_environment",
            factory=True,
            workers=workers,
            log_level=settings.log_level.lower(),
            host=bind_host,
            port=bind_port,
        )
        return
    from bot.api.app import create_app

    uvicorn.run(
        create_app(settings), log_level=settings.log_level.lower(), host=bind_host, port=bind_port
    )
