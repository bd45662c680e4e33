"""Load shedding: a worker takes at most ``limit`` API requests at once; a request that cannot start
within ``wait_s`` is answered 503 ``overloaded`` with ``Retry-After`` before any work is done, so
nothing was written and the client may send it again. Past the knee, the requests that are served
stay fast instead of every request queueing for seconds.

Event streams and long polls (they hold a connection for minutes while waiting), health checks and
static files are never counted or shed.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from bot.api.errors import error_response

EXEMPT_SUFFIXES = ("/events", "/updates")
EXEMPT_PATHS = ("/healthz", "/readyz")


class LoadShedder:
    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        wait_s: float,
        retry_after_s: float,
        on_shed: Callable[[], None] = lambda: None,
    ) -> None:
        self.app = app
        self.on_shed = on_shed  # the app's counter
        self.limit = limit
        self.wait_s = wait_s
        self.retry_after = str(max(1, math.ceil(retry_after_s)))
        self.shed = 0  # requests refused since start (read by tests and the logs)
        self._slots: asyncio.Semaphore | None = None

    def counted(self, path: str) -> bool:
        return (
            path.startswith("/api/")
            and not path.endswith(EXEMPT_SUFFIXES)
            and path not in EXEMPT_PATHS
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0 or not self.counted(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # created in the worker's own event loop
            self._slots = asyncio.Semaphore(self.limit)
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_s)
        except TimeoutError:
            self.shed += 1
            self.on_shed()
            response = error_response(
                503,
                "overloaded",
                f"the service is busy; nothing was done, send it again in {self.retry_after} s",
            )
            response.headers["Retry-After"] = self.retry_after
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()
