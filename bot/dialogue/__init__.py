"""Guided fault isolation: flows as data, a symptom router and a pure dialogue engine.

The assistant service uses this package through a few names::

    result = load_flows("knowledge/flows")          # LoadResult(flows, errors); never raises
    router = Router(result.flows, embedder)         # warm_up() once, then route(text) -> Route
    state, messages = advance(flows, None, Start(flow_id=..., at=now, context=SiteContext(...)))
    event = interpret(flows, state, user_text, now)  # Answer | GoBack | StartOver | Escalate | ...
    state, messages = advance(flows, state, event)   # pure: no I/O, no clock
    if state.pending_kb: ... look it up ... advance(flows, state, KbResult(...))

Modules: ``schema`` (flow models), ``conditions`` (the link language), ``loader`` / ``validator``
(definition checks), ``graph`` (Mermaid), ``answers`` (free-text answers), ``intents`` (commands and
side questions), ``engine`` / ``replies`` / ``steps`` (the executor), ``state`` / ``events`` (its data),
``router`` / ``cues`` (routing), ``scenarios`` (scripted conversations), ``commands`` (CLI pieces).
"""

from __future__ import annotations

from bot.dialogue.answers import ParsedAnswer, parse_answer
from bot.dialogue.engine import EngineEvent, advance
from bot.dialogue.events import (
    Answer,
    DontKnow,
    Escalate,
    Event,
    GoBack,
    KbResult,
    SideQuestion,
    Start,
    StartOver,
    Unclear,
)
from bot.dialogue.graph import to_mermaid
from bot.dialogue.intents import interpret
from bot.dialogue.loader import LoadResult, load_flows, parse_flow_text
from bot.dialogue.router import Route, Router, RouterConfig
from bot.dialogue.schema import Flow
from bot.dialogue.state import (
    Choice,
    DialogueState,
    KbFinding,
    KbRequest,
    Message,
    Outcome,
    SiteContext,
    Turn,
)
from bot.dialogue.steps import MAX_STEPS

__all__ = [
    "MAX_STEPS",
    "Answer",
    "Choice",
    "DialogueState",
    "DontKnow",
    "EngineEvent",
    "Escalate",
    "Event",
    "Flow",
    "GoBack",
    "KbFinding",
    "KbRequest",
    "KbResult",
    "LoadResult",
    "Message",
    "Outcome",
    "ParsedAnswer",
    "Route",
    "Router",
    "RouterConfig",
    "SideQuestion",
    "SiteContext",
    "Start",
    "StartOver",
    "Turn",
    "Unclear",
    "advance",
    "interpret",
    "load_flows",
    "parse_answer",
    "parse_flow_text",
    "to_mermaid",
]
