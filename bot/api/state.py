"""What the running service holds: the settings and the runtime, built once per process."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
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

    def __init__(self, limit: int, window_s: float, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys  # past this many addresses, expired ones are swept on a hit
        self._sweep_at = max_keys  # doubles while the live keys stay many: amortised sweeps
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        """The key's attempts inside the window; a key with none left is forgotten, so addresses
        that only ever used right codes, or stopped guessing, cost no memory."""
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def blocked(self, key: str, now: float | None = None) -> bool:
        """True while ``key`` has used up its attempts in the window."""
        with self._lock:
            return len(self._recent(key, time.monotonic() if now is None else now)) >= self.limit

    def hit(self, key: str, now: float | None = None) -> None:
        """Count one attempt (for access codes: one wrong code)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._hits) >= self._sweep_at:
                for old in list(self._hits):
                    self._recent(old, now)
                self._sweep_at = max(self.max_keys, 2 * len(self._hits))
            self._recent(key, now)
            self._hits.setdefault(key, deque()).append(now)

    @property
    def remembered(self) -> int:
        """How many keys have attempts inside the window (or not yet swept)."""
        return len(self._hits)


@dataclass
class ServiceState:
    settings: Settings
    runtime: Runtime | None = None
    problem: str | None = None
    code_failures: RateLimiter = field(default_factory=lambda: RateLimiter(10, 60.0))
    key_failures: RateLimiter = field(default_factory=lambda: RateLimiter(10, 60.0))
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
