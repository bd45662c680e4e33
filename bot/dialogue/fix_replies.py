"""The user's answer to a fix engineers found (see :mod:`bot.dialogue.fixes`).

Yes ("yes that worked", the button) resolves the flow with the article as the outcome; no ("no
still broken", "not sure", three replies not understood) records the try and carries on where
the flow was going: the check's own finding, or the fault outcome and its handoff. Pure.
"""

from __future__ import annotations

from bot.dialogue.events import Answer, DontKnow, KbResult, SideQuestion
from bot.dialogue.fixes import FIX_CHOICES, FIX_QUESTION
from bot.dialogue.parsed import CONFIRM_BELOW
from bot.dialogue.schema import Flow
from bot.dialogue.state import DialogueState, FixTried, Message, Outcome
from bot.dialogue.steps import Result, enter, text
from bot.dialogue.yesno import parse_yes_no

WORKED = "Good, glad that fixed it. I've noted that the engineers' fix worked here too."
DID_NOT_WORK = "Thanks for trying it. Let's carry on."
MAX_MISSES = 3


def _reply(event: Answer | DontKnow) -> str | None:
    if isinstance(event, DontKnow):
        return "no"
    if event.choice in ("yes", "no"):
        return event.choice
    if not event.text:
        return None
    parsed = parse_yes_no(event.text, FIX_QUESTION)
    if parsed.kind == "not_sure":
        return "no"  # an untested fix helps nobody: carry on with the checks
    if parsed.kind == "value" and parsed.confidence >= CONFIRM_BELOW:
        return str(parsed.value)
    return None


def fix_reply(
    flow: Flow, state: DialogueState, event: Answer | DontKnow | SideQuestion | KbResult,
    max_steps: int,
) -> Result:  # fmt: skip
    """The answer to the fix offered in ``state.fix_offer``."""
    offer = state.fix_offer
    assert offer is not None
    again = Message(type="question", text=FIX_QUESTION, choices=FIX_CHOICES)
    if isinstance(event, KbResult):
        return state, [text("No knowledge-base check is waiting for a result; nothing changed.")]
    if isinstance(event, SideQuestion):
        return state, [Message(type="question", text=f"Back to the fix: {FIX_QUESTION.lower()}",
                               choices=FIX_CHOICES)]  # fmt: skip
    reply = _reply(event)
    if reply is None and state.misses + 1 < MAX_MISSES:
        missed = state.model_copy(update={"misses": state.misses + 1, "updated_at": event.at})
        return missed, [text("Sorry, I didn't catch that. Did the fix work? Yes or no."), again]
    worked = reply == "yes"
    tried = FixTried(article_id=offer.article_id, step_id=offer.step_id, worked=worked, at=event.at)
    done = state.model_copy(
        update={
            "fix_offer": None,
            "fixes_tried": (*state.fixes_tried, tried),
            "misses": 0,
            "updated_at": event.at,
        }
    )
    if worked:
        fix = next((f for f in state.fixes if f.article_id == offer.article_id), None)
        outcome = Outcome(
            step_id=offer.step_id,
            outcome="resolved",
            summary=f"Resolved with {offer.article_id}" + (f": {fix.title}" if fix else ""),
        )
        citations = (fix.citation,) if fix and fix.citation else ()
        resolved = done.model_copy(update={"status": "resolved", "outcome": outcome})
        return resolved, [Message(type="outcome", text=WORKED, citations=citations)]
    lead = [text(DID_NOT_WORK)] + ([offer.lead] if offer.lead else [])
    new, messages = enter(flow, done, offer.then, event.at, max_steps)
    return new, [*lead, *messages]
