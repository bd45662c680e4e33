"""``assist serve`` and ``assist cluster``."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.support import settings_of

if TYPE_CHECKING:
    from bot.config import Settings

# Open live streams (server-sent events) would hold a shutdown forever; the widget reconnects.
GRACE_S = 5


def _proxies(settings: Settings) -> dict[str, Any]:
    """X-Forwarded-For is believed from the trusted proxies only (uvicorn would trust 127.0.0.1 by
    default, letting any local client pick its own address and rate-limit bucket)."""
    trusted = settings.server.trusted_proxies
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": ",".join(trusted) or ""}


@contextlib.contextmanager
def _shared_metrics(settings: Settings, workers: int) -> Iterator[None]:
    """Several workers count into one folder (prometheus_client's multiprocess mode), so any of
    them answers /metrics for all: a fresh folder under the data folder, named in
    ``PROMETHEUS_MULTIPROC_DIR`` before the workers start and removed when they stop. A folder
    the environment already names is used as it is (and kept)."""
    from bot.metrics import MULTIPROC_ENV, fresh_multiprocess_dir

    if workers <= 1 or os.environ.get(MULTIPROC_ENV):
        yield
        return
    folder = fresh_multiprocess_dir(settings.paths.data_dir)
    os.environ[MULTIPROC_ENV] = str(folder)
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


def serve_command(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (each loads the model once).")] = 1,
) -> None:
    """Serve the API, the widget (/widget.js) and the demo page (/). /healthz answers at once,
    /readyz once the model is warm and the stores are open."""
    import uvicorn

    from bot.logs import configure_logging, logging_config

    settings = settings_of(ctx)
    level = settings.logging_level
    configure_logging(settings.log.format, level)
    logs: dict[str, Any] = {
        "log_level": level.lower(),
        "log_config": logging_config(settings.log.format, level),
    }
    bind_host, bind_port = host or settings.server.host, port or settings.server.port
    if workers > 1:
        # each worker builds its own app from the same ASSIST_* environment; unless told, each
        # gets an equal share of the cores for the model (not one thread per core each)
        cores = os.cpu_count() or 1
        os.environ.setdefault("ASSIST_EMBEDDING__THREADS", str(max(1, cores // workers)))
        with _shared_metrics(settings, workers):
            uvicorn.run(
                "bot.api.app:app_from_environment",
                factory=True,
                workers=workers,
                host=bind_host,
                port=bind_port,
                timeout_graceful_shutdown=GRACE_S,
                **logs,
                **_proxies(settings),
            )
        return
    from bot.api.app import create_app

    uvicorn.run(
        create_app(settings),
        host=bind_host,
        port=bind_port,
        timeout_graceful_shutdown=GRACE_S,
        **logs,
        **_proxies(settings),
    )


def cluster_command(
    ctx: typer.Context,
    workers: Annotated[int, typer.Option(min=1, help="uvicorn worker processes.")] = 2,
    port: Annotated[int | None, typer.Option(help="API port (default from settings).")] = None,
    chroma_port: Annotated[int, typer.Option(help="Chroma server port.")] = 8001,
    database_url: Annotated[
        str | None,
        typer.Option(help="PostgreSQL URL (default ASSIST_DATABASE_URL, else the local 'assist')."),
    ] = None,
    docs: Annotated[Path, typer.Option(help="Knowledge base to ingest.")] = Path("knowledge/docs"),
) -> None:
    """The scale-out set-up: a `chroma run` server (started unless one answers on the port),
    PostgreSQL (created if missing, migrated, accounts imported), the knowledge base ingested into
    the server, then N workers sharing all of it. Ctrl-C stops the workers and the Chroma server."""
    import os
    import subprocess
    from contextlib import nullcontext

    from bot.cli.support import expected_errors
    from bot.cluster import (
        DEFAULT_DATABASE_URL,
        assist_exe,
        chroma_server,
        ensure_database,
        port_open,
        run_step,
        worker_env,
    )

    settings = settings_of(ctx)
    url = database_url or settings.database_url or DEFAULT_DATABASE_URL
    if not url.startswith("postgresql"):
        typer.echo("error: the scale-out set-up needs a PostgreSQL URL (--database-url)", err=True)
        raise typer.Exit(1)
    with expected_errors():
        ensure_database(url)
    data_dir = settings.paths.data_dir / "cluster"
    data_dir.mkdir(parents=True, exist_ok=True)
    host, api_port = settings.server.host, port or settings.server.port
    running = port_open("127.0.0.1", chroma_port)
    server = (
        nullcontext(("127.0.0.1", chroma_port))
        if running
        else chroma_server(
            data_dir / "chroma-server", port=chroma_port, log=data_dir / "chroma.log"
        )
    )
    with server as chroma:
        typer.echo(
            f"Chroma server: http://{chroma[0]}:{chroma[1]} ({'found' if running else 'started'})"
        )
        env = worker_env(dict(os.environ), data_dir=data_dir, database_url=url, chroma=chroma)
        run_step(["db", "upgrade"], env)
        run_step(["accounts", "import", str(settings.paths.accounts_dir)], env)
        run_step(["ingest", str(docs)], env)
        typer.echo(f"\n  {workers} workers on http://{host}:{api_port}/  (site code DEMO-1234)\n")
        serve = [assist_exe(), "serve", "--workers", str(workers), "--host", host]
        workers_proc = subprocess.Popen([*serve, "--port", str(api_port)], env=env)
        try:
            with contextlib.suppress(KeyboardInterrupt):
                workers_proc.wait()
        finally:  # also when only this process was signalled: never leave workers behind
            workers_proc.terminate()
            workers_proc.wait(timeout=60)
