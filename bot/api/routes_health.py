"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.api.deps import StateDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(state: StateDep) -> dict[str, object] | JSONResponse:
    """The model is warm and the index is open."""
    if not state.ready or state.kb is None:
        body = {
            "status": "starting" if state.problem is None else "failed",
            "problem": state.problem,
        }
        return JSONResponse(body, status_code=503)
    return {"status": "ready", "chunks": len(state.kb.retriever.chunks)}
