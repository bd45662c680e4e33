"""Liveness and readiness."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bot.api.deps import StateDep

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class NotReady(BaseModel):
    status: str
    problem: str | None


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=None,
    responses={503: {"model": NotReady, "description": "Starting, or a store is unreachable"}},
)
def readyz(state: StateDep) -> dict[str, object] | JSONResponse:
    """The model is warm, the index, the database, the accounts and the flows are open."""
    runtime = state.runtime
    if runtime is None or runtime.kb is None:
        body = {
            "status": "starting" if state.problem is None else "failed",
            "problem": state.problem,
        }
        return JSONResponse(body, status_code=503)
    try:
        runtime.store.ping()
        runtime.kb.store.ping()
    except Exception as exc:  # readiness reports, it never raises
        # public route: name the part that is down, keep hosts and driver messages in the log
        log.warning("readyz.failed reason=%s", exc)
        problem = f"the {getattr(exc, 'backend', 'store')} is unavailable"
        return JSONResponse({"status": "failed", "problem": problem}, status_code=503)
    return {
        "status": "ready",
        "chunks": len(runtime.kb.retriever.chunks),
        "flows": len(runtime.flows),
    }
