"""The engineers' desk: one table of moves, each signed, each changing the chat with the handoff."""

from __future__ import annotations

import pytest

from bot.errors import MoveError
from bot.service.identity import Engineer
from bot.service.moves import TRANSITIONS, Move
from bot.service.outcome import UserChoice, UserText
from bot.service.runtime import Runtime

DANA = Engineer("dana", "Dana Whitfield", "dana@protelecom.example", "engineer")


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
        Move.HAND_OVER: (["claimed"], "claimed"),
    }


def test_claim_then_resolve_moves_the_chat_with_the_case(runtime: Runtime) -> None:
    desk, assistant = runtime.engineers, runtime.assistant
    session_id, handoff_id = _handed_off(runtime)
    with pytest.raises(MoveError, match="is open; it cannot be resolved"):
        desk.move(handoff_id, Move.RESOLVE, engineer=DANA, note="fixed")
    claimed = desk.move(handoff_id, Move.CLAIM, engineer=DANA)
    assert claimed.claimed_by == "dana"
    chat = assistant.open_by_id(session_id).state
    assert chat.phase.kind == "with_engineer" and chat.public().engineer == DANA.signature
    with pytest.raises(MoveError, match="note"):
        desk.move(handoff_id, Move.RESOLVE, engineer=DANA, note="  ")
    desk.say(handoff_id, DANA, "Please check the power lead at the wall.")
    desk.move(handoff_id, Move.RESOLVE, engineer=DANA, note="Reseated the PSU connector.")
    chat = assistant.open_by_id(session_id).state
    assert chat.public().status == "resolved" and chat.handoff_id == handoff_id
    assert chat.phase.kind == "rating" and chat.public().open  # "did this solve it?" waits
    lines = desk.transcript(desk.handoff(handoff_id))  # type: ignore[arg-type]
    assert [(line.who, line.text) for line in lines[-4:]] == [
        ("activity", "Dana (ProTelecom engineer) joined."),
        ("engineer", "Please check the power lead at the wall."),
        (
            "activity",
            "Dana (ProTelecom engineer) marked the problem as resolved: Reseated the PSU connector.",
        ),
        ("assistant", "Did this solve your problem?"),
    ]
    rated = assistant.reply(session_id, UserText("yes it works now"))
    assert rated.state.rating == "yes" and not rated.public().open


def test_only_the_engineer_with_the_case_writes_in_its_chat_and_it_can_be_handed_over(
    runtime: Runtime,
) -> None:
    desk = runtime.engineers
    session_id, handoff_id = _handed_off(runtime)
    sam = Engineer("sam", "Sam Patel", "sam@protelecom.example", "engineer")
    with pytest.raises(MoveError, match="claim"):
        desk.say(handoff_id, DANA, "hello")
    desk.move(handoff_id, Move.CLAIM, engineer=DANA)
    with pytest.raises(MoveError, match="claim"):
        desk.say(handoff_id, sam, "hello")  # Dana has it
    with pytest.raises(MoveError, match="choose the engineer"):
        desk.move(handoff_id, Move.HAND_OVER, engineer=DANA, to="nobody")
    desk.moves.find_engineer = lambda engineer_id: sam if engineer_id == "sam" else None
    moved = desk.move(handoff_id, Move.HAND_OVER, engineer=DANA, to="sam")
    assert moved.claimed_by == "sam"
    chat = runtime.assistant.open_by_id(session_id).state
    assert chat.public().engineer == "Sam (ProTelecom engineer)"
    desk.say(handoff_id, sam, "Sam here, taking over.")
    assert desk.transcript(moved)[-1].name == "Sam (ProTelecom engineer)"


def test_hand_back_at_a_step_resumes_the_flow_in_the_same_transaction(runtime: Runtime) -> None:
    desk, assistant = runtime.engineers, runtime.assistant
    session_id, handoff_id = _handed_off(runtime)
    steps = desk.resume_steps(desk.handoff(handoff_id))  # type: ignore[arg-type]
    assert steps and steps[0] == runtime.flows["power"].start
    moved = desk.move(handoff_id, Move.HAND_BACK, engineer=DANA, step=steps[0], note="Try again")
    assert moved.status == "handed_back" and moved.handed_back_to == steps[0]
    state = assistant.open_by_id(session_id).state
    public = state.public()
    assert (public.status, public.phase, public.flow_id, public.step_id, public.handoff_id) == (
        "active",
        "in_flow",
        "power",
        steps[0],
        None,
    )
    lines = desk.transcript(moved)
    assert lines[-3].who == "activity" and "handed the chat back" in lines[-3].text
    assert lines[-1].text.startswith("Try again\n")  # + the step's question
    with pytest.raises(MoveError, match="handed back"):
        desk.move(handoff_id, Move.CLAIM, engineer=DANA)


def test_hand_back_without_a_step_returns_to_the_open_question(runtime: Runtime) -> None:
    session_id, handoff_id = _handed_off(runtime)
    runtime.engineers.move(handoff_id, Move.HAND_BACK, engineer=DANA)
    state = runtime.assistant.open_by_id(session_id).state
    assert state.public().phase == "idle" and state.diagnosis is None
