"""The engineers' desk: one table of moves, each signed, each changing the chat with the handoff."""

from __future__ import annotations

import pytest

from bot.errors import MoveError
from bot.service.engineers import TRANSITIONS, Move
from bot.service.outcome import UserChoice, UserText
from bot.service.runtime import Runtime


def _handed_off(
    runtime: Runtime, opening: str = "the codec in room 1 won't turn on"
) -> tuple[str, str]:
    assistant = runtime.assistant
    started = assistant.start("DEMO-1234")
    for event in (
        UserText(opening),
        UserChoice("person"),
        UserText("Sam Rivera"),
        UserText("617 555 0100"),
        UserText("yes"),
        UserText("yes"),
    ):
        outcome = assistant.reply(started.session_id, event)
    assert outcome.state.handoff_id, [m.text for m in outcome.messages]
    return started.session_id, outcome.state.handoff_id


def test_every_move_follows_the_one_table(runtime: Runtime) -> None:
    assert {m: (sorted(a), t) for m, (a, t) in TRANSITIONS.items()} == {
        Move.CLAIM: (["open"], "claimed"),
        Move.RESOLVE: (["claimed"], "resolved"),
        Move.HAND_BACK: (["claimed", "open"], "handed_back"),
    }


def test_claim_then_resolve_moves_the_chat_with_the_case(runtime: Runtime) -> None:
    desk, assistant = runtime.engineers, runtime.assistant
    session_id, handoff_id = _handed_off(runtime)
    with pytest.raises(MoveError, match="is open; it cannot be resolved"):
        desk.move(handoff_id, Move.RESOLVE, engineer="dana", note="fixed")
    claimed = desk.move(handoff_id, Move.CLAIM, engineer="dana")
    assert claimed.claimed_by == "dana"
    assert assistant.open_by_id(session_id).state.phase.kind == "with_engineer"
    with pytest.raises(MoveError, match="note"):
        desk.move(handoff_id, Move.RESOLVE, engineer="dana", note="  ")
    desk.move(handoff_id, Move.RESOLVE, engineer="dana", note="Reseated the PSU connector.")
    chat = assistant.open_by_id(session_id).state
    assert chat.public().status == "resolved" and chat.handoff_id == handoff_id


def test_hand_back_at_a_step_resumes_the_flow_in_the_same_transaction(runtime: Runtime) -> None:
    desk, assistant = runtime.engineers, runtime.assistant
    session_id, handoff_id = _handed_off(runtime)
    steps = desk.resume_steps(desk.handoff(handoff_id))  # type: ignore[arg-type]
    assert steps and steps[0] == runtime.flows["power"].start
    moved = desk.move(handoff_id, Move.HAND_BACK, engineer="dana", step=steps[0], note="Try again")
    assert moved.status == "handed_back" and moved.handed_back_to == steps[0]
    state = assistant.open_by_id(session_id).state
    assert state.public().model_dump() | {"handoff_id": None} == {
        "status": "active",
        "phase": "in_flow",
        "flow_id": "power",
        "step_id": steps[0],
        "handoff_id": None,
    }
    lines = desk.transcript(moved)
    assert lines[-2].who == "engineer" and lines[-1].text.startswith("Try again\n")  # + question
    with pytest.raises(MoveError, match="handed back"):
        desk.move(handoff_id, Move.CLAIM, engineer="dana")


def test_hand_back_without_a_step_returns_to_the_open_question(runtime: Runtime) -> None:
    session_id, handoff_id = _handed_off(runtime)
    runtime.engineers.move(handoff_id, Move.HAND_BACK, engineer="dana")
    state = runtime.assistant.open_by_id(session_id).state
    assert state.public().phase == "idle" and state.diagnosis is None
