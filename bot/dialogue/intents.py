"""Turn a user's free text inside a flow into the right engine event.

``interpret(flows, state, text, at)`` recognises the commands that work at any step ("go back",
"start over", "talk to a person"), tells a side question ("where is the USB-C port?") from an
answer, and otherwise returns an :class:`~bot.dialogue.events.Answer`. Pure and cheap; never raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from bot.dialogue.answers import CONFIRM_BELOW, normalise, parse_answer
from bot.dialogue.events import Answer, Escalate, GoBack, SideQuestion, StartOver, Unclear
from bot.dialogue.schema import AskStep, CollectStep, Flow, TextAnswer
from bot.dialogue.state import DialogueState

Control = Literal["go_back", "start_over", "escalate"]

_GO_BACK = re.compile(
    r"^(?:(?:please|ok|oops|sorry|wait)[, ]+)*"
    r"(?:go back|back|take me back|previous(?: step| question)?|"
    r"undo|go to the previous (?:step|question)|step back|i made a mistake,? go back)"
    r"(?: (?:one step|a step|please))*[.!]*$"
)
_START_OVER = re.compile(
    r"^(?:(?:please|ok|let's|lets|can we|can you)[, ]+)*(?:start over|start again|restart|"
    r"begin again|from the (?:start|beginning|top)|start from scratch|reset|start all over)"
    r"(?: again| please)*[.!?]*$"
)
_PERSON = re.compile(
    r"\b(?:(?:talk|speak|chat) (?:to|with) (?:a |an |some |your |the )?(?:real |actual )?"
    r"(?:person|human|someone|somebody|engineer|agent|technician|tech|operator|support)|"
    r"(?:get|want|need|send) (?:me )?(?:a |an )?(?:real |actual )?(?:person|human|engineer|"
    r"technician|someone|somebody)|"
    r"(?:is there )?a (?:phone )?number i can call|can (?:someone|somebody|an engineer) call me|"
    r"escalate|human please|call me back|put me through|live agent)\b"
    r"|^(?:human|agent|operator|person|engineer|a person|a human)[.!]*$"
)
# the same commands inside a longer sentence ("oops, wrong answer, can we go back")
_GO_BACK_ANYWHERE = re.compile(
    r"\b(?:(?:can|could) (?:we|i|you) go back|go back (?:a step|one step|to the (?:last|previous))|"
    r"(?:change|undo) my (?:last )?answer|previous question)\b"
)
_START_OVER_ANYWHERE = re.compile(
    r"\b(?:start (?:again|over|from scratch|from the (?:beginning|start|top))|"
    r"(?:begin|do it) (?:again )?from the (?:beginning|start)|start all over)\b"
)
_QUESTION_START = re.compile(
    r"^(?:what|what's|whats|where|where's|which|how|why|when|who|whose|does|do|is|are|can|could|"
    r"should|will|would|has|have)\b"
)
_WH_START = re.compile(r"^(?:what|what's|whats|where|where's|which|how|why|when|who|whose)\b")


def control_intent(text: str) -> Control | None:
    """The command the text gives, if it is one of the any-step commands."""
    clean = normalise(text).strip()
    if _GO_BACK.match(clean) or _GO_BACK_ANYWHERE.search(clean):
        return "go_back"
    if _START_OVER.match(clean) or _START_OVER_ANYWHERE.search(clean):
        return "start_over"
    if _PERSON.search(clean):
        return "escalate"
    return None


def looks_like_question(text: str) -> bool:
    """Question-shaped text: starts with a question word or ends with a question mark."""
    clean = normalise(text).strip()
    return clean.endswith("?") or bool(_QUESTION_START.match(clean))


_UNCLEAR = re.compile(
    r"\b(what do you mean|what does (that|this|it) mean|(not sure|no idea|don'?t know) what you mean|"
    r"(do ?n[o']?t|did ?n[o']?t|do not|did not) (understand|get) (the question|what you|you|that|this)|"
    r"i'?m confused|you lost me|come again|say (that|it) again|rephrase)\b"
)


def is_unclear(text: str) -> bool:
    """ "not sure what you mean", "I don't understand the question": the question was not
    understood (no answer to it, and no "not sure")."""
    return bool(_UNCLEAR.search(normalise(text)))


def is_side_question(text: str) -> bool:
    """ "where is the USB-C port?", "what's a codec?": a question back, not an answer."""
    clean = normalise(text).strip()
    return bool(_WH_START.match(clean)) and clean.endswith("?")


def interpret(
    flows: Flow | Mapping[str, Flow], state: DialogueState, text: str, at: datetime
) -> Answer | GoBack | StartOver | Escalate | SideQuestion | Unclear:
    """The event the text means at the state's current step."""
    control = control_intent(text)
    if control == "go_back":
        return GoBack(at=at)
    if control == "start_over":
        return StartOver(at=at)
    if control == "escalate":
        return Escalate(at=at)
    flow = flows if isinstance(flows, Flow) else flows.get(state.flow_id)
    if flow is None or state.finished or state.pending_kb is not None:
        return Answer(at=at, text=text)
    if is_unclear(text):
        return Unclear(at=at)
    if state.pending_confirm is not None or not looks_like_question(text):
        return Answer(at=at, text=text)
    step = flow.step(state.step_id) if flow.has_step(state.step_id) else None
    if not isinstance(step, AskStep | CollectStep):
        return Answer(at=at, text=text)
    clean = normalise(text).strip()
    if is_side_question(text):
        return SideQuestion(at=at, text=text)
    spec = step.answer if isinstance(step, AskStep) else TextAnswer(type="text")
    if isinstance(spec, TextAnswer):
        return SideQuestion(at=at, text=text) if clean.endswith("?") else Answer(at=at, text=text)
    parsed = parse_answer(spec, text)
    if parsed.kind == "value" and parsed.confidence >= CONFIRM_BELOW:
        return Answer(at=at, text=text)
    if parsed.kind == "not_sure":
        return Answer(at=at, text=text)
    return SideQuestion(at=at, text=text)
