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
        return JSONResponse({"status": "failed", "problem": str(exc)}, status_code=503)
    return {
        "status": "ready",
        "chunks": len(runtime.kb.retriever.chunks),
        "flows": len(runtime.flows),
    }
