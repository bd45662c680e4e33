"""FastAPI dependencies as Annotated aliases, so routes read like prose."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from bot.api.state import ServiceState
from bot.kb.service import KnowledgeBase


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


def get_kb(state: StateDep) -> KnowledgeBase:
    if state.kb is None:
        raise HTTPException(503, detail="the knowledge base is not ready yet")
    return state.kb


KnowledgeBaseDep = Annotated[KnowledgeBase, Depends(get_kb)]


def require_engineer(
    state: StateDep, x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None
) -> None:
    keys = [k.get_secret_value() for k in state.settings.server.engineer_api_keys]
    given = x_api_key or ""
    if not any(hmac.compare_digest(given.encode(), k.encode()) for k in keys):
        raise HTTPException(401, detail="a valid engineer API key is required")


EngineerDep = Annotated[None, Depends(require_engineer)]
