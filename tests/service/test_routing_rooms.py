"""A problem reported in a named room is checked with a flow for a device that room has."""

from __future__ import annotations

from bot.dialogue.router import Route
from bot.service.runtime import Runtime
from bot.service.turn import Turn

# the router's guess for "the screen ... is black": the touch panel first, the displays second
GUESS = Route("flow", "touch-panel", (("touch-panel", 0.61), ("display-no-signal", 0.58)))


def test_a_flow_gives_way_when_the_named_room_has_none_of_its_devices(runtime: Runtime) -> None:
    started = runtime.assistant.start("DEMO-1234")
    opened = runtime.assistant.open_by_id(started.session_id)
    turn = Turn(opened.state, runtime.assistant.clock())
    fitting = runtime.assistant.conversation._fitting_flow
    # Demo Room 2 has a CX-500 and two displays, no touch panel
    assert fitting(turn, GUESS, "the screen in room 2 is black") == "display-no-signal"
    # Demo Room 1 has a touch panel; no room named; the touch panel named outright: kept
    assert fitting(turn, GUESS, "the screen in room 1 is black") == "touch-panel"
    assert fitting(turn, GUESS, "the screen is black") == "touch-panel"
    assert fitting(turn, GUESS, "the touch panel in room 2 is black") == "touch-panel"
