"""The engineers' workspace API: sign in, the queue by the contract clock, a case with its chat,
site and contract, messages into the chat (text or knowledge-base citations), live updates, and
the outbox's dead letters. The moves themselves are the engineer routes
(``POST /api/v1/handoffs/{id}/claim|resolve|hand_back|hand_over``), which accept a signed-in
engineer as well as an API key.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.api.deps import (
    ENGINEER_COOKIE,
    AuthDep,
    EngineerDep,
    EngineersDep,
    HubDep,
    StateDep,
    engineer_token,
)
from bot.api.errors import documented
from bot.api.inputs import After, Note, require_json
from bot.errors import AuthError, MoveError
from bot.kb.citation import Citation
from bot.service.engineers import QueueItem
from bot.service.identity import Engineer
from bot.service.live import QUEUE

router = APIRouter(
    prefix="/api/v1/engineer", tags=["workspace"], responses=documented(401, 422, 429)
)


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=200)
    password: str = Field(max_length=200)


class EngineerPublic(BaseModel):
    id: str
    name: str
    email: str
    role: str


class SignedIn(BaseModel):
    engineer: EngineerPublic
    token: str


class QueueItemPublic(BaseModel):
    id: str
    priority: str
    status: str
    group: str
    site: str
    device: str | None
    issue: str
    created_at: datetime
    waiting_seconds: int | None
    callback_at: datetime | None
    overdue: bool
    claimed_by: str | None


class LinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    who: str
    at: datetime
    text: str
    name: str
    choices: list[str]
    citations: list[Citation]


class CasePublic(BaseModel):
    id: str
    status: str
    priority: str
    session_id: str | None
    claimed_by: str | None
    markdown: str
    record: dict[str, Any]
    site: dict[str, Any]
    steps: list[str]
    transcript: list[LinePublic]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Note = ""
    citations: list[Citation] = Field(default_factory=list, max_length=5)


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sink: str
    key: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None


def _public(engineer: Engineer) -> EngineerPublic:
    return EngineerPublic(
        id=engineer.id, name=engineer.name, email=engineer.email, role=engineer.role
    )


def _item(item: QueueItem) -> QueueItemPublic:
    h = item.handoff
    env = h.record.get("environment") or {}
    device = " ".join(str(v) for v in (env.get("asset_model"), env.get("room")) if v) or None
    return QueueItemPublic(
        id=h.id,
        priority=h.priority,
        status=h.status,
        group=item.group,
        site=str(env.get("site_name") or h.site_id),
        device=device,
        issue=str(h.record.get("issue", ""))[:200],
        created_at=h.created_at,
        waiting_seconds=int(item.waiting.total_seconds()) if item.waiting else None,
        callback_at=item.callback_at,
        overdue=item.overdue,
        claimed_by=h.claimed_by,
    )


@router.post(
    "/login",
    response_model=SignedIn,
    dependencies=[Depends(require_json)],
    responses=documented(400, 401, 413, 415, 422, 429),
)
def login(
    body: SignIn, request: Request, response: Response, state: StateDep, auth: AuthDep
) -> SignedIn:
    """Sign in with an e-mail and password: the session token (also set as an HttpOnly,
    SameSite=Strict cookie for the workspace page)."""
    client = request.client.host if request.client else "unknown"
    if state.login_failures.blocked(client):
        state.metrics.rate_limited("sign_in")
        raise HTTPException(429, detail="too many failed sign-ins; wait a minute")
    try:
        token, engineer = auth.sign_in(body.email, body.password)
    except AuthError:
        state.login_failures.hit(client)
        raise
    response.set_cookie(
        ENGINEER_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=int(auth.absolute.total_seconds()),
        path="/",
    )
    return SignedIn(engineer=_public(engineer), token=token)


@router.post("/logout", status_code=204, responses=documented(401))
def logout(request: Request, response: Response, auth: AuthDep) -> Response:
    """End the session (the cookie is cleared too)."""
    token = engineer_token(request, request.headers.get("authorization"))
    if token:
        auth.sign_out(token)
    response.delete_cookie(ENGINEER_COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/me", response_model=EngineerPublic, responses=documented(401))
def me(engineer: EngineerDep) -> EngineerPublic:
    return _public(engineer)


@router.get("/engineers", response_model=list[EngineerPublic], responses=documented(401))
def engineers_list(_: EngineerDep, auth: AuthDep) -> list[EngineerPublic]:
    """Everyone a case can be handed over to."""
    return [_public(e) for e in auth.all()]


@router.get("/queue", response_model=list[QueueItemPublic], responses=documented(401))
def queue(
    _: EngineerDep, desk: EngineersDep, closed: Annotated[bool, Query()] = False
) -> list[QueueItemPublic]:
    """Live transfers waiting (oldest first), callbacks by their time (overdue first), the cases
    being worked, then the closed ones when asked; P1 first within each."""
    return [_item(i) for i in desk.queue_view(include_closed=closed)]


@router.get("/cases/{handoff_id}", response_model=CasePublic, responses=documented(401, 404))
def case(handoff_id: str, _: EngineerDep, desk: EngineersDep) -> CasePublic:
    """A case: the record, the transcript so far, the site's assets and contract, the steps it
    can be handed back at."""
    handoff = desk.handoff(handoff_id)
    if handoff is None:
        raise HTTPException(404, detail=f"no handoff {handoff_id}")
    return CasePublic(
        id=handoff.id,
        status=handoff.status,
        priority=handoff.priority,
        session_id=handoff.session_id,
        claimed_by=handoff.claimed_by,
        markdown=handoff.markdown,
        record=handoff.record,
        site=desk.site_summary(handoff),
        steps=desk.resume_steps(handoff),
        transcript=[LinePublic.model_validate(line) for line in desk.transcript(handoff)],
    )


@router.post(
    "/cases/{handoff_id}/messages",
    status_code=201,
    dependencies=[Depends(require_json)],
    responses=documented(400, 401, 404, 409, 413, 415, 422),
)
def send_message(
    handoff_id: str, body: ChatMessage, engineer: EngineerDep, desk: EngineersDep
) -> dict[str, str]:
    """Write into the site user's chat: text, knowledge-base citations, or both."""
    try:
        desk.say(handoff_id, engineer, body.text, body.citations)
    except MoveError as exc:
        raise HTTPException(
            400 if exc.code == "move_incomplete" else 409, detail=str(exc)
        ) from None
    return {"status": "sent"}


@router.get(
    "/cases/{handoff_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **documented(401, 404)},
)
async def case_events(
    handoff_id: str,
    request: Request,
    _: EngineerDep,
    desk: EngineersDep,
    hub: HubDep,
    state: StateDep,
    after: After = 0,
) -> StreamingResponse:
    """Server-sent events of a case's chat (``line``) and of its status (``case``)."""
    handoff = await run_in_threadpool(desk.handoff, handoff_id)
    if handoff is None or handoff.session_id is None:
        raise HTTPException(404, detail=f"no chat for handoff {handoff_id}")
    channel = f"session:{handoff.session_id}"

    async def stream() -> AsyncIterator[str]:
        last = after
        status = None
        ends = time.monotonic() + state.settings.server.stream_seconds
        while time.monotonic() < ends and not await request.is_disconnected():
            current = await run_in_threadpool(desk.handoff, handoff_id)
            if current is None:
                return
            lines = await run_in_threadpool(desk.transcript_after, current, last)
            for line in lines:
                last = line.seq
                yield f"id: {last}\nevent: line\ndata: {LinePublic.model_validate(line).model_dump_json()}\n\n"
            if (current.status, current.claimed_by) != status:
                status = (current.status, current.claimed_by)
                data = json.dumps({"status": current.status, "claimed_by": current.claimed_by})
                yield f"event: case\ndata: {data}\n\n"
            if not await hub.wait(channel, min(hub.poll_s, max(0.0, ends - time.monotonic()))):
                yield ": waiting\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream")


@router.get(
    "/queue/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **documented(401)},
)
async def queue_events(
    request: Request, _: EngineerDep, desk: EngineersDep, hub: HubDep, state: StateDep
) -> StreamingResponse:
    """Server-sent events: the whole queue (``queue``) whenever it changes."""

    async def stream() -> AsyncIterator[str]:
        ends = time.monotonic() + state.settings.server.stream_seconds
        shown = None
        while time.monotonic() < ends and not await request.is_disconnected():
            items = await run_in_threadpool(desk.queue_view)
            data = json.dumps([_item(i).model_dump(mode="json") for i in items])
            if data != shown:
                shown = data
                yield f"event: queue\ndata: {data}\n\n"
            if not await hub.wait(
                QUEUE, min(max(hub.poll_s, 5.0), max(0.0, ends - time.monotonic()))
            ):
                yield ": waiting\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream")


@router.get("/outbox", response_model=list[DeliveryPublic], responses=documented(401))
def outbox(
    _: EngineerDep,
    desk: EngineersDep,
    status: Literal["pending", "delivered", "dead"] | None = None,
) -> list[DeliveryPublic]:
    """Handoff deliveries to the configured sinks, newest first (dead letters: ``status=dead``)."""
    return [DeliveryPublic.model_validate(d) for d in desk.deliveries(status)]


@router.post("/outbox/{entry_id}/retry", responses=documented(401, 403, 404))
def retry_delivery(entry_id: int, engineer: EngineerDep, desk: EngineersDep) -> dict[str, int]:
    """Deliver a dead letter again (admins only)."""
    if engineer.role != "admin":
        raise HTTPException(403, detail="only an admin can retry deliveries")
    if not desk.retry_delivery(entry_id):
        raise HTTPException(404, detail=f"no undelivered entry {entry_id}")
    return {"retried": entry_id}
