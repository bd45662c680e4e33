"""A throwaway PostgreSQL database per test on the machine's server (127.0.0.1:5432, trust auth)."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from bot.cluster import drop_database, ensure_database

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@contextmanager
def fresh_database(prefix: str = "assist_t") -> Iterator[str]:
    """Create an empty database, yield its SQLAlchemy URL, drop it (and its connections) after."""
    url = f"{SERVER}/{prefix}_{secrets.token_hex(4)}"
    ensure_database(url)
    try:
        yield url
    finally:
        drop_database(url)


class PrivatePostgres:
    """A PostgreSQL server of the test's own (initdb in a temporary folder, its own port), so a
    test can stop and restart it without touching the machine's server. PostgreSQL refuses to run
    as root, so as root the server runs as the ``postgres`` user."""

    def __init__(self, folder: Path, port: int) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("PostgreSQL server binaries are not installed")
        self.bin = Path(bins[-1]).parent
        self.folder, self.port = folder, port
        self.data = folder / "data"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres?connect_timeout=3"

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._as:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        log = str(self.folder / "server.log")
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start"
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@contextmanager
def private_postgres(port: int) -> Iterator[PrivatePostgres]:
    """An initialised, started private server; stopped and deleted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="assist-pg-", dir="/tmp"))
    folder.chmod(0o755)
    server = PrivatePostgres(folder, port)
    try:
        server.init()
        server.start()
        yield server
    finally:
        with suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
