"""The dialogue's data: state, the messages the engine emits, and the knowledge-base request.

Everything here is an immutable pydantic model, so a state round-trips through JSON
(``state.model_dump_json()`` / ``DialogueState.model_validate_json(...)``) and the store can keep it
as is. The engine never mutates a state; it returns a new one (or the same object when nothing
changed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.kb.citation import Citation

Status = Literal["active", "resolved", "fault", "escalated"]
MessageType = Literal["text", "question", "outcome", "handoff", "safety"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Peer(_Frozen):
    """Another device in the same room (for a knowledge-base check about another product line)."""

    product: str
    model: str
    firmware: str | None = None


class SiteContext(_Frozen):
    """What is known of the asset a flow is about: product (``cx-codec``), model (``CX-900``),
    firmware; the other bundled devices in its room (``peers``); and the site's country (ISO code,
    the default region for phone numbers)."""

    product: str | None = None
    model: str | None = None
    firmware: str | None = None
    country: str | None = None
    peers: tuple[Peer, ...] = ()

    def peer(self, product: str) -> Peer | None:
        return next((p for p in self.peers if p.product == product), None)

    def as_mapping(self) -> dict[str, str | None]:
        return {"product": self.product, "model": self.model, "firmware": self.firmware}


class Choice(_Frozen):
    id: str
    label: str


class Message(_Frozen):
    """One bot message: ``text`` to show, ``choices`` to offer as buttons, ``citations`` to list."""

    type: MessageType
    text: str
    choices: tuple[Choice, ...] = ()
    citations: tuple[Citation, ...] = ()


class Turn(_Frozen):
    """One answered step: what was asked, what the user said (``answer``) and what it meant."""

    step_id: str
    kind: Literal["ask", "collect", "check_kb"]
    question: str
    answer: str
    value: str | float | None = None
    slot: str | None = None
    at: datetime


class KbRequest(_Frozen):
    """A knowledge-base lookup the caller must perform and answer with a ``KbResult`` event."""

    flow_id: str
    step_id: str
    query: str
    product: str | None = None
    model: str | None = None
    firmware: str | None = None
    # False when the check is about a product the site has no device of, in the checked room: a
    # camera check while only a codec is on record (a third-party camera, perhaps)
    on_record: bool = True


class KbFinding(_Frozen):
    """What a knowledge-base check returned (kept for the handoff record).

    ``applies`` is true when the flow took the check's ``found`` branch (a match not already
    fixed in the installed firmware); ``update_recommended`` when that fix is in a newer
    firmware.
    """

    step_id: str
    query: str
    found: bool
    summary: str = ""
    citations: tuple[Citation, ...] = ()
    fixed_in: str | None = None
    applies: bool = False
    update_recommended: bool = False


class KnownFix(_Frozen):
    """A fix engineers found for this symptom on this kind of device: a published, customer-safe
    KCS article the service matched to the site's model, firmware and words, offered before the
    flow hands off. ``fixed_count`` is how many other cases it fixed; ``flow_id`` and
    ``end_steps`` say where the conversations it came from ended (then it is offered only
    there); ``citation`` names the article with its last review date."""

    article_id: str
    title: str
    steps: tuple[str, ...]
    fixed_count: int = 0
    model: str | None = None
    flow_id: str | None = None
    end_steps: tuple[str, ...] = ()
    citation: Citation | None = None


class FixOffer(_Frozen):
    """A known fix offered and waiting for yes or no: at ``step_id`` (a knowledge-base check, or
    the fault outcome it stands in front of); a no says ``lead`` (a check's own finding, if any)
    and enters ``then``."""

    article_id: str
    step_id: str
    then: str
    lead: Message | None = None
    at: datetime


class FixTried(_Frozen):
    """A known fix the user tried: ``worked`` true (resolved) or false (still broken)."""

    article_id: str
    step_id: str
    worked: bool
    at: datetime


class Given(_Frozen):
    """An answer the user gave before the step was asked: the value, the words to show, and what
    they wrote."""

    value: str | float
    display: str
    said: str


class PendingConfirm(_Frozen):
    """An answer understood with low confidence, waiting for the user's yes or no."""

    step_id: str
    value: str | float
    display: str
    text: str


class Outcome(_Frozen):
    """Where the flow ended: resolved, or a fault with category, component and summary."""

    step_id: str
    outcome: Literal["resolved", "fault"]
    category: str | None = None
    component: str | None = None
    summary: str


class DialogueState(_Frozen):
    """Everything the engine needs to continue a flow; ``step_id`` is the step awaiting input."""

    flow_id: str
    step_id: str
    status: Status = "active"
    context: SiteContext = Field(default_factory=SiteContext)
    history: tuple[Turn, ...] = ()
    slots: dict[str, str] = Field(default_factory=dict)
    pending_kb: KbRequest | None = None
    pending_confirm: PendingConfirm | None = None
    kb_findings: tuple[KbFinding, ...] = ()
    given: dict[str, Given] = Field(default_factory=dict)
    misses: int = 0  # replies to the current question not understood in a row
    offered_engineer: bool = False  # after three misses: "shall I pass this to an engineer?"
    outcome: Outcome | None = None
    escalation_reason: str | None = None
    fixes: tuple[KnownFix, ...] = ()  # fixes engineers found, best first (facts from the service)
    fix_offer: FixOffer | None = None
    fixes_tried: tuple[FixTried, ...] = ()
    steps_taken: int = 0
    started_at: datetime
    updated_at: datetime

    @property
    def finished(self) -> bool:
        return self.status != "active"
