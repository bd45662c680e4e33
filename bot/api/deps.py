"""FastAPI dependencies as Annotated aliases, so routes read like prose."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from bot.api.state import ServiceState
from bot.kb.service import KnowledgeBase
from bot.service.assistant import Assistant, OpenSession
from bot.service.engineers import EngineerDesk
from bot.service.identity import Engineer, EngineerAuth
from bot.service.kcs import KnowledgeArticles
from bot.service.live import LiveHub
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


def get_kcs(runtime: RuntimeDep) -> KnowledgeArticles:
    if runtime.kcs is None:
        raise HTTPException(503, detail="KCS articles are not available in this process")
    return runtime.kcs


KcsDep = Annotated[KnowledgeArticles, Depends(get_kcs)]


def get_hub(runtime: RuntimeDep) -> LiveHub:
    return runtime.hub


HubDep = Annotated[LiveHub, Depends(get_hub)]


def get_auth(runtime: RuntimeDep) -> EngineerAuth:
    return runtime.auth


AuthDep = Annotated[EngineerAuth, Depends(get_auth)]


def get_kb(runtime: RuntimeDep) -> KnowledgeBase:
    if runtime.kb is None:
        raise HTTPException(503, detail="the knowledge base is not available")
    return runtime.kb


KnowledgeBaseDep = Annotated[KnowledgeBase, Depends(get_kb)]


ENGINEER_COOKIE = "assist_engineer"


def engineer_token(request: Request, authorization: str | None) -> str | None:
    """An engineer's session token: the workspace's cookie, or ``Authorization: Bearer``."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(ENGINEER_COOKIE) or None


def require_engineer(
    request: Request,
    state: StateDep,
    x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Engineer:
    """The engineer behind a signed-in session (cookie or bearer token) or a valid API key.
    Wrong keys count against the caller's address (10 a minute per worker, like wrong access
    codes), so keys cannot be guessed at speed; session tokens are 256-bit and expire."""
    if x_api_key is None:
        token = engineer_token(request, authorization)
        runtime = state.runtime
        if token and runtime is not None:
            return runtime.auth.authenticate(token)
        raise HTTPException(401, detail="sign in, or send a valid engineer API key")
    client = request.client.host if request.client else "unknown"
    if state.key_failures.blocked(client):
        state.metrics.rate_limited("api_key")
        raise HTTPException(429, detail="too many wrong API keys; wait a minute")
    keys = [k.get_secret_value() for k in state.settings.server.engineer_api_keys]
    matched = [hmac.compare_digest(x_api_key.encode(), k.encode()) for k in keys]
    if not any(matched):
        state.key_failures.hit(client)
        raise HTTPException(401, detail="a valid engineer API key is required")
    n = matched.index(True) + 1
    return Engineer(f"api-key-{n}", f"API key {n}", "", "engineer")


EngineerDep = Annotated[Engineer, Depends(require_engineer)]


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
