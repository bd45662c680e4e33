"""The FastAPI application factory: ``create_app(settings)``; no module-level app or settings."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.api import routes_health, routes_search
from bot.api.state import ServiceState
from bot.config import Settings
from bot.errors import AssistError, InvalidQueryError, StoreUnavailableError, VersionNotFoundError


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def create_app(settings: Settings, *, start_background: bool = True) -> FastAPI:
    state = ServiceState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_background:
            threading.Thread(target=state.start, name="warm-up", daemon=True).start()
        yield

    app = FastAPI(title="ProTelecom Assist", version="0.1.0", lifespan=lifespan)
    app.state.service = state
    app.include_router(routes_health.router)
    app.include_router(routes_search.router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {401: "unauthorized", 404: "not_found", 503: "unavailable"}.get(
            exc.status_code, "http_error"
        )
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(422, "invalid_request", f"{where}: {first['msg']}")

    @app.exception_handler(AssistError)
    async def assist_error(_: Request, exc: AssistError) -> JSONResponse:
        status = 400 if isinstance(exc, InvalidQueryError | VersionNotFoundError) else 500
        if isinstance(exc, StoreUnavailableError):
            status = 503
        return _error(status, exc.code, str(exc))

    return app
