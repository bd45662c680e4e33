"""A turn is a value: computed without writing, saved whole, and the loser of a race writes
nothing. The typed state round-trips through the store."""

from __future__ import annotations

import pytest

from bot.errors import SessionError
from bot.service.assistant import OpenSession
from bot.service.outcome import HandoffOpened, UserChoice, UserText
from bot.service.runtime import Runtime
from bot.service.state import CollectingContact, SessionState, WaitingForEngineer

CONTACT = (UserText("it's me, Priya"), UserText("my mobile is +1 (617) 555-0142"), UserText("yes"))


def _at_last_answer(runtime: Runtime) -> OpenSession:
    """A chat that asked for a person and answered every contact question but the last."""
    started = runtime.assistant.start("DEMO-1234")
    for event in (UserChoice("person"), *CONTACT):
        runtime.assistant.reply(started.session_id, event)
    return runtime.assistant.open_by_id(started.session_id)


def test_deciding_a_turn_writes_nothing_and_saving_writes_it_whole(runtime: Runtime) -> None:
    assistant = runtime.assistant
    opened = _at_last_answer(runtime)
    outcome = assistant.decide(opened, UserText("yes please"), assistant.clock())
    assert outcome.handoff is not None and isinstance(outcome.state.phase, WaitingForEngineer)
    record = outcome.handoff.record
    assert outcome.effects == (HandoffOpened(record.id, record.priority),)
    assert runtime.engineers.queue() == []  # nothing written yet
    assert assistant.open_by_id(opened.id).version == opened.version
    assistant.save(outcome)
    [handoff] = runtime.engineers.queue()
    assert handoff.id == outcome.handoff.record.id and handoff.session_id == opened.id
    rep = handoff.record["site_representative"]
    assert (rep["name"], rep["phone"], rep["on_site"]) == ("Priya", "+16175550142", True)


def test_the_loser_of_a_race_writes_no_handoff(runtime: Runtime) -> None:
    assistant = runtime.assistant
    opened = _at_last_answer(runtime)
    first = assistant.decide(opened, UserText("yes"), assistant.clock())
    second = assistant.decide(opened, UserText("yes"), assistant.clock())
    assert first.handoff and second.handoff and first.handoff.record.id != second.handoff.record.id
    assistant.save(first)
    with pytest.raises(SessionError) as lost:
        assistant.save(second)
    assert lost.value.code == "session_conflict"
    assert [h.id for h in runtime.engineers.queue()] == [first.handoff.record.id]


def test_state_round_trips_and_only_public_fields_leave(runtime: Runtime) -> None:
    assistant = runtime.assistant
    started = assistant.start("DEMO-1234")
    outcome = assistant.reply(started.session_id, UserChoice("person"))
    assert isinstance(outcome.state.phase, CollectingContact)
    stored = runtime.store.load_session(started.session_id)
    assert stored is not None
    assert SessionState.model_validate(stored.state) == outcome.state
    public = outcome.public().model_dump()
    assert public == {
        "status": "active",
        "phase": "collecting_contact",
        "flow_id": "site-representative",
        "step_id": "name",
        "handoff_id": None,
        "open": True,
        "route": None,
        "callback_at": None,
        "engineer": None,
    }


def test_a_session_saved_by_an_older_version_asks_for_a_new_chat(runtime: Runtime) -> None:
    started = runtime.assistant.start("DEMO-1234")
    runtime.store.create_session("old", "demo-boston", "x", {"phase": "flow"}, "active", _now())
    with pytest.raises(SessionError, match="older version"):
        runtime.assistant.open_by_id("old")
    assert runtime.assistant.open_by_id(started.session_id).state.phase.kind == "idle"


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)
