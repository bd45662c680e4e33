"""The FastAPI application factory: ``create_app(settings)``; no module-level app or settings."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_fastapi_instrumentator import Instrumentator
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.api import (
    access_log,
    routes_documents,
    routes_engineer,
    routes_health,
    routes_kcs,
    routes_live,
    routes_metrics,
    routes_search,
    routes_sessions,
    routes_widget,
    routes_workspace,
)
from bot.api.errors import error_response, http_error_message
from bot.api.inputs import BodyLimit
from bot.api.request_context import HEADER, RequestContext, request_id_of
from bot.api.shedding import LoadShedder
from bot.api.state import ServiceState
from bot.config import Settings
from bot.errors import (
    AssistError,
    AuthError,
    ConflictError,
    InvalidQueryError,
    KcsError,
    SessionError,
    StoreUnavailableError,
    VersionNotFoundError,
)
from bot.logs import configure_logging

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024
_SESSION_STATUS = {
    "unauthorized": 401,
    "session_not_found": 401,
    "session_expired": 401,
    "session_conflict": 409,
    "conversation_ended": 409,
    "conversation_full": 429,
}
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "unavailable",
}


# Chat turns take tens of milliseconds to seconds (the model, the database); the defaults stop at 1 s.
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def create_app(
    settings: Settings,
    *,
    state: ServiceState | None = None,
    start_background: bool = True,
    configure_logs: bool | None = None,
) -> FastAPI:
    """The API, the widget and the demo page. ``state`` lets tests inject a ready runtime.

    ``configure_logs`` (default: ``start_background``, i.e. a real server) sets up the process's
    structured logs once (``bot.logs``) if nothing did yet; a harness that serves an injected
    runtime in its own process (tests, evals) keeps its own logging unless it asks."""
    if configure_logs is None:
        configure_logs = start_background
    if configure_logs:
        configure_logging(settings.log.format, settings.logging_level)
    service = state or ServiceState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_background and service.runtime is None:
            threading.Thread(target=service.start, name="warm-up", daemon=True).start()
        yield
        if start_background:
            service.close()

    app = FastAPI(
        title="ProTelecom Assist",
        version="0.1.0",
        lifespan=lifespan,
        description="Knowledge base, guided fault isolation and contract-aware escalation.",
    )
    app.state.service = service
    access_log.install()
    if settings.server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.server.cors_origins,
            allow_credentials=settings.server.cors_credentials,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", HEADER],
            expose_headers=[HEADER, "Retry-After"],
        )

    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    server = settings.server
    app.add_middleware(
        LoadShedder,
        limit=server.max_inflight,
        wait_s=server.queue_wait_ms / 1000,
        retry_after_s=server.retry_after_s,
        on_shed=service.metrics.shed,
    )
    # outside the shedder, so a shed request's 503 and its latency are measured too
    Instrumentator(
        registry=service.metrics.registry,
        excluded_handlers=["^/metrics$"],
        should_exclude_streaming_duration=True,  # an event stream counts until its headers
    ).instrument(app, latency_lowr_buckets=LATENCY_BUCKETS)
    app.add_middleware(RequestContext)  # outermost: every line of the request has its id

    for module in (
        routes_health,
        routes_sessions,
        routes_live,
        routes_search,
        routes_engineer,
        routes_workspace,
        routes_widget,
        routes_kcs,
        routes_metrics,
    ):
        app.include_router(module.router)
    app.include_router(routes_documents.router)

    @app.exception_handler(StarletteHTTPException)
    async def httperror_response(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(
            exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"), http_error_message(exc)
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = str(first["msg"]).removeprefix("Value error, ")
        return error_response(422, "invalid_request", f"{where}: {message}")

    @app.exception_handler(AssistError)
    async def assisterror_response(_: Request, exc: AssistError) -> JSONResponse:
        if isinstance(exc, SessionError):
            status = _SESSION_STATUS.get(exc.code, 400)
            if exc.code == "session_expired":  # the right token: saying so leaks nothing
                return error_response(401, exc.code, str(exc))
            message = "unknown session or token" if status == 401 else str(exc)
            return error_response(status, "unauthorized" if status == 401 else exc.code, message)
        if isinstance(exc, StoreUnavailableError):
            return error_response(
                503, exc.code, "the service is temporarily unavailable; try again shortly"
            )
        if isinstance(exc, ConflictError):
            return error_response(409, exc.code, str(exc))
        if isinstance(exc, KcsError):
            return error_response(routes_kcs.KCS_STATUS.get(exc.code, 400), exc.code, str(exc))
        if isinstance(exc, AuthError):
            return error_response(401, exc.code, str(exc))
        if isinstance(exc, InvalidQueryError | VersionNotFoundError):
            return error_response(400, exc.code, str(exc))
        return internal_error(exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # answered outside every middleware (Starlette's ServerErrorMiddleware): add the id here
        response = internal_error(exc)
        request_id = request_id_of(request)
        if request_id:
            response.headers[HEADER] = request_id
        return response

    return app


def internal_error(exc: Exception) -> JSONResponse:
    """500 with a reference to quote; the details (paths, driver messages) stay in the log."""
    reference = secrets.token_hex(6)
    log.error("request.failed reference=%s error=%s", reference, type(exc).__name__, exc_info=exc)
    return error_response(
        500, "internal", f"something went wrong on our side; reference {reference}"
    )


def app_from_environment() -> FastAPI:
    """Factory for multi-worker uvicorn: settings from the ``ASSIST_*`` environment."""
    from bot.config import load_settings

    return create_app(load_settings())
