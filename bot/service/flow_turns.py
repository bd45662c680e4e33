"""The turns of a check: find the device the problem is about (asking when several fit), start its
flow with what the opening message already said, walk it with the user's answers, answer the
knowledge-base look-ups the flow asks for, and hand off or close when it ends."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.devices import PRODUCT_CATEGORIES, DeviceCategory
from bot.dialogue.answers import is_not_sure, parse_choice
from bot.dialogue.engine import EngineEvent, advance
from bot.dialogue.events import Answer, KbResult, SideQuestion, Start
from bot.dialogue.facts import facts_in
from bot.dialogue.intents import interpret, is_side_question
from bot.dialogue.schema import ChoiceOption, Flow
from bot.dialogue.state import DialogueState, Message, Peer, SiteContext
from bot.dialogue.steps import text
from bot.escalation.accounts import Accounts, Asset, Site
from bot.kb.known_issues import find_fix
from bot.kb.service import KnowledgeBase
from bot.service.choices import PERSON, YES_NO
from bot.service.equipment import Mention, choices_for, identify, mentions, strip_places
from bot.service.handing_off import begin_contact, tell_contract_state
from bot.service.kcs_match import FixFinder
from bot.service.kcs_usage import fixes_for
from bot.service.state import ChoosingDevice, InFlow, Offer, Resolved, SessionState
from bot.service.turn import Turn

MAX_KB_ROUNDS = 5

SideQuestionHandler = Callable[[Turn, str], None]
"""Answers a question the user asks instead of answering the check's (or the device) question."""


def device_kinds(flow: Flow) -> list[DeviceCategory]:
    """The kinds of device a flow checks (its products' kinds when it names no device kind)."""
    return list(flow.devices) or [
        PRODUCT_CATEGORIES[p] for p in flow.products if p in PRODUCT_CATEGORIES
    ]


class FlowTurns:
    """Checks with the user, over the site's accounts, the flows (the contact flow included in
    ``engine_flows``), the knowledge base and the fixes engineers found."""

    def __init__(
        self,
        *,
        accounts: Accounts,
        flows: Mapping[str, Flow],
        engine_flows: Mapping[str, Flow],
        kb: KnowledgeBase | None,
        fixes: FixFinder | None,
        side_question: SideQuestionHandler,
    ) -> None:
        self.accounts = accounts
        self.flows = flows
        self.engine_flows = engine_flows
        self.kb = kb
        self.fixes = fixes
        self.side_question = side_question

    def _site(self, state: SessionState) -> Site | None:
        return self.accounts.site(state.site_id)

    def start(self, t: Turn, flow_id: str, said: str) -> None:
        """Find the device (ask when several fit), then start the flow."""
        pending = tuple(p for p in t.state.other_problems if p.flow_id != flow_id)
        if pending != t.state.other_problems:
            t.set(other_problems=pending)  # the problem kept for later is being looked at now
        site = self._site(t.state)
        flow = self.flows[flow_id]
        if site is None:
            self._begin(t, flow, None, None, said)
            return
        found = identify(site, device_kinds(flow), mentions(site, said))
        if found.candidates:
            tell_contract_state(t, self.accounts, site, "Before we start:")
            question, choices = choices_for(found.candidates)
            t.set(
                phase=ChoosingDevice(
                    flow_id=flow_id, options=tuple(c.id for c in choices), said=said
                )
            )
            t.say(Message(type="question", text=question, choices=(*choices, PERSON)))
            return
        self._begin(t, flow, found.asset, found.how, said)

    def device_chosen(
        self, t: Turn, phase: ChoosingDevice, said: str | None, choice: str | None
    ) -> None:
        site = self._site(t.state)
        flow = self.flows[phase.flow_id]
        options = [a for a in (site.assets if site else ()) if a.serial in phase.options]
        picked: Asset | None = next((a for a in options if a.serial == choice), None)
        how = "asked"
        if picked is None and said is not None and _asks_back(site, said):
            # "which firmware fixed ... on the cx-900?": a question of its own, not a pick
            self.side_question(t, said)
            question, choices = choices_for(options)
            t.say(Message(type="question", text=question, choices=(*choices, PERSON)))
            return
        if picked is None and said is not None and site is not None:
            picked = _pick(options, mentions(site, said), said)
            if picked is None and is_not_sure(said):
                picked, how = options[0] if options else None, "not_confirmed"
        if picked is None:
            if phase.misses >= 1 and options:
                picked, how = options[0], "not_confirmed"
            else:
                question, choices = choices_for(options)
                t.set(phase=phase.model_copy(update={"misses": phase.misses + 1}))
                t.say(
                    Message(
                        type="question",
                        text=f"Sorry, I didn't catch which. {question} Pick one, or tell me the room.",
                        choices=(*choices, PERSON),
                    )
                )
                return
        self._begin(t, flow, picked, how, phase.said)

    def _begin(self, t: Turn, flow: Flow, asset: Asset | None, how: str | None, said: str) -> None:
        site = self._site(t.state)
        tell_contract_state(t, self.accounts, site, "Before we start:")
        peers = tuple(
            Peer(product=a.product, model=a.model, firmware=a.firmware)
            for a in (site.assets if site else ())
            if a.product and asset is not None and a.room == asset.room and a is not asset
        )
        context = SiteContext(
            product=asset.product if asset else None,
            model=asset.model if asset else None,
            firmware=asset.firmware if asset else None,
            country=site.country if site else None,
            peers=peers,
        )
        t.set(asset_serial=asset.serial if asset else None, asset_how=how, offer=None)
        if asset is not None and how != "only_one":
            t.say(text(f"This is about the {asset.describe()}."))
        # facts in the opening message are applied as the flow reaches their steps
        given = facts_in(flow, strip_places(site, said)) if said and site else {}
        known = fixes_for(self.fixes, context, (said, t.state.issue or ""), flow.id)
        start = Start(at=t.now, flow_id=flow.id, context=context, given=given, fixes=known)
        dialogue, messages = advance(self.engine_flows, None, start)
        t.say(*messages)
        self._settle(t, dialogue)

    def answer(
        self, t: Turn, dialogue: DialogueState, said: str | None, choice: str | None
    ) -> None:
        """The user's reply to the check's current step."""
        event: EngineEvent = (
            Answer(at=t.now, choice=choice)
            if choice is not None
            else interpret(self.engine_flows, dialogue, said or "", t.now)
        )
        if isinstance(event, SideQuestion):
            self.side_question(t, event.text)
        dialogue, messages = advance(self.engine_flows, dialogue, event)
        t.say(*messages)
        self._settle(t, dialogue)

    def _settle(self, t: Turn, dialogue: DialogueState) -> None:
        """Answer pending knowledge-base checks, then hand off or close when the flow ends."""
        for _ in range(MAX_KB_ROUNDS):
            request = dialogue.pending_kb
            if request is None:
                break
            asked = SiteContext(
                product=request.product, model=request.model, firmware=request.firmware
            )
            texts = (request.query, t.state.issue or "")
            known = fixes_for(self.fixes, asked, texts, dialogue.flow_id)
            result = KbResult(at=t.now, found=False, fixes=known)
            if self.kb is not None and request.product:
                finding = find_fix(self.kb, request.query, request.product, request.firmware)
                result = KbResult(
                    at=t.now,
                    found=finding.found,
                    summary=finding.summary,
                    citations=finding.citations,
                    fixed_in=finding.fixed_in,
                    fixes=known,
                )
                t.state = t.state.with_sources(finding.citations)
            dialogue, more = advance(self.engine_flows, dialogue, result)
            t.say(*more)
        if not dialogue.finished:
            t.set(phase=InFlow(dialogue=dialogue))
            return
        t.set(diagnosis=dialogue)
        if dialogue.status != "resolved":
            reason = dialogue.escalation_reason or "fault isolated"
            begin_contact(t, self.engine_flows, self.accounts, self._site(t.state), reason)
            return
        t.set(phase=Resolved())
        if t.state.other_problems:
            nxt = t.state.other_problems[0]
            t.set(offer=Offer(kind="problem"))  # stays resolved unless the user goes on
            t.say(
                Message(
                    type="question",
                    text=f"You also mentioned “{nxt.said}”. Shall we look at that now?",
                    choices=YES_NO,
                )
            )


def _pick(options: list[Asset], mention: Mention, said: str) -> Asset | None:
    """The option a free-text reply names: a room, a model, a kind, or words of its label."""
    if mention.models:
        named = [a for a in options if a.model in mention.models]
        if len(named) == 1:
            return named[0]
    if mention.rooms:
        named = [a for a in options if a.room in mention.rooms]
        if len(named) == 1:
            return named[0]
    if mention.kinds:
        named = [a for a in options if a.kind in mention.kinds]
        if len(named) == 1:
            return named[0]
    _, choices = choices_for(options)
    parsed = parse_choice(
        [ChoiceOption(id=f"o{i}", label=c.label) for i, c in enumerate(choices)], said
    )
    if parsed.kind == "value" and not parsed.needs_confirmation and isinstance(parsed.value, str):
        return options[int(parsed.value.removeprefix("o"))]
    return None


def _asks_back(site: Site | None, said: str) -> bool:
    """A reply to "which room?" that is a question of its own (a question word, a question mark,
    five words or more) and names no room of the site."""
    if not is_side_question(said) or len(said.split()) < 5:
        return False
    return site is None or not mentions(site, said).rooms
