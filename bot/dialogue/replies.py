"""Answers to question steps: parse the reply, confirm it when unsure, record it, follow the links.

Used by :func:`bot.dialogue.engine.advance` for ``Answer`` and ``DontKnow`` events. Input that cannot
be used (an empty reply, an option that is not offered, a number out of range) returns the same
state with a message that says what is expected.
"""

from __future__ import annotations

from datetime import datetime

from bot.dialogue.answers import ParsedAnswer, parse_answer, parse_yes_no
from bot.dialogue.events import Answer
from bot.dialogue.facts import facts_in
from bot.dialogue.schema import (
    AskStep,
    ChoiceAnswer,
    CollectStep,
    Flow,
    NumberAnswer,
    PersonNameAnswer,
    PhoneAnswer,
    TextAnswer,
    YesNoAnswer,
)
from bot.dialogue.state import Choice, DialogueState, Message, PendingConfirm, Turn
from bot.dialogue.steps import (
    CONFIRM_CHOICES,
    Result,
    enter,
    escalate,
    prompt,
    record_and_follow,
    text,
)


def not_sure(flow: Flow, state: DialogueState, at: datetime, max_steps: int) -> Result:
    """ "I don't know" at a question: the step's ``not_sure`` branch, else a handoff."""
    step = flow.step(state.step_id)
    if not isinstance(step, AskStep | CollectStep):
        return state, [text("There is no question waiting for an answer.")]
    if step.not_sure is None:
        reason = f"the user could not answer {step.id!r}: {step.question}"
        return escalate(state, reason, at, "No problem.")
    turn = Turn(step_id=step.id, kind=step.kind, question=step.question, answer="not sure", at=at)
    noted = state.model_copy(update={"history": (*state.history, turn)})
    return enter(flow, noted, step.not_sure, at, max_steps)


ENGINEER_OFFER = (
    Choice(id="person", label="Yes, pass it to an engineer"),
    Choice(id="retry", label="No, let me try again"),
)
OWN_WORDS = "or tell me in your own words."


def answer_step(flow: Flow, state: DialogueState, event: Answer, max_steps: int) -> Result:
    """A reply to the current question: parse, confirm when unsure, record and move on. Facts the
    reply gives for later steps are kept for them (``given``)."""
    step = flow.step(state.step_id)
    if not isinstance(step, AskStep | CollectStep):
        return state, [text("There is no question waiting for an answer.")]
    raw = (event.text or "").strip()
    if raw:
        later = {k: v for k, v in facts_in(flow, raw).items() if k != step.id}
        if later:
            state = state.model_copy(update={"given": {**state.given, **later}})
    if state.offered_engineer:
        return _engineer_offer(flow, state, step, event, max_steps)
    if state.pending_confirm is not None:
        return _confirm(flow, state, step, event, max_steps)
    if event.choice is not None:
        return _choice(flow, state, step, event, max_steps)
    if not raw:
        return state, [prompt(step, "I didn't get an answer.", state.slots)]
    spec = step.answer if isinstance(step, AskStep) else TextAnswer(type="text")
    parsed = parse_answer(spec, raw, state.context.country, step.question)
    if parsed.kind == "not_sure":
        return not_sure(flow, state, event.at, max_steps)
    if parsed.kind == "none" or parsed.value is None:
        return _missed(state, step, event.at)
    if parsed.needs_confirmation:
        pending = PendingConfirm(
            step_id=step.id, value=parsed.value, display=_display(parsed), text=raw[:500]
        )
        new = state.model_copy(update={"pending_confirm": pending, "updated_at": event.at})
        ask = f"Just to check: did you mean “{pending.display}”?"
        return new, [Message(type="question", text=ask, choices=CONFIRM_CHOICES)]
    return _apply(flow, state, step, parsed.value, _display(parsed), raw, event.at, max_steps)


def _missed(state: DialogueState, step: AskStep | CollectStep, at: datetime) -> Result:
    """A reply not understood: say so and ask again; the second time show the buttons with "or
    tell me in your own words"; the third time offer an engineer instead of repeating."""
    misses = state.misses + 1
    missed = state.model_copy(update={"misses": misses, "updated_at": at})
    if misses >= 3:
        offer = "I'm sorry, I'm not understanding your answers. Shall I pass this to an engineer with what we have checked so far?"
        return missed.model_copy(update={"offered_engineer": True}), [
            Message(type="question", text=offer, choices=ENGINEER_OFFER)
        ]
    if misses == 2:
        again = prompt(step, slots=state.slots)
        lead = "Let me ask it differently: pick one of the buttons, " + OWN_WORDS
        if not again.choices:
            lead = "Let me ask it differently."
        return missed, [text(lead), again]
    return missed, [prompt(step, _not_understood(step), state.slots)]


def _engineer_offer(
    flow: Flow, state: DialogueState, step: AskStep | CollectStep, event: Answer, max_steps: int
) -> Result:
    """The reply to "shall I pass this to an engineer?" (after three misses)."""
    reply = event.choice
    if reply is None and event.text:
        parsed = parse_yes_no(event.text)
        reply = str(parsed.value) if parsed.kind == "value" else None
    if reply in ("yes", "person"):
        return escalate(state, f"answers to {step.id!r} were not understood three times", event.at)
    cleared = state.model_copy(update={"offered_engineer": False, "misses": 0})
    if reply in ("no", "retry"):
        return cleared, [prompt(step, "OK, let's try once more.", state.slots)]
    return answer_step(flow, cleared, event, max_steps)


def _display(parsed: ParsedAnswer) -> str:
    return parsed.display + (f" ({parsed.note})" if parsed.note else "")


def _not_understood(step: AskStep | CollectStep) -> str:
    if isinstance(step, AskStep) and isinstance(step.answer, PhoneAnswer):
        return "I couldn't find a phone number in that. Please type it with its digits."
    if isinstance(step, AskStep) and isinstance(step.answer, PersonNameAnswer):
        return "I couldn't pick out a name there. Please type just the person's name."
    if isinstance(step, AskStep) and isinstance(step.answer, NumberAnswer):
        return "Sorry, I need a number for this one (a rough guess is fine)."
    if isinstance(step, AskStep) and isinstance(step.answer, ChoiceAnswer):
        return "Sorry, I didn't catch which one. Please pick one of the options."
    return 'Sorry, I didn\'t catch that. Please answer yes or no, or say "not sure".'


def _confirm(
    flow: Flow, state: DialogueState, step: AskStep | CollectStep, event: Answer, max_steps: int
) -> Result:
    pending = state.pending_confirm
    assert pending is not None
    reply = event.choice if event.choice in ("yes", "no") else None
    if reply is None and event.text:
        parsed = parse_yes_no(event.text)
        reply = str(parsed.value) if parsed.kind == "value" and parsed.confidence >= 0.8 else None
    if reply == "yes":
        return _apply(
            flow, state, step, pending.value, pending.display, pending.text, event.at, max_steps
        )
    cleared = state.model_copy(update={"pending_confirm": None, "updated_at": event.at})
    if reply == "no":
        return cleared, [prompt(step, "OK, let's try that again.", state.slots)]
    return answer_step(flow, cleared, event, max_steps)


def _choice(
    flow: Flow, state: DialogueState, step: AskStep | CollectStep, event: Answer, max_steps: int
) -> Result:
    choice = event.choice or ""
    if isinstance(step, AskStep) and isinstance(step.answer, ChoiceAnswer):
        option = step.answer.option(choice)
        if option is not None:
            return _apply(flow, state, step, option.id, option.label, choice, event.at, max_steps)
        offered = ", ".join(o.label for o in step.answer.options)
    elif isinstance(step, AskStep) and isinstance(step.answer, YesNoAnswer):
        if choice in ("yes", "no"):
            return _apply(flow, state, step, choice, choice, choice, event.at, max_steps)
        offered = "Yes, No or Not sure"
    else:
        offered = ""
    if choice == "not_sure":
        return not_sure(flow, state, event.at, max_steps)
    hint = f" The options are: {offered}." if offered else " Please type your answer."
    return state, [prompt(step, f"“{choice[:40]}” is not one of the options.{hint}", state.slots)]


def _apply(
    flow: Flow,
    state: DialogueState,
    step: AskStep | CollectStep,
    value: str | float,
    display: str,
    raw: str,
    at: datetime,
    max_steps: int,
) -> Result:
    if isinstance(step, AskStep) and isinstance(step.answer, NumberAnswer):
        spec = step.answer
        number = float(value)
        if (spec.min is not None and number < spec.min) or (
            spec.max is not None and number > spec.max
        ):
            low = "" if spec.min is None else f"{spec.min:g}"
            high = "" if spec.max is None else f"{spec.max:g}"
            bounds = f"between {low} and {high}" if low and high else (low and f"at least {low}")
            bounds = bounds or f"at most {high}"
            unit = "" if spec.unit == "count" else f" {spec.unit}"
            cleared = (
                state
                if state.pending_confirm is None
                else state.model_copy(update={"pending_confirm": None})
            )
            return cleared, [prompt(step, f"Please give a number {bounds}{unit}.", state.slots)]
    return record_and_follow(flow, state, step, value, display, raw, at, max_steps)
