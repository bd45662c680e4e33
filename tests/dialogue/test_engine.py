"""The pure engine: every user move at every kind of step, with the flow under test inline."""

from __future__ import annotations

import pytest

from bot.dialogue.engine import advance
from bot.dialogue.events import (
    Answer,
    DontKnow,
    Escalate,
    EventAdapter,
    GoBack,
    KbResult,
    SideQuestion,
    Start,
    StartOver,
    Unclear,
)
from bot.dialogue.intents import interpret
from bot.dialogue.state import DialogueState, SiteContext
from bot.errors import FlowError
from bot.kb.citation import Citation
from tests.dialogue.conftest import AT, flow_from

FLOW = flow_from(
    """
    id: screen
    title: Screen shows no signal
    description: The display shows no signal.
    examples: [a, b, c, d, e, f]
    products: [cx-codec]
    steps:
      - id: led
        kind: ask
        instruction: Look at the codec's front LED.
        question: What colour is the codec LED?
        slot: led
        answer:
          type: choice
          options:
            - {id: white, label: Solid white}
            - {id: amber, label: Amber (orange)}
            - {id: red, label: Red}
        next:
          - if: answer == "red"
            then: hardware
          - else: room
      - id: room
        kind: collect
        slot: room
        question: Which room is this?
        next: input
      - id: input
        kind: ask
        question: Does the picture come back after selecting HDMI 1?
        answer: {type: yes_no}
        not_sure: cable
        next:
          - if: answer == "yes"
            then: fixed
          - else: cable
      - id: cable
        kind: ask
        safety: Never open the codec.
        question: How long is the HDMI cable?
        answer: {type: number, unit: m, min: 0, max: 50}
        next:
          - if: answer > 10
            then: hardware
          - if: context.model == "CX-900"
            then: kb
          - else: fixed
      - id: kb
        kind: check_kb
        query: "no signal in {slot.room} after standby"
        found: software
        not_found: confirm
      - id: confirm
        kind: ask
        skill: advanced
        question: Is the display's own menu visible?
        answer: {type: yes_no}
        next:
          - if: answer == "no"
            then: hardware
          - else: fixed
      - id: fixed
        kind: outcome
        outcome: resolved
        summary: Picture back.
        message: The picture is back.
      - id: hardware
        kind: outcome
        outcome: fault
        category: hardware
        component: codec
        summary: Red LED or long cable.
      - id: software
        kind: outcome
        outcome: fault
        category: software
        component: codec firmware
        summary: Known issue fixed in newer firmware.
    """
)
CX900 = SiteContext(product="cx-codec", model="CX-900", firmware="9.4.0")
CITATION = Citation(
    title="CX 9.4.1 release notes", source="cx/9.4.1.md", version="9.4.1", section="Fixed issues"
)


def start(context: SiteContext | None = CX900) -> DialogueState:
    state, _ = advance(FLOW, None, Start(at=AT, flow_id="screen", context=context))
    return state


def say(state: DialogueState, text: str | None = None, choice: str | None = None):  # type: ignore[no-untyped-def]
    return advance(FLOW, state, Answer(at=AT, text=text, choice=choice))


def walk(*replies: str, context: SiteContext | None = CX900) -> DialogueState:
    state = start(context)
    for reply in replies:
        state, _ = say(state, reply)
    return state


def test_start_greets_and_asks_the_first_question_with_choices() -> None:
    state, messages = advance(FLOW, None, Start(at=AT, flow_id="screen", context=CX900))
    assert (state.flow_id, state.step_id, state.status, state.steps_taken) == (
        "screen",
        "led",
        "active",
        1,
    )
    assert [m.type for m in messages] == ["text", "question"]
    assert "Look at the codec's front LED." in messages[1].text
    assert [c.id for c in messages[1].choices] == ["white", "amber", "red"]


def test_choice_id_and_free_text_both_answer_a_choice_step() -> None:
    by_id, _ = say(start(), choice="white")
    by_text, _ = say(start(), text="the light is orange")
    assert by_id.step_id == by_text.step_id == "room"
    assert by_text.history[-1].value == "amber"
    assert by_text.slots == {"led": "amber"}


def test_red_led_ends_in_a_hardware_fault() -> None:
    state, messages = say(start(), choice="red")
    assert state.status == "fault"
    assert state.outcome is not None and state.outcome.category == "hardware"
    assert messages[-1].type == "outcome"


def test_unsure_answer_is_confirmed_before_it_counts() -> None:
    state, messages = say(start(), "ornage")
    assert state.step_id == "led" and state.pending_confirm is not None
    assert "Amber (orange)" in messages[0].text
    assert [c.id for c in messages[0].choices] == ["yes", "no"]
    confirmed, _ = say(state, "yes")
    assert confirmed.step_id == "room" and confirmed.history[-1].value == "amber"
    rejected, messages = say(state, "no")
    assert rejected.step_id == "led" and rejected.pending_confirm is None
    assert messages[0].type == "question"


def test_collect_fills_a_slot_and_kb_query_uses_it() -> None:
    state = walk("white", "Room 4", "no", "4 metres")
    assert state.slots["room"] == "Room 4"
    assert state.pending_kb is not None
    assert state.pending_kb.query == "no signal in Room 4 after standby"
    assert (state.pending_kb.product, state.pending_kb.firmware) == ("cx-codec", "9.4.0")


def test_go_back_undoes_the_last_answer_and_its_slot() -> None:
    state = walk("white", "Room 4")
    assert state.step_id == "input"
    back, messages = advance(FLOW, state, GoBack(at=AT))
    assert back.step_id == "room"
    assert "room" not in back.slots and len(back.history) == 1
    assert messages[0].text == "OK, going back." and messages[-1].type == "question"
    again, _ = say(back, "go back")
    assert again.step_id == "led" and again.history == () and again.slots == {}


def test_go_back_at_the_first_question_changes_nothing() -> None:
    state = start()
    same, messages = advance(FLOW, state, GoBack(at=AT))
    assert same is state
    assert "first question" in messages[0].text


def test_start_over_restarts_the_flow_and_keeps_the_site_context() -> None:
    state = walk("white", "Room 4")
    new, messages = advance(FLOW, state, StartOver(at=AT))
    assert new.step_id == "led" and new.history == () and new.slots == {}
    assert new.context == CX900
    assert new.steps_taken > state.steps_taken  # the circuit breaker counts the whole session
    assert messages[0].text == "OK, let's start over."


def test_dont_know_takes_the_not_sure_branch() -> None:
    state = walk("white", "Room 4")
    new, _ = advance(FLOW, state, DontKnow(at=AT))
    assert new.step_id == "cable"
    assert new.history[-1].answer == "not sure"
    by_text, _ = say(state, "no idea, sorry")
    assert by_text.step_id == "cable"


def test_dont_know_without_a_not_sure_branch_escalates() -> None:
    state, messages = advance(FLOW, start(), DontKnow(at=AT))
    assert state.status == "escalated"
    assert "could not answer 'led'" in (state.escalation_reason or "")
    assert messages[-1].type == "handoff"


def test_talk_to_a_person_escalates_at_once_with_what_is_known() -> None:
    state = walk("white", "Room 4")
    by_event, _ = advance(FLOW, state, Escalate(at=AT))
    by_text, messages = say(state, "can I talk to a person please")
    for escalated in (by_event, by_text):
        assert escalated.status == "escalated"
        assert escalated.slots == {"led": "white", "room": "Room 4"}
        assert len(escalated.history) == 2
    assert messages[0].type == "handoff"


def test_side_question_re_asks_the_same_step_and_keeps_the_state() -> None:
    state = walk("white")
    same, messages = advance(FLOW, state, SideQuestion(at=AT, text="where is the codec?"))
    assert same is state
    assert messages[0].type == "question" and messages[0].text.startswith("Back to our check:")


def test_a_question_not_understood_is_asked_again_with_its_instruction() -> None:
    state = start()
    for reply in ("not sure what you mean", "sorry, what do you mean?"):
        event = interpret(FLOW, state, reply, AT)
        assert isinstance(event, Unclear), reply
        same, messages = advance(FLOW, state, event)
        assert same is state and same.misses == 0  # no answer, no miss, no "not sure" branch
        assert messages[0].text.startswith("Let me say it again:\nLook at the codec's front LED.")
        assert [c.id for c in messages[0].choices] == ["white", "amber", "red"]
    # a plain "not sure" is still an answer
    assert not isinstance(interpret(FLOW, state, "not sure", AT), Unclear)


@pytest.mark.parametrize(
    ("text", "choice", "expected"),
    [
        (None, "purple", "is not one of the options"),
        ("", None, "I didn't get an answer."),
        ("   ", None, "I didn't get an answer."),
        ("x" * 10_000, None, "didn't catch"),
    ],
)
def test_unusable_input_keeps_the_state_and_says_why(
    text: str | None, choice: str | None, expected: str
) -> None:
    state = start()
    same, messages = say(state, text, choice)
    # nothing moves on; a reply that was read but not understood is counted
    assert same.model_copy(update={"misses": state.misses, "updated_at": state.updated_at}) == state
    assert same.misses == state.misses + (1 if expected == "didn't catch" else 0)
    assert expected in messages[0].text
    assert messages[0].choices  # the options are offered again


def test_a_reply_to_a_finished_flow_changes_nothing() -> None:
    state, _ = say(start(), choice="red")
    for event in (Answer(at=AT, text="hello"), DontKnow(at=AT), GoBack(at=AT), Escalate(at=AT)):
        same, messages = advance(FLOW, state, event)
        assert same is state
        assert "This check has finished" in messages[0].text


def test_number_answers_respect_units_and_range() -> None:
    state = walk("white", "Room 4", "no")
    same, messages = say(state, "about 200 metres")
    assert same is state and "between 0 and 50 m" in messages[0].text
    far, _ = say(state, "60 feet")  # 18.3 m > 10 m
    assert far.outcome is not None and far.outcome.step_id == "hardware"
    assert far.history[-1].value == pytest.approx(18.3)


def test_check_kb_round_trip_with_a_newer_fix_recommends_the_update() -> None:
    state = walk("white", "Room 4", "no", "4")
    assert state.pending_kb is not None and state.step_id == "kb"
    result = KbResult(at=AT, found=True, summary="CX-4821: Display 2 no signal after standby",
                      citations=[CITATION], fixed_in="9.4.1")  # fmt: skip
    done, messages = advance(FLOW, state, result)
    assert done.status == "fault" and done.outcome is not None
    assert done.outcome.category == "software"
    assert "fixed in firmware 9.4.1" in messages[0].text and "runs 9.4.0" in messages[0].text
    assert messages[0].citations == (CITATION,)
    assert messages[-1].type == "outcome" and messages[-1].citations == (CITATION,)
    assert done.kb_findings[-1].update_recommended and done.pending_kb is None


def test_check_kb_fix_already_installed_takes_the_not_found_branch() -> None:
    context = SiteContext(product="cx-codec", model="CX-900", firmware="9.4.1")
    state = walk("white", "Room 4", "no", "4", context=context)
    result = KbResult(at=AT, found=True, summary="CX-4821", citations=[CITATION], fixed_in="9.4.1")
    done, messages = advance(FLOW, state, result)
    assert done.step_id == "confirm"
    assert "already runs 9.4.1" in messages[0].text
    assert not done.kb_findings[-1].applies
    assert "engineer or IT administrator" in messages[1].text  # advanced skill note


def test_a_known_issue_of_a_device_not_on_record_is_not_taken_for_its_fix() -> None:
    # a check about the camera while the room has only the codec on record (no camera peer)
    state = walk("white", "Room 4", "no", "4")
    assert state.pending_kb is not None
    request = state.pending_kb.model_copy(update={"product": "vx-camera", "on_record": False})
    state = state.model_copy(update={"pending_kb": request})
    result = KbResult(at=AT, found=True, summary="VX-2870: Flicker", citations=[CITATION],
                      fixed_in="3.1.0")  # fmt: skip
    done, messages = advance(FLOW, state, result)
    assert done.step_id == "confirm" and not done.kb_findings[-1].applies
    assert "No VX camera is on record in this room" in messages[0].text
    assert "fixed in firmware" not in messages[0].text


def test_check_kb_not_found_and_stray_events() -> None:
    state = walk("white", "Room 4", "no", "4")
    busy, messages = say(state, "hello?")
    assert busy is state and "still checking" in messages[0].text
    done, _ = advance(FLOW, state, KbResult(at=AT, found=False))
    assert done.step_id == "confirm" and done.history[-1].answer == "not found"
    stray, messages = advance(FLOW, done, KbResult(at=AT, found=True))
    assert stray is done and "No knowledge-base check is waiting" in messages[0].text


def test_safety_notes_come_before_the_question() -> None:
    _, messages = say(walk("white", "Room 4"), "no")
    assert messages[0].text == "Safety: Never open the codec."
    assert messages[1].type == "question"


def test_context_conditions_choose_the_branch() -> None:
    no_model = walk("white", "Room 4", "no", "4", context=SiteContext(product="cx-codec"))
    assert no_model.status == "resolved"


def test_circuit_breaker_ends_a_runaway_loop_in_an_escalation() -> None:
    loop = flow_from(
        """
        id: loop
        title: Loop
        description: d
        examples: [a, b, c, d, e, f]
        products: [cx-codec]
        steps:
          - id: again
            kind: ask
            question: Try again?
            answer: {type: yes_no}
            next:
              - if: answer == "yes"
                then: again
              - else: done
          - id: done
            kind: outcome
            outcome: resolved
            summary: ok
        """
    )
    state, _ = advance(loop, None, Start(at=AT, flow_id="loop"))
    for _ in range(99):
        state, _ = advance(loop, state, Answer(at=AT, choice="yes"))
    assert state.status == "active" and state.steps_taken == 100
    state, messages = advance(loop, state, Answer(at=AT, choice="yes"))
    assert state.status == "escalated"
    assert "circuit breaker" in (state.escalation_reason or "")
    assert messages[-1].type == "handoff"
    small, _ = advance(loop, None, Start(at=AT, flow_id="loop"), max_steps=1)
    small, _ = advance(loop, small, Answer(at=AT, choice="yes"), max_steps=1)
    assert small.status == "escalated"


def test_caller_mistakes_raise_flow_error() -> None:
    with pytest.raises(FlowError, match="unknown flow 'nope'"):
        advance({"screen": FLOW}, None, Start(at=AT, flow_id="nope"))
    with pytest.raises(FlowError, match="send Start"):
        advance(FLOW, None, GoBack(at=AT))


def test_state_and_events_round_trip_through_json() -> None:
    state = walk("white", "Room 4", "no", "4")
    assert DialogueState.model_validate_json(state.model_dump_json()) == state
    event = KbResult(at=AT, found=True, citations=[CITATION], fixed_in="9.4.1")
    assert EventAdapter.validate_json(event.model_dump_json()) == event
    assert EventAdapter.validate_python({"type": "go_back", "at": AT}) == GoBack(at=AT)


def test_advance_is_deterministic_and_leaves_its_input_alone() -> None:
    state = walk("white")
    before = state.model_dump()
    first = say(state, "Room 4")
    second = say(state, "Room 4")
    assert first == second
    assert state.model_dump() == before
