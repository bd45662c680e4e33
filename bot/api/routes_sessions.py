"""Chat sessions for site users: start with an access code, then talk with a bearer token."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.api.deps import AssistantDep, SessionDep, StateDep
from bot.api.errors import documented
from bot.api.inputs import AccessCode, OptionId, require_json
from bot.api.request_context import bind_turn
from bot.api.transcript import render_transcript
from bot.dialogue.state import Message
from bot.errors import SessionError
from bot.kb.citation import Citation
from bot.service.outcome import UserChoice, UserEvent, UserText
from bot.service.state import PublicState

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
    citations: list[Citation]


class StatePublic(BaseModel):
    status: str
    phase: str
    flow_id: str | None
    step_id: str | None
    handoff_id: str | None
    open: bool = Field(True, description="Whether the conversation still takes messages.")
    route: str | None = Field(None, description="A handed-off chat: live_transfer or callback.")
    callback_at: datetime | None = Field(None, description="When the engineer will call back.")
    engineer: str | None = Field(None, description="The engineer in the chat, as shown.")


class SessionPublic(BaseModel):
    session_id: str
    token: str
    messages: list[MessagePublic]
    state: StatePublic


class TurnPublic(BaseModel):
    messages: list[MessagePublic]
    state: StatePublic


class TranscriptEventPublic(BaseModel):
    """One transcript event: ``kind`` is ``user`` (``text`` or ``choice``), ``bot`` (the message's
    ``type``, ``text``, ``choices``, ``citations``) or ``engineer_hand_back`` (``step``)."""

    seq: int
    at: datetime
    kind: str
    text: str | None = None
    choice: str | None = None
    type: str | None = None
    choices: list[ChoicePublic] = []
    citations: list[Citation] = []
    step: str | None = None
    engineer: str | None = None


class TranscriptPublic(BaseModel):
    session_id: str
    state: StatePublic
    transcript: list[TranscriptEventPublic]


def _messages(messages: Sequence[Message]) -> list[MessagePublic]:
    return [MessagePublic.model_validate(m.model_dump()) for m in messages]


def _state(state: PublicState) -> StatePublic:
    return StatePublic.model_validate(state.model_dump())


def _event(body: MessageCreate) -> UserEvent:
    return UserText(body.text) if body.text is not None else UserChoice(body.choice or "")


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
        state.metrics.rate_limited("access_code")
        raise HTTPException(429, detail="too many wrong access codes; wait a minute")
    try:
        started = assistant.start(body.access_code)
    except SessionError:
        state.code_failures.hit(client)
        raise
    return SessionPublic(
        session_id=started.session_id,
        token=started.token,
        messages=_messages(started.messages),
        state=_state(started.state),
    )


_TURN_ERRORS = documented(400, 401, 409, 413, 415, 422, 429, 503)


@router.post(
    "/{session_id}/messages",
    response_model=TurnPublic,
    dependencies=[Depends(bind_turn), Depends(require_json)],
    responses=_TURN_ERRORS,
)
def post_message(body: MessageCreate, session: SessionDep, assistant: AssistantDep) -> TurnPublic:
    """Send free text or the id of an offered choice."""
    outcome = assistant.reply(session, _event(body))
    return TurnPublic(messages=_messages(outcome.messages), state=_state(outcome.public()))


@router.post(
    "/{session_id}/messages/stream",
    response_class=StreamingResponse,
    dependencies=[Depends(bind_turn), Depends(require_json)],
    responses={200: {"content": {"text/event-stream": {}}}, **_TURN_ERRORS},
)
def post_message_stream(
    body: MessageCreate, session: SessionDep, assistant: AssistantDep
) -> StreamingResponse:
    """The same turn as server-sent events: one ``message`` event per reply part, then ``state``."""
    outcome = assistant.reply(session, _event(body))

    def events() -> Iterator[str]:
        for message in _messages(outcome.messages):
            yield f"event: message\ndata: {message.model_dump_json()}\n\n"
        yield f"event: state\ndata: {_state(outcome.public()).model_dump_json()}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


@router.get("/{session_id}", response_model=TranscriptPublic, responses=documented(401, 422, 503))
def read_session(session: SessionDep, assistant: AssistantDep) -> TranscriptPublic:
    """The session's state and its full transcript."""
    state, events = assistant.transcript(session)
    return TranscriptPublic(
        session_id=session.id,
        state=_state(state),
        transcript=[TranscriptEventPublic.model_validate(e) for e in events],
    )


@router.get(
    "/{session_id}/transcript.md",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}}}, **documented(401, 422, 503)},
)
def read_transcript_markdown(session: SessionDep, assistant: AssistantDep) -> Response:
    """The transcript as Markdown; everything typed in the chat renders as literal text."""
    state, events = assistant.transcript(session)
    return Response(
        render_transcript(session.id, session.site.name, state.model_dump(), events),
        media_type="text/markdown; charset=utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )
