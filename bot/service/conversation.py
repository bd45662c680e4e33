"""The rules of one conversation turn: understand the words, walk the flow, consult the knowledge
base, collect the site representative, open the handoff.

``Conversation.turn(state, event, now)`` computes the next state, the bot's messages and the
handoff the turn opens, and writes nothing: the assistant saves all of it in one transaction. The
knowledge base is the only thing consulted (read-only) on the way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.dialogue.contact import CONTACT_FLOW_ID, ContactDetails, contact_flow
from bot.dialogue.engine import EngineEvent, advance
from bot.dialogue.events import Answer, Escalate, KbResult, SideQuestion, Start
from bot.dialogue.intents import control_intent, interpret
from bot.dialogue.router import Router
from bot.dialogue.schema import Flow
from bot.dialogue.state import Choice, DialogueState, Message, SiteContext
from bot.dialogue.steps import prompt, text
from bot.errors import AssistError
from bot.escalation.accounts import Accounts, Asset, Site
from bot.kb.known_issues import find_fix
from bot.kb.service import KnowledgeBase
from bot.service.escalating import CaseFacts, open_handoff
from bot.service.outcome import OpenedHandoff, UserChoice, UserEvent, UserText
from bot.service.state import (
    Clarifying,
    CollectingContact,
    Idle,
    InFlow,
    Resolved,
    SessionState,
    WaitingForEngineer,
    WithEngineer,
)

PERSON = Choice(id="person", label="Talk to a person")
MAX_KB_ROUNDS = 5


@dataclass
class _Turn:
    """The turn being worked out: the state so far, what the bot says, the handoff it opens."""

    state: SessionState
    now: datetime
    messages: list[Message] = field(default_factory=list)
    handoff: OpenedHandoff | None = None

    def say(self, *messages: Message) -> None:
        self.messages.extend(messages)

    def set(self, **changes: object) -> None:
        self.state = self.state.model_copy(update=changes)


@dataclass(frozen=True)
class TurnResult:
    state: SessionState
    messages: tuple[Message, ...]
    handoff: OpenedHandoff | None


class Conversation:
    """The conversation rules over the site's accounts, the flows, the router and the KB."""

    def __init__(
        self,
        *,
        accounts: Accounts,
        flows: Mapping[str, Flow],
        router: Router,
        kb: KnowledgeBase | None,
        latest_versions: Mapping[str, str],
        sinks: tuple[str, ...] = (),
    ) -> None:
        self.accounts = accounts
        self.flows = dict(flows)
        self.router = router
        self.kb = kb
        self.latest_versions = dict(latest_versions)
        self.sinks = sinks
        contact = contact_flow()
        self._engine_flows: dict[str, Flow] = {**self.flows, contact.id: contact}

    # --- entry points -------------------------------------------------------------------------
    def greeting(self, site: Site) -> Message:
        return text(
            f'Hello, {site.name}. Tell me what is wrong in your own words (for example "the screen '
            'in room 4 is black"), or ask a question about your equipment.',
            [PERSON],
        )

    def turn(self, state: SessionState, event: UserEvent, now: datetime) -> TurnResult:
        t = _Turn(state, now)
        said = event.text if isinstance(event, UserText) else None
        choice = event.choice if isinstance(event, UserChoice) else None
        if not (said or choice):
            t.say(text("I didn't get any text. Describe the problem or pick one of the options."))
        else:
            self._dispatch(t, said, choice)
        return TurnResult(t.state, tuple(t.messages), t.handoff)

    def resume(
        self, state: SessionState, step_id: str | None, note: str | None, now: datetime
    ) -> tuple[SessionState, Message]:
        """An engineer handed the case back: continue the flow at ``step_id`` or, without a step
        (or a flow), go back to the open question."""
        dialogue = state.diagnosis
        flow = self.flows.get(dialogue.flow_id) if dialogue else None
        if dialogue and flow and step_id and flow.has_step(step_id):
            resumed = dialogue.model_copy(
                update={
                    "step_id": step_id,
                    "status": "active",
                    "outcome": None,
                    "escalation_reason": None,
                    "pending_kb": None,
                    "pending_confirm": None,
                    "updated_at": now,
                }
            )
            lead = note or (
                "An engineer has looked at this and handed it back to me; let's continue from here."
            )
            return state.model_copy(update={"phase": InFlow(dialogue=resumed)}), text(lead)
        lead = note or "An engineer has handed this back to me. What is wrong now?"
        return state.model_copy(update={"phase": Idle(), "diagnosis": None}), text(lead)

    # --- one turn ----------------------------------------------------------------------------
    def _dispatch(self, t: _Turn, said: str | None, choice: str | None) -> None:
        phase = t.state.phase
        if isinstance(phase, Resolved | WaitingForEngineer | WithEngineer) or t.state.ended:
            ref = f" (reference {t.state.handoff_id})" if t.state.handoff_id else ""
            t.say(text(f"This conversation has ended{ref}. Start a new chat for another problem."))
            return
        if isinstance(phase, CollectingContact):
            self._contact_turn(t, phase, said, choice)
            return
        if choice == PERSON.id or (said is not None and control_intent(said) == "escalate"):
            self._ask_for_person(t)
        elif isinstance(phase, Clarifying) and choice in phase.options:
            self._start_flow(t, choice)
        elif isinstance(phase, InFlow):
            self._flow_turn(t, phase.dialogue, said, choice)
        elif said is None:
            t.say(text("Please describe the problem in a few words.", [PERSON]))
        else:
            self._route(t, said)

    def _route(self, t: _Turn, said: str) -> None:
        t.set(issue=t.state.issue or said)
        route = self.router.route(said)
        if route.kind == "flow" and route.flow_id:
            self._start_flow(t, route.flow_id)
        elif route.kind == "clarify":
            t.set(phase=Clarifying(options=tuple(c.id for c in route.choices)))
            t.say(
                Message(
                    type="question",
                    text=route.question or "Which is closer?",
                    choices=(*route.choices, PERSON),
                )
            )
        elif route.kind == "question":
            self._answer(t, said)
        else:
            t.say(
                text(
                    "I'm not sure I understood. Could you say what you see or hear in the room, or "
                    "ask a question about your equipment?",
                    [PERSON],
                )
            )

    def _answer(self, t: _Turn, question: str) -> None:
        if self.kb is None:
            t.say(text("The knowledge base is not available right now.", [PERSON]))
            return
        try:
            answer = self.kb.ask(question)
        except AssistError as exc:
            t.say(text(str(exc), [PERSON]))
            return
        citations = tuple(answer.citations)
        t.state = t.state.with_sources(citations)
        t.say(
            Message(
                type="text",
                text=answer.text,
                choices=(PERSON,) if answer.abstained else (),
                citations=citations,
            )
        )

    def _site(self, state: SessionState) -> Site | None:
        return self.accounts.site(state.site_id)

    @staticmethod
    def _asset_for(site: Site, flow: Flow) -> Asset | None:
        assets = list(site.assets)
        for asset in assets:
            if asset.product in flow.products:
                return asset
        return assets[0] if assets else None

    def _start_flow(self, t: _Turn, flow_id: str) -> None:
        site = self._site(t.state)
        flow = self.flows[flow_id]
        asset = self._asset_for(site, flow) if site else None
        context = SiteContext(
            product=asset.product if asset else None,
            model=asset.model if asset else None,
            firmware=asset.firmware if asset else None,
            country=site.country if site else None,
        )
        dialogue, messages = advance(
            self._engine_flows, None, Start(at=t.now, flow_id=flow_id, context=context)
        )
        t.set(asset_serial=asset.serial if asset else None)
        t.say(*messages)
        self._settle(t, dialogue)

    def _flow_turn(
        self, t: _Turn, dialogue: DialogueState, said: str | None, choice: str | None
    ) -> None:
        event: EngineEvent = (
            Answer(at=t.now, choice=choice)
            if choice is not None
            else interpret(self._engine_flows, dialogue, said or "", t.now)
        )
        if isinstance(event, SideQuestion):
            self._answer(t, event.text)
        dialogue, messages = advance(self._engine_flows, dialogue, event)
        t.say(*messages)
        self._settle(t, dialogue)

    def _settle(self, t: _Turn, dialogue: DialogueState) -> None:
        """Answer pending knowledge-base checks, then hand off or close when the flow ends."""
        for _ in range(MAX_KB_ROUNDS):
            request = dialogue.pending_kb
            if request is None:
                break
            result = KbResult(at=t.now, found=False)
            if self.kb is not None:
                finding = find_fix(self.kb, request.query, request.product, request.firmware)
                result = KbResult(
                    at=t.now,
                    found=finding.found,
                    summary=finding.summary,
                    citations=finding.citations,
                    fixed_in=finding.fixed_in,
                )
                t.state = t.state.with_sources(finding.citations)
            dialogue, more = advance(self._engine_flows, dialogue, result)
            t.say(*more)
        if not dialogue.finished:
            t.set(phase=InFlow(dialogue=dialogue))
        elif dialogue.status == "resolved":
            t.set(phase=Resolved(), diagnosis=dialogue)
        else:
            t.set(diagnosis=dialogue)
            self._begin_contact(t, dialogue.escalation_reason or "fault isolated")

    # --- handoff -----------------------------------------------------------------------------
    def _ask_for_person(self, t: _Turn) -> None:
        phase = t.state.phase
        if isinstance(phase, InFlow):  # keep what was checked, with the reason, for the record
            dialogue, messages = advance(self._engine_flows, phase.dialogue, Escalate(at=t.now))
            t.say(*messages)
            t.set(diagnosis=dialogue)
        self._begin_contact(t, "the user asked to talk to a person")

    def _begin_contact(self, t: _Turn, reason: str) -> None:
        site = self._site(t.state)
        context = SiteContext(country=site.country if site else None)
        start = Start(at=t.now, flow_id=CONTACT_FLOW_ID, context=context)
        dialogue, messages = advance(self._engine_flows, None, start)
        t.set(phase=CollectingContact(dialogue=dialogue, reason=reason))
        t.say(*messages)

    def _contact_turn(
        self, t: _Turn, phase: CollectingContact, said: str | None, choice: str | None
    ) -> None:
        if said is not None and control_intent(said) == "escalate":
            lead = "That is what I'm arranging: I only need a few details for the engineer."
            t.say(text(lead))
            dialogue = phase.dialogue
            step = self._engine_flows[CONTACT_FLOW_ID].step(dialogue.step_id)
            t.say(prompt(step, slots=dialogue.slots))
            return
        event = (
            Answer(at=t.now, choice=choice) if choice is not None else Answer(at=t.now, text=said)
        )
        dialogue, messages = advance(self._engine_flows, phase.dialogue, event)
        t.say(*messages)
        if not dialogue.finished:
            t.set(phase=phase.model_copy(update={"dialogue": dialogue}))
            return
        self._finish_handoff(t, ContactDetails.from_slots(dialogue.slots))

    def _finish_handoff(self, t: _Turn, contact: ContactDetails) -> None:
        state = t.state
        site = self._site(state)
        serial = state.asset_serial or (site.assets[0].serial if site and site.assets else "")
        reason = state.phase.reason if isinstance(state.phase, CollectingContact) else ""
        facts = CaseFacts(
            site_id=state.site_id,
            serial=serial,
            issue=state.issue or reason,
            diagnosis=state.diagnosis,
            contact=contact,
            kb_sources=state.kb_sources,
        )
        opened = open_handoff(
            self.accounts,
            facts,
            t.now,
            latest_versions=self.latest_versions,
            sinks=self.sinks,
        )
        t.handoff = opened
        t.set(phase=WaitingForEngineer(handoff_id=opened.record.id))
        t.say(Message(type="handoff", text=opened.record.user_summary()))
