"""Chat sessions for site users: start with an access code, then talk with a bearer token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, model_validator

from bot.api.deps import AssistantDep, SessionSiteDep, StateDep
from bot.assistant import TurnResult
from bot.errors import SessionError

router = APIRouter(prefix="/api/v1/sessions", tags=["sessions"])


class SessionCreate(BaseModel):
    access_code: str = Field(min_length=1, max_length=100, examples=["DEMO-1234"])


class MessageCreate(BaseModel):
    text: str | None = Field(None, max_length=4000, examples=["the second screen says no signal"])
    choice: str | None = Field(None, max_length=100, examples=["display2"])

    @model_validator(mode="after")
    def _one_of(self) -> MessageCreate:
        if (self.text is None) == (self.choice is None):
            raise ValueError("send exactly one of text or choice")
        return self


class ChoicePublic(BaseModel):
    id: str
    label: str


class MessagePublic(BaseModel):
    type: str
    text: str
    choices: list[ChoicePublic]
    citations: list[dict[str, Any]]


class StatePublic(BaseModel):
    status: str
    phase: str
    flow_id: str | None
    step_id: str | None
    handoff_id: str | None


class SessionPublic(BaseModel):
    session_id: str
    token: str
    messages: list[MessagePublic]
    state: StatePublic


class TurnPublic(BaseModel):
    messages: list[MessagePublic]
    state: StatePublic


class TranscriptPublic(BaseModel):
    session_id: str
    state: StatePublic
    transcript: list[dict[str, Any]]


def _messages(result: TurnResult) -> list[MessagePublic]:
    return [MessagePublic.model_validate(m.model_dump(mode="json")) for m in result.messages]


@router.post("", response_model=SessionPublic, status_code=201)
def create_session(
    body: SessionCreate, request: Request, state: StateDep, assistant: AssistantDep
) -> SessionPublic:
    """Start a chat for the site whose access code this is."""
    client = request.client.host if request.client else "unknown"
    if state.code_failures.blocked(client):
        raise HTTPException(429, detail="too many wrong access codes; wait a minute")
    try:
        result = assistant.start(body.access_code)
    except SessionError:
        state.code_failures.hit(client)
        raise
    assert result.token is not None
    return SessionPublic(
        session_id=result.session_id,
        token=result.token,
        messages=_messages(result),
        state=StatePublic(**result.state),
    )


@router.post("/{session_id}/messages", response_model=TurnPublic)
def post_message(
    session_id: str, body: MessageCreate, _: SessionSiteDep, assistant: AssistantDep
) -> TurnPublic:
    """Send free text or the id of an offered choice."""
    result = assistant.reply(session_id, text_in=body.text, choice=body.choice)
    return TurnPublic(messages=_messages(result), state=StatePublic(**result.state))


@router.post(
    "/{session_id}/messages/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def post_message_stream(
    session_id: str, body: MessageCreate, _: SessionSiteDep, assistant: AssistantDep
) -> StreamingResponse:
    """The same turn as server-sent events: one ``message`` event per reply part, then ``state``."""
    result = assistant.reply(session_id, text_in=body.text, choice=body.choice)

    def events() -> Iterator[str]:
        for message in _messages(result):
            yield f"event: message\ndata: {message.model_dump_json()}\n\n"
        yield f"event: state\ndata: {StatePublic(**result.state).model_dump_json()}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


@router.get("/{session_id}", response_model=TranscriptPublic)
def read_session(session_id: str, _: SessionSiteDep, assistant: AssistantDep) -> TranscriptPublic:
    """The session's state and its full transcript."""
    state, events = assistant.transcript(session_id)
    return TranscriptPublic(session_id=session_id, state=StatePublic(**state), transcript=events)
