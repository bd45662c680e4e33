"""The rules of one conversation turn: safety first, then understand the words (an offer's answer,
a question about the customer's own contract, a problem to check, a knowledge question), find
the device, walk the flow, consult the knowledge base, collect the site representative, open the
handoff. Questions are answered by ``QuestionTurns``, checks walked by ``FlowTurns``.

``Conversation.turn(state, event, now)`` computes the next state, the bot's messages and the
handoff the turn opens, and writes nothing: the assistant saves all of it in one transaction.
The knowledge base and the site's records are only read on the way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.devices import DeviceCategory
from bot.dialogue.contact import CONTACT_FLOW_ID, ContactDetails, contact_flow
from bot.dialogue.engine import advance
from bot.dialogue.events import Answer, Escalate
from bot.dialogue.intents import control_intent
from bot.dialogue.router import Route, Router
from bot.dialogue.schema import Flow
from bot.dialogue.state import Choice, Message, SiteContext
from bot.dialogue.steps import prompt, text
from bot.dialogue.topics import (
    account_topic,
    clauses,
    hazard,
    is_thanks,
    off_topic,
    reports_symptom,
    says_another,
    wants_help,
)
from bot.dialogue.yesno import parse_yes_no
from bot.escalation.accounts import Accounts, Site
from bot.kb.service import KnowledgeBase
from bot.service.account_answers import AccountAnswers, SiteRecords
from bot.service.choices import PERSON, YES_NO
from bot.service.equipment import identify, mentions
from bot.service.flow_turns import FlowTurns, device_kinds
from bot.service.handing_off import begin_contact, finish_handoff
from bot.service.kcs_match import FixFinder
from bot.service.kcs_usage import notes_for
from bot.service.outcome import KbAnswerKind, OpenedHandoff, UserChoice, UserEvent, UserText
from bot.service.question_turns import QuestionTurns
from bot.service.state import (
    ChoosingDevice,
    Clarifying,
    CollectingContact,
    Idle,
    InFlow,
    OtherProblem,
    Rating,
    Resolved,
    SessionState,
    WaitingForEngineer,
    WithEngineer,
)
from bot.service.turn import Turn

RATING_QUESTION = "Did this solve your problem?"
CONTRACT = Choice(id="contract", label="Our contract and support hours")
SAFETY = (
    "Safety first: if it is safe to touch, switch the equipment off at the wall socket or its "
    "power switch; if it is wet, sparking, smoking or hot, do not touch it. Keep people away, and "
    "follow your building's emergency procedure (call the fire service if there is smoke or fire). "
    "Please do not try any more checks."
)


@dataclass(frozen=True)
class TurnResult:
    state: SessionState
    messages: tuple[Message, ...]
    handoff: OpenedHandoff | None
    kb_result: KbAnswerKind | None = None


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
        records: SiteRecords,
        sinks: tuple[str, ...] = (),
        fixes: FixFinder | None = None,
    ) -> None:
        self.accounts = accounts
        self.flows = dict(flows)
        self.router = router
        self.latest_versions = dict(latest_versions)
        self.sinks = sinks
        self.fixes = fixes  # KCS articles: fixes engineers found, for flows and handoff records
        self.answers = AccountAnswers(accounts, records, self.latest_versions)
        self.questions = QuestionTurns(accounts=accounts, answers=self.answers, kb=kb, fixes=fixes)
        contact = contact_flow()
        self._engine_flows: dict[str, Flow] = {**self.flows, contact.id: contact}
        self.flow_turns = FlowTurns(
            accounts=accounts,
            flows=self.flows,
            engine_flows=self._engine_flows,
            kb=kb,
            fixes=fixes,
            side_question=self.questions.side_question,
        )

    @property
    def kb(self) -> KnowledgeBase | None:
        return self.questions.kb

    @kb.setter
    def kb(self, kb: KnowledgeBase | None) -> None:
        """A new knowledge base (a test's, or one built after the runtime) for every part."""
        self.questions.kb = self.flow_turns.kb = kb

    # --- entry points -------------------------------------------------------------------------
    def greeting(self, site: Site) -> Message:
        return text(
            f'Hello, {site.name}. Tell me what is wrong in your own words (for example "the screen '
            'in room 4 is black"), or ask a question about your equipment or your contract. '
            'Say "help" to see what I can do.',
            [PERSON],
        )

    def turn(self, state: SessionState, event: UserEvent, now: datetime) -> TurnResult:
        t = Turn(state, now)
        said = event.text if isinstance(event, UserText) else None
        choice = event.choice if isinstance(event, UserChoice) else None
        if not (said or choice):
            t.say(text("I didn't get any text. Describe the problem or pick one of the options."))
        elif choice is not None and choice != PERSON.id and choice not in state.live_choices:
            self._stale(t)
        else:
            self._dispatch(t, said, choice)
        self._remember_question(t)
        return TurnResult(t.state, tuple(t.messages), t.handoff, t.kb_result)

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
                    "fix_offer": None,
                    "offered_engineer": False,
                    "misses": 0,
                    "updated_at": now,
                }
            )
            lead = note or (
                "An engineer has looked at this and handed it back to me; let's continue from here."
            )
            step = flow.step(step_id)
            question = (
                prompt(step, lead, resumed.slots) if hasattr(step, "question") else text(lead)
            )
            new = state.model_copy(update={"phase": InFlow(dialogue=resumed), "offer": None})
            return self._with_question(new, question), question
        lead = note or "An engineer has handed this back to me. What is wrong now?"
        new = state.model_copy(update={"phase": Idle(), "diagnosis": None, "offer": None})
        return self._with_question(new, text(lead)), text(lead)

    @staticmethod
    def _with_question(state: SessionState, message: Message) -> SessionState:
        return state.model_copy(
            update={"live_choices": tuple(c.id for c in message.choices), "last_question": message}
        )

    # --- one turn ----------------------------------------------------------------------------
    def _dispatch(self, t: Turn, said: str | None, choice: str | None) -> None:
        phase = t.state.phase
        if said is not None and (found := hazard(said)) is not None:
            self._hazard(t, found, said)
            return
        if t.state.offer is not None and not isinstance(phase, CollectingContact):
            if self._offer_answered(t, said, choice):
                return
            if isinstance(phase, Resolved):  # a new problem instead of yes or no: keep going
                t.set(phase=Idle())
                phase = t.state.phase
        if isinstance(phase, WaitingForEngineer | WithEngineer):
            return  # a message for the engineer: it is in the transcript, the engineer sees it
        if isinstance(phase, Rating):
            self._rated(t, phase, said, choice)
            return
        if isinstance(phase, Resolved) or t.state.ended:
            ref = f" (reference {t.state.handoff_id})" if t.state.handoff_id else ""
            t.say(text(f"This conversation has ended{ref}. Start a new chat for another problem."))
            return
        if isinstance(phase, CollectingContact):
            self._contact_turn(t, phase, said, choice)
            return
        if choice == PERSON.id or (said is not None and control_intent(said) == "escalate"):
            self._ask_for_person(t)
        elif isinstance(phase, ChoosingDevice):
            self.flow_turns.device_chosen(t, phase, said, choice)
        elif isinstance(phase, Clarifying) and choice in phase.options:
            self.flow_turns.start(t, choice, t.state.issue or "")
        elif choice == CONTRACT.id:
            self.questions.account(t, "contract")
        elif isinstance(phase, InFlow):
            self.flow_turns.answer(t, phase.dialogue, said, choice)
        elif said is None:
            t.say(text("Please describe the problem in a few words.", [PERSON]))
        else:
            self._open_question(t, said)

    def _stale(self, t: Turn) -> None:
        """A button of an earlier question: say so and ask the current question again."""
        lead = "That button belongs to an earlier question."
        last = t.state.last_question
        if last is None:
            t.say(text(f"{lead} Tell me what is wrong in your own words.", [PERSON]))
            return
        t.say(text(lead), last)

    def _remember_question(self, t: Turn) -> None:
        asking = [m for m in t.messages if m.choices]
        if asking:
            t.state = self._with_question(t.state, asking[-1])
        elif t.messages:
            t.set(live_choices=(), last_question=t.messages[-1])

    def _open_question(self, t: Turn, said: str) -> None:
        """Idle: help, off-topic, the customer's own contract, a problem, or a KB question."""
        if wants_help(said):
            self._menu(t)
            return
        if is_thanks(said):
            t.say(
                text("You're welcome. If anything else comes up with the room, tell me.", [PERSON])
            )
            return
        other = off_topic(said)
        if other is not None:
            t.say(
                text(
                    f"I can help with the room's audio-visual equipment; for {other.what}, please "
                    f"contact {other.who}.",
                    [PERSON],
                )
            )
            return
        topic = account_topic(said)
        if topic is not None:
            self.questions.account(t, topic, said)
            return
        self._route(t, said)

    def _menu(self, t: Turn) -> None:
        flows = [f for f in self.flows.values() if f.routed]
        choices = tuple(Choice(id=f.id, label=_sentence(f.short_label)) for f in flows)
        t.set(phase=Clarifying(options=tuple(f.id for f in flows)))
        t.say(
            Message(
                type="question",
                text="I can check the room's equipment with you, answer questions about your "
                "contract, your cases and your equipment's firmware, and answer questions from "
                "the release notes. Pick a problem, or describe it in your own words:",
                choices=(*choices, CONTRACT, PERSON),
            )
        )

    def _route(self, t: Turn, said: str) -> None:
        t.set(issue=said)  # what the user now wants help with, not an earlier question
        problems = self._problems(said)
        if len(problems) >= 2:
            (first, first_said), rest = problems[0], problems[1:]
            t.set(other_problems=tuple(OtherProblem(flow_id=f, said=s) for f, s in rest))
            others = " and ".join(f"“{s}”" for _, s in rest)
            t.say(
                text(
                    f"You mentioned more than one problem. Let's start with “{first_said}”; "
                    f"I'll come back to {others} after that."
                )
            )
            self.flow_turns.start(t, first, first_said)
            return
        route = self.router.route(said)
        if route.kind == "flow" and route.flow_id:
            self.flow_turns.start(t, self._fitting_flow(t, route, said), said)
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
            self.questions.answer(t, said)
        elif (answer := self.questions.answer_if_known(t, said)) is not None:
            self.questions.answer(
                t, said, answer
            )  # a question the router doubted, that the notes answer
        else:
            t.say(
                text(
                    "I'm not sure I understood. Could you say what you see or hear in the room, "
                    'or ask a question about your equipment? Say "help" to see what I can do.',
                    [PERSON],
                )
            )

    def _fitting_flow(self, t: Turn, route: Route, said: str) -> str:
        """The routed flow; or, when the message names a room with no device that flow checks,
        the next candidate flow whose devices the room has ("the screen in room 2 is black" in
        a room with displays and no touch panel)."""
        site = self._site(t.state)
        routed = route.flow_id or ""
        mention = mentions(site, said) if site else None
        if site is None or mention is None or not mention.rooms:
            return routed
        rooms = mention.rooms
        if set(mention.kinds) & set(device_kinds(self.flows[routed])):
            return routed  # "the touch panel in room 2": the kind named outright is meant

        def fits(flow_id: str) -> bool:
            kinds = device_kinds(self.flows[flow_id])
            return not kinds or any(a.room in rooms and a.kind in kinds for a in site.assets)

        if fits(routed):
            return routed
        return next((f for f, _ in route.candidates if f != routed and fits(f)), routed)

    def _problems(self, said: str) -> list[tuple[str, str]]:
        """Distinct problems in one message, as (flow id, the words about it). Each part must
        report a symptom of its own ("room 1" or "the touch panel and" are no problem)."""
        parts = [p for p in clauses(said) if reports_symptom(p)]
        if len(parts) < 2:
            return []
        found: list[tuple[str, str]] = []
        for part in parts:
            route = self.router.route(part)
            if route.kind == "flow" and route.flow_id and route.flow_id not in dict(found):
                found.append((route.flow_id, part))
        if len(found) >= 2 and not says_another(said):
            # "X and Y" are two problems only when they are about different kinds of device;
            # "the codec is red and both screens say no signal" is one
            mains = {tuple(device_kinds(self.flows[f]))[:1] for f, _ in found}
            if len(mains) < len(found):
                return []
        return found

    def _site(self, state: SessionState) -> Site | None:
        return self.accounts.site(state.site_id)

    def _asset_context(self, state: SessionState) -> SiteContext:
        """The conversation's device as the flows see it (empty when none was identified)."""
        site = self._site(state)
        asset = (
            self.accounts.asset(site, state.asset_serial) if site and state.asset_serial else None
        )
        if asset is None:
            return SiteContext()
        return SiteContext(product=asset.product, model=asset.model, firmware=asset.firmware)

    # --- offers ------------------------------------------------------------------------------
    def _offer_answered(self, t: Turn, said: str | None, choice: str | None) -> bool:
        """The reply to a yes/no offer; False when the reply is something else (then the offer
        lapses and the reply is handled as usual)."""
        offer = t.state.offer
        assert offer is not None
        reply = choice if choice in ("yes", "no") else None
        if reply is None and said is not None and control_intent(said) is None:
            parsed = parse_yes_no(said, "shall I?")
            short = len(said.split()) <= 6
            if parsed.kind == "value" and (
                parsed.confidence >= 0.95 or (short and parsed.confidence >= 0.8)
            ):
                reply = str(parsed.value)
        t.set(offer=None)
        if reply is None:
            return False
        if offer.kind == "engineer":
            if reply == "yes":
                self._ask_for_person(t)
            else:
                t.say(text("OK. What else can I help with?", [PERSON]))
            return True
        problems = t.state.other_problems
        if reply == "yes" and problems:
            nxt, rest = problems[0], problems[1:]
            t.set(other_problems=rest, issue=nxt.said, diagnosis=None)
            self.flow_turns.start(t, nxt.flow_id, nxt.said)
        else:
            t.set(other_problems=())
            later = "start a new chat" if isinstance(t.state.phase, Resolved) else "just tell me"
            t.say(text(f"OK. If anything else comes up, {later}."))
        return True

    def _rated(self, t: Turn, phase: Rating, said: str | None, choice: str | None) -> None:
        """The answer to "did this solve your problem?" after an engineer resolved the case."""
        reply = choice if choice in ("yes", "no") else None
        if reply is None and said is not None:
            parsed = parse_yes_no(said, "did this solve your problem?")
            reply = str(parsed.value) if parsed.kind == "value" else None
        if reply is None:
            t.say(Message(type="question", text=RATING_QUESTION, choices=YES_NO))
            return
        t.set(phase=Resolved(handoff_id=phase.handoff_id), rating=reply)
        if reply == "yes":
            t.say(text("Thank you. Glad it is working again."))
        else:
            t.say(
                text(
                    "Sorry it is not solved. I have noted that on your case "
                    f"{phase.handoff_id}; start a new chat to tell us what is still wrong, and "
                    "mention that reference."
                )
            )

    # --- safety ------------------------------------------------------------------------------
    def _hazard(self, t: Turn, found: str, said: str) -> None:
        """A hazard at any point: the safety instruction first, then an urgent handoff."""
        t.say(Message(type="safety", text=SAFETY))
        phase = t.state.phase
        t.set(hazard=found, issue=t.state.issue or said)
        if isinstance(phase, WaitingForEngineer | WithEngineer):
            t.say(
                text(
                    f"Please tell the engineer about the {found} as well; your reference is {t.state.handoff_id}."
                )
            )
            return
        if isinstance(phase, CollectingContact):
            t.say(text("I have marked this case urgent."))
            step = self._engine_flows[CONTACT_FLOW_ID].step(phase.dialogue.step_id)
            t.say(prompt(step, slots=phase.dialogue.slots))
            return
        if isinstance(phase, InFlow):
            dialogue, _ = advance(
                self._engine_flows, phase.dialogue, Escalate(at=t.now, reason=f"hazard: {found}")
            )
            t.set(diagnosis=dialogue)
        site = self._site(t.state)
        if site is not None and t.state.asset_serial is None:
            ident = identify(site, list(DeviceCategory), mentions(site, said))
            if ident.asset is not None:
                t.set(asset_serial=ident.asset.serial, asset_how=ident.how)
        t.say(text("I'm passing this to an engineer as urgent."))
        begin_contact(t, self._engine_flows, self.accounts, site, f"safety hazard: {found}")

    # --- handoff -----------------------------------------------------------------------------
    def _ask_for_person(self, t: Turn) -> None:
        phase = t.state.phase
        if isinstance(phase, InFlow):  # keep what was checked, with the reason, for the record
            dialogue, messages = advance(self._engine_flows, phase.dialogue, Escalate(at=t.now))
            t.say(*messages)
            t.set(diagnosis=dialogue)
        begin_contact(
            t, self._engine_flows, self.accounts, self._site(t.state), "the user asked for a person"
        )

    def _contact_turn(
        self, t: Turn, phase: CollectingContact, said: str | None, choice: str | None
    ) -> None:
        if said is not None and control_intent(said) == "escalate":
            t.say(text("That is what I'm arranging: I only need a few details for the engineer."))
            step = self._engine_flows[CONTACT_FLOW_ID].step(phase.dialogue.step_id)
            t.say(prompt(step, slots=phase.dialogue.slots))
            return
        event = (
            Answer(at=t.now, choice=choice) if choice is not None else Answer(at=t.now, text=said)
        )
        dialogue, messages = advance(self._engine_flows, phase.dialogue, event)
        t.say(*messages)
        if not dialogue.finished:
            t.set(phase=phase.model_copy(update={"dialogue": dialogue}))
            return
        finish_handoff(
            t,
            accounts=self.accounts,
            flows=self.flows,
            site=self._site(t.state),
            contact=ContactDetails.from_slots(dialogue.slots),
            latest_versions=self.latest_versions,
            sinks=self.sinks,
            queue_position=self.answers.records.waiting_ahead,
            articles=notes_for(self.fixes, t.state, self._asset_context(t.state)),
        )


def _sentence(label: str) -> str:
    return label[:1].upper() + label[1:]
