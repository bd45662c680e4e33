"""What the API accepts: a bounded body, sent as JSON, with fields that hold no control characters.

* ``BodyLimit`` refuses a body over the limit by its ``Content-Length`` before it is read, and a body
  sent without one (chunked) as soon as the bytes read pass the limit.
* ``require_json`` refuses a body whose ``Content-Type`` is not JSON (415), instead of FastAPI's
  reading it as bytes and reporting a type error about the body.
* ``OptionId``, ``AccessCode``, ``StepRef``, ``Note`` and ``After`` are the request field types: ids and codes
  are refused (422) when they hold control characters, notes are cleaned like chat text.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import HTTPException, Query, Request
from pydantic import AfterValidator, Field
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.api.errors import error_response
from bot.service.assistant import clean_text

_LENGTH = re.compile(r"[0-9]{1,18}")
_CONTROLS = r"\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_CONTROLS}]")


class BodyLimit:
    """ASGI middleware: request bodies of at most ``max_bytes``, else 413 ``too_large``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.message = f"request bodies are limited to {max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not _LENGTH.fullmatch(length) or int(length) > self.max_bytes):
            await error_response(413, "too_large", self.message)(scope, receive, send)
            return
        read = 0

        async def counted() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > self.max_bytes:
                    raise HTTPException(413, detail=self.message)
            return message

        await self.app(scope, counted, send)


def require_json(request: Request) -> None:
    """415 for a request body not declared as ``application/json`` (or ``+json``)."""
    headers = request.headers
    has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
    if not has_body:
        return
    declared = headers.get("content-type", "")
    media = declared.split(";", 1)[0].strip().lower()
    json_like = media.startswith("application/") and media.endswith("+json")
    if media != "application/json" and not json_like:
        got = f"got {declared[:60]!r}" if declared else "no Content-Type was sent"
        raise HTTPException(415, detail=f"send the body as application/json ({got})")


def _no_controls(value: str) -> str:
    found = _CONTROL.search(value)
    if found:
        raise ValueError(f"must not contain control characters (found U+{ord(found[0]):04X})")
    return value


OptionId = Annotated[
    str,
    Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"),
]
AccessCode = Annotated[
    str,
    Field(min_length=1, max_length=100, json_schema_extra={"pattern": f"^[^{_CONTROLS}]+$"}),
    AfterValidator(_no_controls),
]
StepRef = Annotated[str, Field(max_length=100, pattern=r"^[a-z][a-z0-9_]*$")]
Note = Annotated[str, Field(max_length=4000), AfterValidator(clean_text)]
EngineerRef = Annotated[str, Field(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]


SEQ_MAX = 2**62  # beyond any transcript, and within a 64-bit database integer
After = Annotated[
    int, Query(ge=0, le=SEQ_MAX, description="The last transcript sequence number seen.")
]
