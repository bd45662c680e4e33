"""A conversation's state: a frozen, typed value with a discriminated phase.

Only the service reads or writes its inside; everything outside sees ``public()`` (the API's
``state``: status, phase, flow and step, handoff). It round-trips through JSON, which is how the
store keeps it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.dialogue.state import DialogueState, Message
from bot.kb.citation import Citation

MAX_SOURCES = 20  # knowledge-base citations kept for the handoff record
MAX_ABSTAINED = 20  # unanswered knowledge questions kept for the content-gap report


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Idle(_Frozen):
    """Waiting for the user to describe a problem or ask a question."""

    kind: Literal["idle"] = "idle"


class Clarifying(_Frozen):
    """The router offered a choice between flows (``options``, flow ids)."""

    kind: Literal["clarifying"] = "clarifying"
    options: tuple[str, ...]


class ChoosingDevice(_Frozen):
    """Asked which of the site's devices (``options``, serials) the flow ``flow_id`` is about;
    ``said`` is what the user wrote about the problem."""

    kind: Literal["choosing_device"] = "choosing_device"
    flow_id: str
    options: tuple[str, ...]
    said: str = ""
    misses: int = 0


class InFlow(_Frozen):
    """Walking a fault-isolation flow."""

    kind: Literal["in_flow"] = "in_flow"
    dialogue: DialogueState


class CollectingContact(_Frozen):
    """Collecting the site representative (the built-in contact flow) before a handoff."""

    kind: Literal["collecting_contact"] = "collecting_contact"
    dialogue: DialogueState
    reason: str


class WaitingForEngineer(_Frozen):
    """Handed off; no engineer has taken the case yet. ``route`` is the contract's:
    ``live_transfer`` (an engineer joins this chat), ``callback`` (at ``callback_at``; the chat
    stays open for notes until then) or ``not_covered``."""

    kind: Literal["waiting_for_engineer"] = "waiting_for_engineer"
    handoff_id: str
    route: str = "live_transfer"
    callback_at: datetime | None = None


class WithEngineer(_Frozen):
    """An engineer has taken the case and chats with the user."""

    kind: Literal["with_engineer"] = "with_engineer"
    handoff_id: str
    engineer: str  # the engineer's id
    engineer_name: str = ""


class Rating(_Frozen):
    """The engineer resolved the case; the one satisfaction question is waiting for an answer."""

    kind: Literal["rating"] = "rating"
    handoff_id: str


class Resolved(_Frozen):
    """The problem is solved (by a flow, or by the engineer of ``handoff_id``)."""

    kind: Literal["resolved"] = "resolved"
    handoff_id: str | None = None


class Closed(_Frozen):
    """Ended without a resolution (``reason`` says why)."""

    kind: Literal["closed"] = "closed"
    reason: str = ""


Phase = Annotated[
    Idle
    | Clarifying
    | ChoosingDevice
    | InFlow
    | CollectingContact
    | WaitingForEngineer
    | WithEngineer
    | Rating
    | Resolved
    | Closed,
    Field(discriminator="kind"),
]
ENDED = (Resolved, Closed)
_STATUS = {
    "waiting_for_engineer": "handed_off",
    "with_engineer": "handed_off",
    "rating": "resolved",
    "resolved": "resolved",
    "closed": "closed",
}
#: Phases in which the conversation still takes messages (the widget keeps its input open).
OPEN_PHASES = frozenset(
    {"idle", "clarifying", "choosing_device", "in_flow", "collecting_contact",
     "waiting_for_engineer", "with_engineer", "rating"}
)  # fmt: skip


class OtherProblem(_Frozen):
    """A second problem the user mentioned, kept for when the first one is done."""

    flow_id: str
    said: str


class Offer(_Frozen):
    """A yes/no offer the bot made and waits on: pass the case to an engineer, or look at the
    other problem the user mentioned."""

    kind: Literal["engineer", "problem"]


class PublicState(_Frozen):
    """What clients see of a conversation (the API's ``state``). ``open`` says whether it still
    takes messages; ``route`` and ``callback_at`` tell a handed-off chat what it waits for;
    ``engineer`` names the engineer in the chat."""

    status: str
    phase: str
    flow_id: str | None
    step_id: str | None
    handoff_id: str | None
    open: bool = True
    route: str | None = None
    callback_at: datetime | None = None
    engineer: str | None = None


class SessionState(_Frozen):
    """Everything a conversation carries from turn to turn.

    ``issue`` is the problem in the user's first words; ``diagnosis`` the fault-isolation flow as
    it ended (kept for the handoff record and for an engineer's hand back); ``asset_serial`` the
    device the conversation is about; ``kb_sources`` the citations consulted so far;
    ``kb_abstained`` the knowledge questions it could not answer (the content-gap report's).
    """

    session_id: str
    site_id: str
    phase: Phase = Field(default_factory=Idle)
    issue: str | None = None
    diagnosis: DialogueState | None = None
    asset_serial: str | None = None
    asset_how: str | None = None  # how the device was identified (see service.equipment.How)
    kb_sources: tuple[Citation, ...] = ()
    kb_abstained: tuple[str, ...] = ()  # questions the knowledge base could not answer
    other_problems: tuple[OtherProblem, ...] = ()
    offer: Offer | None = None
    live_choices: tuple[str, ...] = ()  # ids of the buttons of the current question
    last_question: Message | None = None  # said again when an old button is pressed
    contract_told: bool = False  # the contract state was told in this conversation
    hazard: str | None = None  # a safety hazard the user reported
    rating: str | None = None  # "yes"/"no" to "did this solve your problem?" after an engineer
    said_count: int = 0  # messages the user sent (text or button)
    said_chars: int = 0  # characters of the user's text

    @property
    def handoff_id(self) -> str | None:
        return getattr(self.phase, "handoff_id", None)

    @property
    def ended(self) -> bool:
        return isinstance(self.phase, ENDED)

    def with_sources(self, citations: tuple[Citation, ...]) -> SessionState:
        """The state with ``citations`` added to the consulted sources (the newest kept)."""
        if not citations:
            return self
        kept = (*self.kb_sources, *citations)[-MAX_SOURCES:]
        return self.model_copy(update={"kb_sources": kept})

    def with_abstained(self, question: str) -> SessionState:
        """The state with ``question`` noted as one the knowledge base could not answer (the
        newest kept), for the resolution report's content gaps."""
        kept = (*self.kb_abstained, question)[-MAX_ABSTAINED:]
        return self.model_copy(update={"kb_abstained": kept})

    def public(self) -> PublicState:
        dialogue = getattr(self.phase, "dialogue", None)
        return PublicState(
            status=_STATUS.get(self.phase.kind, "active"),
            phase=self.phase.kind,
            flow_id=dialogue.flow_id if dialogue else None,
            step_id=dialogue.step_id if dialogue else None,
            handoff_id=self.handoff_id,
            open=self.phase.kind in OPEN_PHASES or self.offer is not None,
            route=getattr(self.phase, "route", None),
            callback_at=getattr(self.phase, "callback_at", None),
            engineer=getattr(self.phase, "engineer_name", None) or None,
        )
