"""FastAPI dependencies as Annotated aliases, so routes read like prose."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from bot.api.state import ServiceState
from bot.kb.service import KnowledgeBase
from bot.service.assistant import Assistant, OpenSession
from bot.service.engineers import EngineerDesk
from bot.service.runtime import Runtime


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


def get_runtime(state: StateDep) -> Runtime:
    if state.runtime is None:
        raise HTTPException(503, detail="the assistant is starting; try again in a few seconds")
    return state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_assistant(runtime: RuntimeDep) -> Assistant:
    return runtime.assistant


AssistantDep = Annotated[Assistant, Depends(get_assistant)]


def get_engineers(runtime: RuntimeDep) -> EngineerDesk:
    return runtime.engineers


EngineersDep = Annotated[EngineerDesk, Depends(get_engineers)]


def get_kb(runtime: RuntimeDep) -> KnowledgeBase:
    if runtime.kb is None:
        raise HTTPException(503, detail="the knowledge base is not available")
    return runtime.kb


KnowledgeBaseDep = Annotated[KnowledgeBase, Depends(get_kb)]


def require_engineer(
    request: Request,
    state: StateDep,
    x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None,
) -> str:
    """The engineer behind a valid key; wrong keys count against the caller's address (10 a
    minute per worker, like wrong access codes), so keys cannot be guessed at speed."""
    client = request.client.host if request.client else "unknown"
    if x_api_key and state.key_failures.blocked(client):
        raise HTTPException(429, detail="too many wrong API keys; wait a minute")
    keys = [k.get_secret_value() for k in state.settings.server.engineer_api_keys]
    given = (x_api_key or "").encode()
    matched = [hmac.compare_digest(given, k.encode()) for k in keys]
    if not any(matched):
        if x_api_key:
            state.key_failures.hit(client)
        raise HTTPException(401, detail="a valid engineer API key is required")
    return f"engineer-{matched.index(True) + 1}"


EngineerDep = Annotated[str, Depends(require_engineer)]


def open_session(
    session_id: str,
    assistant: AssistantDep,
    authorization: Annotated[str | None, Header()] = None,
) -> OpenSession:
    """The session whose bearer token matches, loaded once for the request; 401 otherwise, with
    no hint which part was wrong."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, detail="unknown session or token")
    return assistant.open(session_id, token.strip())


SessionDep = Annotated[OpenSession, Depends(open_session)]
