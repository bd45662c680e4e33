"""Entering steps and wording the engine's messages (used by :mod:`bot.dialogue.engine`).

Pure functions of (flow, state, at). Entering a step counts it against the circuit breaker; a
question step pauses for the user, a ``check_kb`` step pauses for the caller's lookup, an outcome
step ends the flow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.devices import product_words
from bot.dialogue.fixes import next_fix, offer_fix
from bot.dialogue.schema import (
    SLOT_PLACEHOLDER,
    AnyStep,
    AskStep,
    CheckKbStep,
    ChoiceAnswer,
    CollectStep,
    Flow,
    NumberAnswer,
    OutcomeStep,
    YesNoAnswer,
)
from bot.dialogue.state import (
    Choice,
    DialogueState,
    KbFinding,
    KbRequest,
    Message,
    Outcome,
    Turn,
)
from bot.errors import FlowError
from bot.kb.citation import Citation

MAX_STEPS = 100
YES_NO_CHOICES = (
    Choice(id="yes", label="Yes"),
    Choice(id="no", label="No"),
    Choice(id="not_sure", label="Not sure"),
)
CONFIRM_CHOICES = (Choice(id="yes", label="Yes"), Choice(id="no", label="No"))
ADVANCED_NOTE = (
    "This step is for an engineer or IT administrator; if nobody on site can do it, say "
    '"not sure" or "talk to a person".'
)

Result = tuple[DialogueState, list[Message]]


def text(body: str, choices: Sequence[Choice] = (), citations: Sequence[Citation] = ()) -> Message:
    """A plain bot message, optionally with buttons and citations."""
    return Message(type="text", text=body, choices=tuple(choices), citations=tuple(citations))


def choices_for(step: AnyStep) -> tuple[Choice, ...]:
    if isinstance(step, AskStep) and isinstance(step.answer, ChoiceAnswer):
        return tuple(Choice(id=o.id, label=o.label) for o in step.answer.options)
    if isinstance(step, AskStep) and isinstance(step.answer, YesNoAnswer):
        return YES_NO_CHOICES
    return ()


def fill_slots(template: str, slots: Mapping[str, str]) -> str:
    """``{slot.NAME}`` replaced by the slot's value ("" when it has none)."""
    return SLOT_PLACEHOLDER.sub(lambda m: slots.get(m.group(1), ""), template)


def prompt(step: AnyStep, lead: str = "", slots: Mapping[str, str] | None = None) -> Message:
    """The question message for an ask / collect step (with its instruction); ``{slot.NAME}`` in
    the instruction and question is filled from ``slots``."""
    parts = [lead] if lead else []
    instruction = getattr(step, "instruction", None)
    if instruction:
        parts.append(instruction.strip())
    parts.append(getattr(step, "question", "").strip())
    body = fill_slots("\n".join(p for p in parts if p), slots or {})
    return Message(type="question", text=body, choices=choices_for(step))


def enter(
    flow: Flow, state: DialogueState, step_id: str, at: datetime, max_steps: int = MAX_STEPS
) -> Result:
    """Move to ``step_id``: count it, then ask, request a lookup, or end the flow."""
    counted = state.steps_taken + 1
    if counted > max_steps:
        reason = f"circuit breaker: more than {max_steps} steps in this session"
        return escalate(state, reason, at, "We have been going round in circles for a while.")
    step = flow.step(step_id)
    state = state.model_copy(
        update={
            "step_id": step_id,
            "steps_taken": counted,
            "updated_at": at,
            "pending_confirm": None,
            "pending_kb": None,
            "fix_offer": None,
            "misses": 0,
            "offered_engineer": False,
        }
    )
    messages: list[Message] = []
    if step.safety:
        messages.append(text(f"Safety: {step.safety.strip()}"))
    given = state.given.get(step.id) if isinstance(step, AskStep) else None
    if isinstance(step, AskStep) and given is not None and _in_range(step, given.value):
        rest = {k: v for k, v in state.given.items() if k != step.id}
        state = state.model_copy(update={"given": rest})
        messages.append(text(f"From what you said: {given.display}."))
        raw = f"(from your message) {given.said}"
        new, more = record_and_follow(
            flow, state, step, given.value, given.display, raw, at, max_steps
        )
        return new, [*messages, *more]
    if isinstance(step, CheckKbStep):
        return _enter_check(flow, state, step, messages)
    if isinstance(step, OutcomeStep) and step.outcome == "fault":
        fix = next_fix(flow, state, step)
        if fix is not None:  # before handing off: what engineers did for this elsewhere
            offered, asked = offer_fix(state, fix, step.id, step.id, at)
            return offered, [*messages, *asked]
    if isinstance(step, OutcomeStep):
        outcome = Outcome(
            step_id=step.id,
            outcome=step.outcome,
            category=step.category,
            component=step.component,
            summary=step.summary,
        )
        citations = tuple(c for f in state.kb_findings if f.applies for c in f.citations)
        body = (step.message or step.summary).strip()
        messages.append(Message(type="outcome", text=body, citations=citations))
        status = "resolved" if step.outcome == "resolved" else "fault"
        return state.model_copy(update={"status": status, "outcome": outcome}), messages
    if step.skill == "advanced":
        messages.append(text(ADVANCED_NOTE))
    messages.append(prompt(step, slots=state.slots))
    return state, messages


def _in_range(step: AskStep, value: str | float) -> bool:
    spec = step.answer
    if not isinstance(spec, NumberAnswer):
        return True
    number = float(value)
    return (spec.min is None or number >= spec.min) and (spec.max is None or number <= spec.max)


def record_and_follow(
    flow: Flow,
    state: DialogueState,
    step: AskStep | CollectStep,
    value: str | float,
    display: str,
    raw: str,
    at: datetime,
    max_steps: int,
) -> Result:
    """Record the answer to ``step`` (history and slot) and enter the step its links lead to."""
    turn = Turn(
        step_id=step.id,
        kind=step.kind,
        question=step.question,
        answer=display or raw,
        value=value,
        slot=step.slot,
        at=at,
    )
    slots = {**state.slots, step.slot: str(value)} if step.slot else state.slots
    recorded = state.model_copy(update={"history": (*state.history, turn), "slots": slots})
    context = recorded.context.as_mapping()
    for link in step.next or []:
        if link.condition is None or link.condition.evaluate(value, recorded.slots, context):
            return enter(flow, recorded, link.target, at, max_steps)
    raise FlowError(f"step {step.id!r} has no matching link; run `assist flows check`")


def _enter_check(
    flow: Flow, state: DialogueState, step: CheckKbStep, messages: list[Message]
) -> Result:
    context = state.context
    product = step.product or context.product or (flow.products[0] if flow.products else None)
    same_asset = context.product is None or context.product == product
    peer = None if same_asset or product is None else context.peer(product)
    request = KbRequest(
        flow_id=flow.id,
        step_id=step.id,
        query=fill_slots(step.query, state.slots).strip(),
        product=product,
        model=context.model if same_asset else (peer.model if peer else None),
        firmware=context.firmware if same_asset else (peer.firmware if peer else None),
        on_record=same_asset or peer is not None,
    )
    named = request.model or (product_words(request.product) if request.product else None)
    about = " ".join(p for p in (named, request.firmware) if p)
    body = step.instruction or "Let me check the knowledge base for known issues"
    body = body.strip() + (f" ({about})." if about else ".")
    messages.append(text(body))
    return state.model_copy(update={"pending_kb": request}), messages


def escalate(state: DialogueState, reason: str, at: datetime, lead: str = "") -> Result:
    """Hand off to a person now, keeping everything checked so far in the state."""
    body = (lead + " " if lead else "") + (
        "I'll pass this to an engineer with everything we've checked so far."
    )
    new = state.model_copy(
        update={
            "status": "escalated",
            "escalation_reason": reason,
            "pending_kb": None,
            "pending_confirm": None,
            "fix_offer": None,
            "updated_at": at,
        }
    )
    return new, [Message(type="handoff", text=body)]


_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)")


def version_tuple(version: str | None) -> tuple[int, ...] | None:
    """``"9.4.1"`` -> ``(9, 4, 1)``; ``None`` for anything that is not a dotted version."""
    match = _VERSION.match((version or "").strip().lower())
    if not match:
        return None
    parts = [int(p) for p in match.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def cite(citations: tuple[Citation, ...]) -> str:
    """A short "Source: ..." line naming the first citation."""
    return f" Source: {citations[0].label()}." if citations else ""


def kb_message(finding: KbFinding, request: KbRequest) -> tuple[Message, bool]:
    """What to tell the user about a lookup, and whether to take the step's ``found`` branch."""
    summary = finding.summary.strip().rstrip(".")
    if not finding.found:
        return text("I found no known issue that matches, so let's keep checking."), False
    if not request.on_record:  # nothing of ours to update: the issue may not be this device's
        product = product_words(request.product or "device")
        body = (
            f"The notes list a known issue like this for the {product}: "
            f"{summary or 'see the notes'}. No {product} is on record in this room, so I cannot "
            "tell whether it applies; let's keep checking."
        )
        return Message(
            type="text", text=body + cite(finding.citations), citations=finding.citations
        ), False
    installed, fixed = version_tuple(request.firmware), version_tuple(finding.fixed_in)
    asset = request.model or request.product or "this device"
    known = f"This looks like a known issue: {summary}." if summary else "This is a known issue."
    if fixed is not None and installed is not None and installed >= fixed:
        body = (
            f"There is a known issue like this ({summary or 'see the notes'}), but it was fixed in "
            f"{finding.fixed_in} and this {asset} already runs {request.firmware}, so it is "
            "something else. Let's keep checking."
        )
        return Message(type="text", text=body, citations=finding.citations), False
    if fixed is not None:
        runs = (
            f"this {asset} runs {request.firmware}"
            if request.firmware
            else ("check the installed version under Settings > About")
        )
        body = f"{known} It is fixed in firmware {finding.fixed_in}; {runs}."
    else:
        body = known
    body += cite(finding.citations)
    return Message(type="text", text=body, citations=finding.citations), True
