"""Property tests: whatever a user sends, at any step of any bundled flow, the engine answers."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialogue.engine import EngineEvent, advance
from bot.dialogue.events import (
    Answer,
    DontKnow,
    Escalate,
    GoBack,
    KbResult,
    SideQuestion,
    Start,
    StartOver,
)
from bot.dialogue.intents import interpret
from bot.dialogue.loader import load_flows
from bot.dialogue.schema import Flow
from bot.dialogue.state import SiteContext
from tests.dialogue.conftest import AT, FLOWS_DIR

WORDS = ["yes", "no", "not sure", "go back", "start over", "red", "white", "amber", "blue",
         "off", "about 20 metres", "2 hours", "display2", "both", "cable", "button", "", "?",
         "where is it?", "talk to a person", "x" * 10_000]  # fmt: skip


@cache
def flows() -> dict[str, Flow]:
    return load_flows(FLOWS_DIR).by_id()


def events() -> st.SearchStrategy[tuple[str, str]]:
    return st.one_of(
        st.tuples(st.just("text"), st.sampled_from(WORDS) | st.text(max_size=60)),
        st.tuples(st.just("choice"), st.sampled_from(["yes", "no", "not_sure", "red", "bogus"])),
        st.tuples(
            st.sampled_from(["back", "over", "dunno", "person", "side", "kb_found", "kb_none"]),
            st.just(""),
        ),
    )


def build(kind: str, value: str, at: object, flow: Flow, state: object) -> EngineEvent:
    if kind == "text":
        return interpret(flow, state, value, at)  # type: ignore[arg-type]
    if kind == "choice":
        return Answer(at=at, choice=value)  # type: ignore[arg-type]
    simple = {"back": GoBack, "over": StartOver, "dunno": DontKnow, "person": Escalate}
    if kind in simple:
        return simple[kind](at=at)  # type: ignore[arg-type]
    if kind == "side":
        return SideQuestion(at=at, text="what is PoE?")  # type: ignore[arg-type]
    return KbResult(at=at, found=kind == "kb_found", fixed_in="99.0.0")  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(
    flow_id=st.sampled_from(sorted(flows())),
    firmware=st.sampled_from([None, "1.0.0", "9.4.0", "junk"]),
    script=st.lists(events(), max_size=25),
)
def test_any_sequence_of_user_moves_is_answered(
    flow_id: str, firmware: str | None, script: list[tuple[str, str]]
) -> None:
    flow = flows()[flow_id]
    context = SiteContext(product=flow.products[0], firmware=firmware)
    state, messages = advance(flows(), None, Start(at=AT, flow_id=flow_id, context=context))
    for minute, (kind, value) in enumerate(script, start=1):
        at = AT + timedelta(minutes=minute)
        before = state
        state, messages = advance(flows(), state, build(kind, value, at, flow, state))
        assert state.flow_id == flow_id and flow.has_step(state.step_id)
        assert state.steps_taken >= before.steps_taken
        if state.finished:
            assert state.pending_kb is None
        if state.status in ("resolved", "fault"):
            assert state.outcome is not None and state.outcome.step_id == state.step_id
        if state is before and not isinstance(build(kind, value, at, flow, before), SideQuestion):
            assert messages, "an unusable event must still get an answer"
