"""Real time between a site user and an engineer: "something changed on this channel".

Channels are ``session:<id>`` (a conversation's transcript) and ``queue`` (the engineers' queue).
A writer publishes after it commits; a server-sent-events stream waits on its channel and then
reads what is new from the store, so nothing is carried in the message and nothing is lost.
Within a worker the hub wakes the streams at once. Across workers on PostgreSQL, each publish is
also a ``NOTIFY`` and every worker ``LISTEN``s and relays it; without PostgreSQL (the embedded
default, one process) streams also look for news every second.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import defaultdict

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)
CHANNEL = "assist_live"


def session_channel(session_id: str) -> str:
    return f"session:{session_id}"


QUEUE = "queue"


class LiveHub:
    """Wake-ups for waiting streams in this process (thread-safe to publish)."""

    def __init__(self) -> None:
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = (
            defaultdict(set)
        )
        self._lock = threading.Lock()
        self.cross_process = False  # True once a relay carries publishes between workers
        self._engine: Engine | None = None

    def publish(self, *channels: str) -> None:
        """Wake every stream waiting on ``channels`` here, and in other workers when relayed."""
        self.wake(*channels)
        if self._engine is not None:
            try:
                with self._engine.connect() as conn:
                    for channel in channels:
                        conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": channel})
                    conn.commit()
            except Exception as exc:  # the other workers fall back to their periodic look
                log.warning("live.notify.failed error=%s", type(exc).__name__)

    def wake(self, *channels: str) -> None:
        with self._lock:
            waiting = [w for c in channels for w in self._waiters.get(c, ())]
        for loop, event in waiting:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that stream's loop has closed
                continue

    async def wait(self, channel: str, timeout: float) -> bool:
        """True when ``channel`` was published within ``timeout`` seconds."""
        event = asyncio.Event()
        key = (asyncio.get_running_loop(), event)
        with self._lock:
            self._waiters[channel].add(key)
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with self._lock:
                self._waiters[channel].discard(key)
                if not self._waiters[channel]:
                    del self._waiters[channel]

    @property
    def poll_s(self) -> float:
        """How often a stream looks for news by itself: rarely when every worker is told."""
        return 15.0 if self.cross_process else 1.0

    def relay_postgres(self, engine: Engine, stop: threading.Event) -> None:
        """Carry publishes between workers through PostgreSQL ``LISTEN``/``NOTIFY``."""
        if engine.dialect.name != "postgresql":
            return
        self._engine = engine
        thread = threading.Thread(
            target=self._listen, args=(engine, stop), name="live-relay", daemon=True
        )
        thread.start()
        self.cross_process = True

    def _listen(self, engine: Engine, stop: threading.Event) -> None:
        import psycopg

        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while not stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self.wake(note.payload)
            except Exception as exc:  # PostgreSQL restarting: streams poll meanwhile
                log.warning("live.relay.reconnecting error=%s", type(exc).__name__)
                self.cross_process = False
                stop.wait(2.0)
                self.cross_process = True
