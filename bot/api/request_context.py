"""Every request gets an id, and every log line of the request carries it.

``RequestContext`` (the outermost middleware) takes the caller's ``X-Request-ID`` when it is a
sane token (letters, digits and ``._:-``, at most 128 characters, as a proxy or a load balancer
sends it), else makes one; binds it as ``request_id`` in structlog's context variables for the
request, keeps it in ``request.state.request_id`` and returns it in the ``X-Request-ID`` response
header. A chat turn also binds ``session_id`` and a fresh ``turn_id`` (``bind_turn``).
"""

from __future__ import annotations

import re
import uuid

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def incoming_id(value: str | None) -> str | None:
    """The caller's request id if it is safe to log and echo; None otherwise."""
    return value if value is not None and _SANE.fullmatch(value) else None


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_id(Headers(scope=scope).get(HEADER)) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        # Each request runs in a task of its own: what is bound here stays with this request,
        # also for the error handlers that run after this middleware has returned.
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


async def bind_turn(session_id: str) -> None:
    """A dependency of the chat-turn routes: ``session_id`` and a new ``turn_id`` on every log
    line of the turn (async, so the binding holds for the whole request, not one thread)."""
    structlog.contextvars.bind_contextvars(session_id=session_id[:64], turn_id=uuid.uuid4().hex)
