"""What the running service holds: the settings and the runtime, built once per process."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from bot.config import Settings
from bot.errors import AssistError
from bot.runtime import Runtime, build_runtime

log = logging.getLogger(__name__)


class RateLimiter:
    """At most ``limit`` attempts per key in a sliding ``window_s``; in memory, per worker."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


@dataclass
class ServiceState:
    settings: Settings
    runtime: Runtime | None = None
    problem: str | None = None
    code_attempts: RateLimiter = field(default_factory=lambda: RateLimiter(10, 60.0))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def ready(self) -> bool:
        return self.runtime is not None

    def start(self) -> None:
        """Warm the model, open the index, the database, accounts and flows."""
        try:
            runtime = build_runtime(self.settings)
            with self._lock:
                self.runtime, self.problem = runtime, runtime.kb_problem
            chunks = len(runtime.kb.retriever.chunks) if runtime.kb else 0
            log.info("service.ready chunks=%d flows=%d", chunks, len(runtime.flows))
        except AssistError as exc:
            with self._lock:
                self.problem = str(exc)
            log.error("service.not_ready reason=%s", exc)
