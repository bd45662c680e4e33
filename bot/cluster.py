"""The scale-out set-up on one machine: a ``chroma run`` server, PostgreSQL and several workers.

``assist cluster`` (``make run-cluster``) starts the Chroma server (unless one already answers on the
port), creates the PostgreSQL database if it is missing, migrates it, imports the accounts, ingests
the knowledge base into the server, then serves with N uvicorn workers that share all of it. The
tests start the same pieces with ``chroma_server`` and ``worker_env``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.errors import StoreUnavailableError

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/assist"


def free_port() -> int:
    """A TCP port nobody listens on at this moment (for tests and ad-hoc servers)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1.0)
        return s.connect_ex((host, port)) == 0


def wait_for_port(
    host: str, port: int, timeout_s: float, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Return once something accepts connections on ``host:port``; raise if ``proc`` exits first
    or ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if port_open(host, port):
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before listening")
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {host}:{port} after {timeout_s:g} s")


@contextmanager
def chroma_server(
    path: Path, host: str = "127.0.0.1", port: int | None = None, log: Path | None = None
) -> Iterator[tuple[str, int]]:
    """Run ``chroma run`` (the CLI of the chromadb package) on ``path``; stop it afterwards."""
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = port or free_port()
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", host, "--port", str(port)],
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(host, port, 60, proc)
        yield host, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()  # type: ignore[union-attr]


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database named in ``url`` if it does not exist; True if created.
    SQLite URLs need nothing (the file is made on first use)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql") or not parsed.database:
        return False
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
            return not exists
    except OperationalError as exc:
        raise StoreUnavailableError(
            f"PostgreSQL at {parsed.host}:{parsed.port or 5432} is unavailable: "
            f"{str(exc.orig).splitlines()[0]}",
            backend="database",
        ) from exc
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database named in ``url``, closing its connections (PostgreSQL 13+)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def worker_env(
    base: dict[str, str], *, data_dir: Path, database_url: str, chroma: tuple[str, int]
) -> dict[str, str]:
    """The ``ASSIST_*`` environment every worker of the scale-out set-up shares."""
    env = dict(base)
    env.update(
        {
            "ASSIST_PATHS__DATA_DIR": str(data_dir),
            "ASSIST_DATABASE_URL": database_url,
            "ASSIST_ACCOUNTS_SOURCE": "database",
            "ASSIST_INDEX__CHROMA_MODE": "http",
            "ASSIST_INDEX__CHROMA_HOST": chroma[0],
            "ASSIST_INDEX__CHROMA_PORT": str(chroma[1]),
        }
    )
    return env


def assist_exe() -> str:
    return shutil.which("assist") or str(Path(sys.executable).with_name("assist"))


def run_step(args: list[str], env: dict[str, str]) -> None:
    """Run one ``assist`` step of the start-up, stopping the start-up if it fails."""
    print("$ assist " + " ".join(args), flush=True)
    done = subprocess.run([assist_exe(), *args], env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"assist {args[0]} failed (exit {done.returncode})")
