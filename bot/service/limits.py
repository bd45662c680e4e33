"""Rate limits every worker shares: failed attempts counted in the database (SQLite or
PostgreSQL), in fixed windows; a key is blocked while the current and the previous window hold
``limit`` failures, so a guesser waits one to two windows whichever worker it reaches."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.store.attempts import Attempts


class SharedLimiter:
    def __init__(
        self,
        attempts: Attempts,
        scope: str,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.attempts = attempts
        self.scope = scope
        self.limit = limit
        self.window_s = window_s
        self.clock = clock

    def _window(self) -> int:
        return int(self.clock() // self.window_s)

    def blocked(self, key: str) -> bool:
        return self.attempts.count(self.scope, key, self._window() - 1) >= self.limit

    def hit(self, key: str) -> None:
        self.attempts.add(self.scope, key, self._window())
