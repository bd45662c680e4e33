"""``assist serve``."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli_support import settings_of


def serve_command(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
) -> None:
    """Serve the API; /healthz answers at once, /readyz once the model is warm and the index open."""
    import uvicorn

    from bot.api.app import create_app

    settings = settings_of(ctx)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host or settings.server.host,
        port=port or settings.server.port,
        log_level=settings.log_level.lower(),
    )
