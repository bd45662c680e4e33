"""A conversation as it happens: server-sent events for the widget, and the same as a long poll
for browsers or networks where a stream does not get through.

Both read what is new from the store after the sequence number the client already has, so a
client that reconnects (or falls back to polling) gets everything it missed, from any worker.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from bot.api.deps import AssistantDep, HubDep, SessionDep, StateDep
from bot.api.errors import documented
from bot.api.inputs import SEQ_MAX, After
from bot.service.live import session_channel

router = APIRouter(prefix="/api/v1/sessions", tags=["live"])


class UpdatesPublic(BaseModel):
    events: list[dict[str, Any]]
    state: dict[str, Any]


@router.get(
    "/{session_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **documented(401, 422, 503)},
)
async def session_events(
    request: Request,
    session: SessionDep,
    assistant: AssistantDep,
    hub: HubDep,
    service: StateDep,
    after: After = 0,
) -> StreamingResponse:
    """Server-sent events: every new transcript event (``transcript``, with its ``seq`` as the
    event id), then the conversation's ``state``; a comment line every few seconds keeps the
    connection open."""
    header_id = request.headers.get("last-event-id", "")
    last = min(int(header_id), SEQ_MAX) if header_id.isdigit() else after

    async def stream() -> AsyncIterator[str]:
        nonlocal last
        ends = time.monotonic() + service.settings.server.stream_seconds
        channel = session_channel(session.id)
        while time.monotonic() < ends and not await request.is_disconnected():
            state, events = await run_in_threadpool(assistant.updates, session.id, last)
            for event in events:
                last = int(event["seq"])
                yield f"id: {last}\nevent: transcript\ndata: {json.dumps(event)}\n\n"
            if events:
                yield f"event: state\ndata: {state.model_dump_json()}\n\n"
            if not await hub.wait(channel, min(hub.poll_s, max(0.0, ends - time.monotonic()))):
                yield ": waiting\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get(
    "/{session_id}/updates", response_model=UpdatesPublic, responses=documented(401, 422, 503)
)
async def session_updates(
    session: SessionDep,
    assistant: AssistantDep,
    hub: HubDep,
    service: StateDep,
    after: After = 0,
    wait: Annotated[float, Query(ge=0, le=25, description="Seconds to wait for news.")] = 0,
) -> UpdatesPublic:
    """The same news as a long poll: the events after ``after`` and the state, at once when
    there are some, else after up to ``wait`` seconds (at most the server's stream time)."""
    state, events = await run_in_threadpool(assistant.updates, session.id, after)
    wait = min(wait, service.settings.server.stream_seconds)
    if not events and wait:
        await hub.wait(session_channel(session.id), wait)
        state, events = await run_in_threadpool(assistant.updates, session.id, after)
    return UpdatesPublic(events=events, state=state.model_dump(mode="json"))
