"""The API's one error shape, ``{"error": {"code", "message"}}``, and how routes document it.

``documented(401, 404, 422)`` is the ``responses=`` of a route: each status with this shape and a
line of what it means, so the OpenAPI schema lists every status a route really returns (FastAPI's
own 422 entry describes a ``detail`` list this API never sends).

Every error response is logged (``request.error status=... code=...``, WARNING for 5xx, INFO
otherwise) with the request's context (``request_id``, and in a chat turn ``session_id`` and
``turn_id``); the message is not logged, so nothing the caller sent reaches the log this way.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

log = logging.getLogger(__name__)
_MEANING = {
    400: "The question, the version filter or the body cannot be used",
    401: "Missing or wrong credentials (no hint which part)",
    403: "Signed in, but this needs another role",
    404: "No such object",
    409: "The object changed meanwhile, the move is not allowed from its state, or the "
    "conversation has ended",
    413: "The request body is larger than the limit",
    415: "The body is not sent as application/json",
    422: "The request does not match the schema; the message names the field",
    429: "Too many wrong attempts (wait before trying again), or the conversation is full",
    503: "The service is starting or its database is unreachable; try again shortly",
}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


def error_response(status: int, code: str, message: str) -> JSONResponse:
    level = logging.WARNING if status >= 500 else logging.INFO
    log.log(level, "request.error status=%d code=%s", status, code)
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that can answer with these error statuses."""
    return {s: {"model": ErrorBody, "description": _MEANING[s]} for s in statuses}


def http_error_message(exc: HTTPException) -> str:
    """The message of an HTTP error; FastAPI's generic "error parsing the body" says why."""
    cause = exc.__cause__
    if exc.status_code == 400 and isinstance(cause, UnicodeDecodeError):
        return f"the body is not valid UTF-8 (byte {cause.start})"
    if exc.status_code == 400 and isinstance(cause, RecursionError):
        return "the JSON body is nested too deeply"
    return str(exc.detail)
