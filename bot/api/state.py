"""What the running service holds: the settings and the runtime, built once per process."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from bot.config import Settings
from bot.errors import AssistError, StoreUnavailableError
from bot.kb.service import make_embedder
from bot.runtime import Runtime, build_runtime

log = logging.getLogger(__name__)


class RateLimiter:
    """At most ``limit`` counted attempts per key in a sliding ``window_s``; in memory, per worker.

    For access codes only wrong codes count, so fifty rooms behind one office address can all start
    chats while guessing stays slow.
    """

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits

    def blocked(self, key: str, now: float | None = None) -> bool:
        """True while ``key`` has used up its attempts in the window."""
        with self._lock:
            return len(self._recent(key, time.monotonic() if now is None else now)) >= self.limit

    def hit(self, key: str, now: float | None = None) -> None:
        """Count one attempt (for access codes: one wrong code)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(key, now).append(now)


@dataclass
class ServiceState:
    settings: Settings
    runtime: Runtime | None = None
    problem: str | None = None
    code_failures: RateLimiter = field(default_factory=lambda: RateLimiter(10, 60.0))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, retry_s: float = 2.0, stop: threading.Event | None = None) -> None:
        """Warm the model, open the index, the database, accounts and flows. A database that is
        not up yet is retried every ``retry_s`` (readiness says so meanwhile) until ``stop``."""
        stop = stop or threading.Event()
        try:
            embedder = make_embedder(self.settings)
            while True:
                try:
                    runtime = build_runtime(self.settings, embedder=embedder)
                    break
                except StoreUnavailableError as exc:
                    with self._lock:
                        self.problem = f"{exc} (retrying every {retry_s:g} s)"
                    log.warning("service.waiting_for_database reason=%s", exc)
                    if stop.wait(retry_s):
                        return
            with self._lock:
                self.runtime, self.problem = runtime, runtime.kb_problem
            chunks = len(runtime.kb.retriever.chunks) if runtime.kb else 0
            log.info("service.ready chunks=%d flows=%d", chunks, len(runtime.flows))
        except AssistError as exc:
            with self._lock:
                self.problem = str(exc)
            log.error("service.not_ready reason=%s", exc)
