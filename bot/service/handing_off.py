"""The end of self-service: collect the site representative (the built-in contact flow), pick the
device the case is about, decide under the contract and open the handoff.

The device is the one the conversation identified, unless the checks point at another one in the
same room (a flow outcome's ``device``, or a known issue fixed in another product line's
firmware); when the user never said which device, the best guess is recorded as not confirmed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.devices import DeviceCategory
from bot.dialogue.contact import CONTACT_FLOW_ID, ContactDetails
from bot.dialogue.engine import advance
from bot.dialogue.events import Start
from bot.dialogue.schema import Flow, OutcomeStep
from bot.dialogue.state import DialogueState, Message, SiteContext
from bot.escalation.accounts import Accounts, Asset, Site
from bot.escalation.coverage import RENEW, coverage
from bot.escalation.handoff import ArticleNote
from bot.service.equipment import HOW_WORDS, in_room
from bot.service.escalating import CaseFacts, open_handoff
from bot.service.state import CollectingContact, WaitingForEngineer
from bot.service.turn import Turn


def tell_contract_state(t: Turn, accounts: Accounts, site: Site | None, lead: str) -> None:
    """Say once per conversation, before anything else is asked, that the contract does not
    cover support (and what that means)."""
    if t.state.contract_told or site is None:
        return
    t.set(contract_told=True)
    gap = coverage(accounts, site, t.now).gap()
    if gap:
        t.say(Message(type="text", text=f"{lead} {gap} {RENEW}"))


def begin_contact(
    t: Turn, flows: Mapping[str, Flow], accounts: Accounts, site: Site | None, reason: str
) -> None:
    """Start collecting the site representative (after the contract state, when it matters)."""
    tell_contract_state(t, accounts, site, "Before I pass this on:")
    context = SiteContext(country=site.country if site else None)
    start = Start(at=t.now, flow_id=CONTACT_FLOW_ID, context=context)
    dialogue, messages = advance(flows, None, start)
    t.set(phase=CollectingContact(dialogue=dialogue, reason=reason), offer=None)
    t.say(*messages)


def case_device(
    site: Site | None,
    flows: Mapping[str, Flow],
    asset: Asset | None,
    how: str | None,
    diagnosis: DialogueState | None,
) -> tuple[Asset | None, str | None, str | None]:
    """The device the handoff is about, how it was identified, and the kind of device at fault
    when none of that kind is registered in the room (then the room's system is recorded and no
    part is promised for a device the contract does not list)."""
    if site is None:
        return None, None, None
    room = asset.room if asset else None
    if diagnosis is not None:
        for finding in diagnosis.kb_findings:
            if finding.update_recommended and finding.citations:
                product = _product_of(flows, diagnosis, finding.step_id)
                if product and (asset is None or asset.product != product):
                    other = in_room(site, room, product=product)
                    if other is not None:
                        return other, "flow_outcome", None
        outcome = diagnosis.outcome
        flow = flows.get(diagnosis.flow_id)
        step = (
            flow.step(outcome.step_id)
            if flow and outcome and flow.has_step(outcome.step_id)
            else None
        )
        if (
            isinstance(step, OutcomeStep)
            and step.device
            and (asset is None or asset.kind is not step.device)
        ):
            other = in_room(site, room, step.device)
            if other is not None:
                return other, "flow_outcome", None
            several = [a for a in site.assets if a.room == room and a.kind is step.device]
            at_fault = (
                f"{step.device.words} is one of {len(several)} in the room (which one was not "
                "confirmed)"
                if several
                else f"{step.device.words} is not a registered asset of the site"
            )
            system = in_room(site, room, DeviceCategory.CODEC) if room else None
            return (system or asset), ("room_system" if system else how), at_fault
    if asset is not None:
        return asset, how, None
    codecs = [a for a in site.assets if a.kind is DeviceCategory.CODEC] or list(site.assets)
    return (codecs[0], "not_confirmed", None) if codecs else (None, None, None)


def _product_of(flows: Mapping[str, Flow], diagnosis: DialogueState, step_id: str) -> str | None:
    flow = flows.get(diagnosis.flow_id)
    if flow is None or not flow.has_step(step_id):
        return None
    step = flow.step(step_id)
    return getattr(step, "product", None) or diagnosis.context.product


def finish_handoff(
    t: Turn,
    *,
    accounts: Accounts,
    flows: Mapping[str, Flow],
    site: Site | None,
    contact: ContactDetails,
    latest_versions: Mapping[str, str],
    sinks: tuple[str, ...],
    queue_position: Callable[[str], int] | None = None,
    articles: tuple[ArticleNote, ...] = (),
) -> None:
    """Decide, compose and attach the handoff to the turn; tell the user what happens next
    (with how many live cases are ahead, from ``queue_position(priority)``); ``articles`` are
    the KCS articles tried in the chat and those for the engineer."""
    state = t.state
    reason = state.phase.reason if isinstance(state.phase, CollectingContact) else ""
    current = accounts.asset(site, state.asset_serial) if site and state.asset_serial else None
    asset, how, unregistered = case_device(site, flows, current, state.asset_how, state.diagnosis)
    issue = state.issue or reason
    if state.other_problems:
        also = "; ".join(p.said for p in state.other_problems)
        issue = f"{issue}\n(Also reported: {also})"
    facts = CaseFacts(
        site_id=state.site_id,
        serial=asset.serial if asset else "",
        issue=issue,
        diagnosis=state.diagnosis,
        contact=contact,
        kb_sources=state.kb_sources,
        identification=HOW_WORDS.get(how or "", None),
        hazard=state.hazard,
        unregistered=unregistered,
        articles=articles,
    )
    opened = open_handoff(accounts, facts, t.now, latest_versions=latest_versions, sinks=sinks)
    t.handoff = opened
    decision = opened.record.decision
    t.set(
        phase=WaitingForEngineer(
            handoff_id=opened.record.id,
            route=decision.route.value,
            callback_at=decision.callback_at,
        ),
        asset_serial=asset.serial if asset else None,
        asset_how=how,
    )
    summary = opened.record.user_summary()
    if decision.route.value == "live_transfer" and queue_position is not None:
        ahead = queue_position(opened.record.priority)
        summary += (
            " You are next in the queue."
            if ahead == 0
            else f" There {'is' if ahead == 1 else 'are'} {ahead} "
            f"{'case' if ahead == 1 else 'cases'} ahead of you in the queue."
        )
    if state.other_problems:
        others = " and ".join(p.said for p in state.other_problems)
        summary += f" I have noted the other problem you mentioned ({others}) for the engineer too."
    t.say(Message(type="handoff", text=summary))
