"""What the running service holds: the settings and the runtime, built once per process."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from bot.config import Settings
from bot.errors import (
    AccountsError,
    ConfigError,
    FlowError,
    ModelUnavailableError,
    RetrievalError,
    StoreError,
    StoreUnavailableError,
)
from bot.escalation.calendar import supported_regions
from bot.kb.service import make_embedder
from bot.metrics import Metrics
from bot.service.limits import SharedLimiter
from bot.service.runtime import Runtime, build_runtime

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


Limiter = RateLimiter | SharedLimiter


@dataclass
class ServiceState:
    settings: Settings
    runtime: Runtime | None = None
    problem: str | None = None
    # the app's counters; a runtime built for this state counts into them (``build_runtime``)
    metrics: Metrics = field(default_factory=Metrics)
    # in memory until the database is open (then shared: ``share_limits``)
    code_failures: Limiter = field(default_factory=lambda: RateLimiter(10, 60.0))
    key_failures: Limiter = field(default_factory=lambda: RateLimiter(10, 60.0))
    login_failures: Limiter = field(default_factory=lambda: RateLimiter(10, 60.0))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self, retry_s: float = 2.0, stop: threading.Event | None = None) -> None:
        """Warm the model, open the index, the database, accounts and flows. Whatever fails on
        the way (a database not up yet, an index another worker is creating at the same moment,
        a damaged file) is retried with back-off from ``retry_s`` up to a minute, readiness saying
        what is wrong meanwhile, until it succeeds or ``stop`` is set."""
        if stop is not None:
            self._stop = stop
        stop = self._stop
        delay = retry_s
        embedder = None
        while not stop.is_set():
            try:
                embedder = embedder or make_embedder(self.settings)
                runtime = build_runtime(self.settings, embedder=embedder, metrics=self.metrics)
                supported_regions()  # the holiday calendars' imports, before the first hand-off
            except StoreUnavailableError as exc:
                self._not_ready(f"{_part(exc)} (retrying every {retry_s:g} s)", exc)
                delay = retry_s
            except Exception as exc:  # a broken part must not kill the warm-up for good
                self._not_ready(f"{_part(exc)} (retrying in {delay:g} s)", exc)
            else:
                with self._lock:
                    self.runtime, self.problem = runtime, runtime.kb_problem
                self.share_limits(runtime)
                runtime.delivery.start()  # handoff notifications leave from every worker
                runtime.hub.relay_postgres(runtime.store.engine, stop)
                chunks = len(runtime.kb.retriever.chunks) if runtime.kb else 0
                log.info("service.ready chunks=%d flows=%d", chunks, len(runtime.flows))
                return
            if stop.wait(delay):
                return
            delay = min(delay * 2, 60.0)

    def share_limits(self, runtime: Runtime) -> None:
        """Count failures in the database from now on: every worker (and host) sees the same
        count, so N workers do not give N times the guesses."""
        attempts = runtime.store.attempts
        self.code_failures = SharedLimiter(attempts, "code", 10, 60.0)
        self.key_failures = SharedLimiter(attempts, "key", 10, 60.0)
        self.login_failures = SharedLimiter(attempts, "login", 10, 60.0)

    def close(self) -> None:
        """Stop what ``start`` began: the warm-up retries, the delivery loop, the relay (within
        a second), and the database connections."""
        self._stop.set()
        runtime = self.runtime
        if runtime is not None:
            runtime.delivery.stop()
            runtime.store.engine.dispose()

    def _not_ready(self, problem: str, exc: BaseException) -> None:
        with self._lock:
            self.problem = problem
        log.warning("service.not_ready reason=%s error=%s", problem, type(exc).__name__)


_PARTS: tuple[tuple[type[BaseException], str], ...] = (
    (StoreUnavailableError, "the database is unavailable"),
    (ModelUnavailableError, "the embedding model could not be loaded"),
    (FlowError, "the fault-isolation flows could not be loaded"),
    (AccountsError, "the customer accounts could not be loaded"),
    (ConfigError, "the configuration is invalid"),
    (RetrievalError, "the knowledge base index could not be opened"),
    (StoreError, "the database could not be opened"),
)


def _part(exc: BaseException) -> str:
    """What failed, in words that name the part and never a path, a host or a driver message
    (readiness is public; the log has the details)."""
    if isinstance(exc, StoreUnavailableError) and exc.backend != "database":
        return f"the {exc.backend} is unavailable"
    for kind, words in _PARTS:
        if isinstance(exc, kind):
            return words
    if type(exc).__module__.startswith("chromadb"):
        return "the vector index could not be opened"
    return f"start-up failed ({type(exc).__name__})"
