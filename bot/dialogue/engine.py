"""The dialogue engine: ``advance(flows, state, event) -> (state, messages)``, pure.

No I/O, no clock (every event carries ``at``), no randomness: the same state and event always give
the same result, which is what lets any worker serve any turn and a restart resume mid-flow.

Promises:

- Input the engine cannot use (an empty answer, a choice that is not offered, a reply to a finished
  flow, a knowledge-base result nobody asked for) returns the *same* state object and one clear
  message; a reply that cannot be understood is only counted (``misses``): the second time the
  buttons come back with "or tell me in your own words", the third time an engineer is offered.
- Facts given before a step is asked (``Start.given``, or found in a later reply by the step's
  ``prefill`` phrases) answer it when the flow reaches it: the bot says what it understood and
  moves on.
- ``GoBack`` returns to the previous question (undoing its answer and slot), ``StartOver`` restarts
  the flow, ``DontKnow`` (or a "not sure" reply) takes the step's ``not_sure`` branch or else
  escalates, ``Escalate`` hands off at once, ``SideQuestion`` re-asks the current step, ``Unclear``
  ("what do you mean?") asks it again with its instruction.
- At a ``check_kb`` step the state carries ``pending_kb``; the caller looks it up and sends
  ``KbResult``.
- Fixes engineers found (``Start.fixes``, ``KbResult.fixes``: facts from the caller) are offered
  at a check and in front of a fault outcome, once each (:mod:`bot.dialogue.fixes`); the state
  carries ``fix_offer`` until the user says yes (resolved) or no (the flow goes on).
- More than ``max_steps`` steps in a session (a runaway loop) end in an escalation: the circuit
  breaker.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.dialogue.events import (
    Answer,
    DontKnow,
    Escalate,
    GoBack,
    KbResult,
    SideQuestion,
    Start,
    StartOver,
    Unclear,
)
from bot.dialogue.fix_replies import fix_reply
from bot.dialogue.fixes import merge_fixes, next_fix, offer_fix
from bot.dialogue.intents import control_intent
from bot.dialogue.replies import answer_step, not_sure
from bot.dialogue.schema import (
    AskStep,
    CollectStep,
    Flow,
)
from bot.dialogue.state import (
    DialogueState,
    KbFinding,
    Message,
    SiteContext,
    Turn,
)
from bot.dialogue.steps import (
    MAX_STEPS,
    Result,
    enter,
    escalate,
    kb_message,
    prompt,
    text,
)
from bot.errors import FlowError

EngineEvent = (
    Start | Answer | KbResult | GoBack | StartOver | DontKnow | Escalate | SideQuestion | Unclear
)
Flows = Flow | Mapping[str, Flow]
_COMMANDS: dict[str, type[GoBack | StartOver | Escalate]] = {
    "go_back": GoBack,
    "start_over": StartOver,
    "escalate": Escalate,
}


def advance(
    flows: Flows,
    state: DialogueState | None,
    event: EngineEvent,
    *,
    max_steps: int = MAX_STEPS,
) -> tuple[DialogueState, list[Message]]:
    """Apply one event to a dialogue. ``state`` may be ``None`` only for a ``Start`` event.

    Raises :class:`~bot.errors.FlowError` for caller mistakes (an unknown flow id, an event before
    ``Start``); everything a user can type is answered with messages instead.
    """
    if isinstance(event, Start):
        return _start(_flow(flows, event.flow_id), event, max_steps)
    if state is None:
        raise FlowError(f"no dialogue in progress: send Start before {event.type}")
    flow = _flow(flows, state.flow_id)
    if isinstance(event, Answer) and event.choice is None and event.text:
        command = _COMMANDS.get(control_intent(event.text) or "")
        if command is not None:
            return advance(flows, state, command(at=event.at), max_steps=max_steps)
    if isinstance(event, StartOver):
        restart = Start(at=event.at, flow_id=flow.id, context=state.context, fixes=state.fixes)
        new, messages = _start(flow, restart, max_steps, counted=state.steps_taken)
        new = new.model_copy(update={"fixes_tried": state.fixes_tried})  # offered once, ever
        return new, [text("OK, let's start over."), *messages]
    if state.finished:
        if isinstance(event, SideQuestion | Unclear):
            return state, []
        return state, [text(_finished_text(state))]
    if isinstance(event, Escalate):
        return escalate(state, event.reason, event.at)
    if isinstance(event, GoBack):
        return _go_back(flow, state, event.at, max_steps)
    if state.fix_offer is not None:
        if isinstance(event, Unclear):  # the offer is asked again, as for a question back
            event = SideQuestion(at=event.at)
        return fix_reply(flow, state, event, max_steps)
    if state.pending_kb is not None:
        if isinstance(event, KbResult):
            return _kb_result(flow, state, event, max_steps)
        if isinstance(event, SideQuestion | Unclear):
            return state, []
        return state, [text("One moment: I'm still checking the knowledge base.")]
    if isinstance(event, KbResult):
        return state, [text("No knowledge-base check is waiting for a result; nothing changed.")]
    if isinstance(event, SideQuestion):
        return state, [prompt(flow.step(state.step_id), "Back to our check:", state.slots)]
    if isinstance(event, Unclear):
        return state, [prompt(flow.step(state.step_id), "Let me say it again:", state.slots)]
    if isinstance(event, DontKnow):
        return not_sure(flow, state, event.at, max_steps)
    return answer_step(flow, state, event, max_steps)


def _flow(flows: Flows, flow_id: str) -> Flow:
    if isinstance(flows, Flow):
        if flows.id != flow_id:
            raise FlowError(f"unknown flow {flow_id!r}; this engine was given {flows.id!r}")
        return flows
    try:
        return flows[flow_id]
    except KeyError:
        known = ", ".join(sorted(flows)) or "none"
        raise FlowError(f"unknown flow {flow_id!r}; known flows: {known}") from None


def _start(flow: Flow, event: Start, max_steps: int, counted: int = 0) -> Result:
    state = DialogueState(
        flow_id=flow.id,
        step_id=flow.start,
        context=event.context or SiteContext(),
        given=dict(event.given),
        fixes=tuple(event.fixes),
        steps_taken=counted,
        started_at=event.at,
        updated_at=event.at,
    )
    intro = (
        flow.intro
        if flow.intro is not None
        else f'Let\'s check this together: {flow.title}. At any point you can say "go back", '
        '"start over", "not sure" or "talk to a person".'
    )
    new, messages = enter(flow, state, flow.start, event.at, max_steps)
    return new, [text(intro), *messages] if intro else messages


def _finished_text(state: DialogueState) -> str:
    how = {
        "resolved": "the problem was resolved",
        "fault": "the fault was isolated and goes to an engineer",
        "escalated": "it was handed to an engineer",
    }[state.status]
    return f'This check has finished ({how}). Say "start over" to run it again.'


def _go_back(flow: Flow, state: DialogueState, at: datetime, max_steps: int) -> Result:
    asked = [i for i, turn in enumerate(state.history) if turn.kind != "check_kb"]
    if not asked:
        step = flow.step(state.step_id)
        lead = "We're at the first question already."
        if isinstance(step, AskStep | CollectStep) and state.pending_kb is None:
            return state, [prompt(step, lead, state.slots)]
        return state, [text(lead)]
    keep = state.history[: asked[-1]]
    target = state.history[asked[-1]].step_id
    slots = {t.slot: str(t.value) for t in keep if t.slot is not None}
    rewound = state.model_copy(update={"history": keep, "slots": slots})
    new, messages = enter(flow, rewound, target, at, max_steps)
    return new, [text("OK, going back."), *messages]


def _kb_result(flow: Flow, state: DialogueState, event: KbResult, max_steps: int) -> Result:
    request = state.pending_kb
    assert request is not None
    step = flow.step(request.step_id)
    finding = KbFinding(
        step_id=request.step_id,
        query=request.query,
        found=event.found,
        summary=event.summary,
        citations=tuple(event.citations),
        fixed_in=event.fixed_in,
    )
    message, take_found = kb_message(finding, request)
    finding = finding.model_copy(
        update={"applies": take_found, "update_recommended": take_found and bool(event.fixed_in)}
    )
    turn = Turn(
        step_id=request.step_id,
        kind="check_kb",
        question=request.query,
        answer="found" if take_found else "not found",
        at=event.at,
    )
    recorded = state.model_copy(
        update={
            "history": (*state.history, turn),
            "kb_findings": (*state.kb_findings, finding),
            "pending_kb": None,
            "fixes": merge_fixes(state.fixes, tuple(event.fixes)),
        }
    )
    target = getattr(step, "found" if take_found else "not_found", None)
    if target is None:
        raise FlowError(f"step {step.id!r} has no branch; run `assist flows check`")
    fix = next_fix(flow, recorded, step)
    if fix is not None:  # what engineers did for this first; the check's finding after a no
        return offer_fix(recorded, fix, request.step_id, target, event.at, lead=message)
    new, messages = enter(flow, recorded, target, event.at, max_steps)
    return new, [message, *messages]
