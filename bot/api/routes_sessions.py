"""Chat sessions for site users: start with an access code, then talk with a bearer token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.api.deps import AssistantDep, SessionSiteDep, StateDep
from bot.api.errors import documented
from bot.api.inputs import AccessCode, OptionId, require_json
from bot.api.transcript import render_transcript
from bot.assistant import TurnResult
from bot.errors import SessionError

router = APIRouter(prefix="/api/v1/sessions", tags=["sessions"])


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    access_code: AccessCode = Field(examples=["DEMO-1234"])


class MessageCreate(BaseModel):
    """Exactly one of ``text`` and ``choice`` (the schema says so with ``oneOf``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": [name], "properties": {name: {"type": "string"}}}
                for name in ("text", "choice")
            ]
        },
    )

    text: str | None = Field(None, max_length=4000, examples=["the second screen says no signal"])
    choice: OptionId | None = Field(None, examples=["display2"])

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


@router.post(
    "",
    response_model=SessionPublic,
    status_code=201,
    dependencies=[Depends(require_json)],
    responses=documented(400, 401, 413, 415, 422, 429, 503),
)
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


_TURN_ERRORS = documented(400, 401, 409, 413, 415, 422, 503)


@router.post(
    "/{session_id}/messages",
    response_model=TurnPublic,
    dependencies=[Depends(require_json)],
    responses=_TURN_ERRORS,
)
def post_message(
    session_id: str, body: MessageCreate, _: SessionSiteDep, assistant: AssistantDep
) -> TurnPublic:
    """Send free text or the id of an offered choice."""
    result = assistant.reply(session_id, text_in=body.text, choice=body.choice)
    return TurnPublic(messages=_messages(result), state=StatePublic(**result.state))


@router.post(
    "/{session_id}/messages/stream",
    response_class=StreamingResponse,
    dependencies=[Depends(require_json)],
    responses={200: {"content": {"text/event-stream": {}}}, **_TURN_ERRORS},
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


@router.get("/{session_id}", response_model=TranscriptPublic, responses=documented(401, 422, 503))
def read_session(session_id: str, _: SessionSiteDep, assistant: AssistantDep) -> TranscriptPublic:
    """The session's state and its full transcript."""
    state, events = assistant.transcript(session_id)
    return TranscriptPublic(session_id=session_id, state=StatePublic(**state), transcript=events)


@router.get(
    "/{session_id}/transcript.md",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}}}, **documented(401, 422, 503)},
)
def read_transcript_markdown(
    session_id: str, site: SessionSiteDep, assistant: AssistantDep
) -> Response:
    """The transcript as Markdown; everything typed in the chat renders as literal text."""
    state, events = assistant.transcript(session_id)
    return Response(
        render_transcript(session_id, site.name, state, events),
        media_type="text/markdown; charset=utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )
