"""Fixes engineers found (KCS articles), offered inside a flow: pure, like the rest of the engine.

The service matches published, customer-safe articles to the site's device and the user's words
and hands them in as facts (``Start.fixes``, ``KbResult.fixes``); the engine decides where to offer
one: at a knowledge-base check, before its own finding, and in front of a fault outcome, before
the flow hands off. Each fix is offered once per dialogue. A fix learned in this flow is offered
only where the conversations it came from ended (``end_steps``), so a fix for "the cable is fine
but the display still says no signal" is not offered to a codec with a red fault LED.
"""

from __future__ import annotations

from datetime import datetime

from bot.dialogue.schema import AnyStep, CheckKbStep, Flow
from bot.dialogue.state import Choice, DialogueState, FixOffer, KnownFix, Message

FIX_QUESTION = "Does that help?"
FIX_CHOICES = (
    Choice(id="yes", label="Yes, that fixed it"),
    Choice(id="no", label="No, still broken"),
)


def merge_fixes(known: tuple[KnownFix, ...], more: tuple[KnownFix, ...]) -> tuple[KnownFix, ...]:
    """``known`` then the fixes of ``more`` it does not hold yet (by article id)."""
    held = {f.article_id for f in known}
    return (*known, *(f for f in more if f.article_id not in held))


def _where(step: AnyStep) -> set[str]:
    """The step ids an offer at ``step`` stands for: itself, and a check's two branches."""
    found = {step.id}
    if isinstance(step, CheckKbStep):
        found |= {s for s in (step.found, step.not_found) if s}
    return found


def next_fix(flow: Flow, state: DialogueState, step: AnyStep) -> KnownFix | None:
    """The best fix not yet offered in this dialogue that applies at ``step``; None otherwise."""
    offered = {t.article_id for t in state.fixes_tried}
    if state.fix_offer is not None:
        offered.add(state.fix_offer.article_id)
    for fix in state.fixes:
        if fix.article_id in offered:
            continue
        if fix.flow_id == flow.id and fix.end_steps and not (_where(step) & set(fix.end_steps)):
            continue
        return fix
    return None


def offer_text(fix: KnownFix, model: str | None) -> str:
    """ "Engineers fixed this on 3 other CX-900s by doing this: ... Does that help?" """
    device = fix.model or model
    if fix.fixed_count <= 1:
        where = f"another {device}" if device else "another device like this one"
    else:
        where = f"{fix.fixed_count} other {device}s" if device else f"{fix.fixed_count} other sites"
    steps = [s.strip() for s in fix.steps if s.strip()]
    if len(steps) == 1:
        how = f"by doing this: {steps[0]}"
    else:
        how = "by doing this:\n" + "\n".join(f"{n}. {s}" for n, s in enumerate(steps, 1))
    return f"Engineers fixed this on {where} {how}\n{FIX_QUESTION}"


def offer_fix(
    state: DialogueState,
    fix: KnownFix,
    step_id: str,
    then: str,
    at: datetime,
    lead: Message | None = None,
) -> tuple[DialogueState, list[Message]]:
    """Offer ``fix`` at ``step_id``; after a no, ``lead`` is said and ``then`` entered."""
    offer = FixOffer(article_id=fix.article_id, step_id=step_id, then=then, lead=lead, at=at)
    message = Message(
        type="question",
        text=offer_text(fix, state.context.model),
        choices=FIX_CHOICES,
        citations=(fix.citation,) if fix.citation else (),
    )
    new = state.model_copy(
        update={"step_id": step_id, "fix_offer": offer, "misses": 0, "updated_at": at}
    )
    return new, [message]
