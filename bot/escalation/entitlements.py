"""The provider's two service contracts as pure rules: no I/O, no clock.

``decide`` takes the accounts, the site and asset, the fault, how remote troubleshooting went, when
the failure was determined and what time it is now, and returns a ``Decision`` whose every route
and date is explained in the site's local time. The rules (issue 5):

- not covered: no contract, contract not active on ``now``'s site-local day, or the asset is not
  at the site -> route ``not_covered`` (time-and-materials or the account contact is offered);
- Premier: ``live_transfer`` within the site's business hours, else ``callback`` at the next
  opening; Premier Plus: ``live_transfer`` at any hour;
- network -> ``network_escalation``; software -> ``software_update`` (target: newest release);
- hardware, Premier -> ``ship_replacement``: dispatch on the determination day if that is a
  business day and the site-local time is before 15:00, else the next business day; delivery the
  next business day after dispatch; return due 5 business days after delivery (US, CA, MX) or 10;
  an end-of-life asset gets ``tm_quote`` instead (no replacement part exists under the contract);
- hardware, Premier Plus -> ``onsite_dispatch`` the next business day after the determination
  day, only once remote troubleshooting ``failed``; before that ``remote_troubleshooting``; plus
  ``tm_quote`` when the unit is unrepairable or end-of-life;
- resolved (the category, or remote troubleshooting that resolved it) -> no actions;
- a site representative is required under both tiers, in the tier's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from bot.errors import EscalationError
from bot.escalation.accounts import Accounts, Asset, Contract
from bot.escalation.calendar import BusinessCalendar
from bot.escalation.decision import (
    Action,
    ActionKind,
    Category,
    Decision,
    RemoteResolution,
    Route,
    Tier,
)
from bot.escalation.hardware import premier_hardware, premier_plus_hardware
from bot.escalation.releases import version_key
from bot.escalation.wording import SiteClock, format_day, format_time, place_name

_E = TypeVar("_E", Category, RemoteResolution)


REPRESENTATIVE_WORDING = {
    Tier.PREMIER: "Premier asks for a knowledgeable person at the site to work the problem with "
    "our engineer.",
    Tier.PREMIER_PLUS: "Premier Plus asks for a knowledgeable, dedicated site representative for "
    "the whole troubleshooting and repair.",
}
NOT_COVERED_OFFER = (
    "We can still help on a time-and-materials basis, or your ProTelecom account contact can "
    "review the contract with you; the self-service guides stay open to you."
)


def decide(
    accounts: Accounts,
    site_id: str,
    serial: str,
    category: Category | str,
    remote_resolution: RemoteResolution | str,
    unrepairable: bool,
    determined_at: datetime,
    now: datetime,
    *,
    latest_versions: Mapping[str, str] | None = None,
    calendar: BusinessCalendar | None = None,
) -> Decision:
    """Decide the route, actions and dates for a fault at a site (see the module docstring).

    ``determined_at`` and ``now`` must be aware; results are site-local. ``latest_versions`` maps
    product id -> newest firmware (``Releases.latest_versions``); ``calendar`` may be passed to
    reuse a site's holiday table. Raises ``EscalationError`` for an unknown site, category or
    remote-resolution value, ``ValueError`` for naive datetimes.
    """
    cat = _parse(Category, category, "category")
    remote = _parse(RemoteResolution, remote_resolution, "remote resolution")
    site = accounts.site(site_id)
    if site is None:
        raise EscalationError(f"unknown site '{site_id}'")
    cal = calendar or BusinessCalendar.for_site(site)
    place = place_name(site.name, site.city, site.timezone)
    clock = SiteClock(site, cal, cal.to_local(now), cal.to_local(determined_at), place)
    contract = accounts.contract_of(site)
    asset = accounts.asset(site, serial)
    gap = _coverage_gap(clock, contract, asset, serial)
    if gap is not None or contract is None or asset is None:  # the None tests narrow the types
        return Decision(
            entitled=False,
            tier=None,
            route=Route.NOT_COVERED,
            callback_at=None,
            actions=(),
            site_representative_required=False,
            reasons=(gap or "", NOT_COVERED_OFFER),
            site_id=site.id,
            serial=serial,
            category=cat,
            remote_resolution=remote,
        )
    tier = contract.tier
    covered = (
        f"{site.name} is covered by {tier.label} contract {contract.id}, valid until "
        f"{format_day(contract.ends)}."
    )
    route, callback_at, route_reason = _contact(clock, tier)
    actions = _actions(clock, tier, asset, cat, remote, unrepairable, latest_versions or {})
    notes = [a.reason for a in actions]
    if cat is Category.RESOLVED or remote is RemoteResolution.RESOLVED:
        notes = ["The problem is resolved, so nothing needs to be sent or scheduled."]
    return Decision(
        entitled=True,
        tier=tier,
        route=route,
        callback_at=callback_at,
        actions=tuple(actions),
        site_representative_required=True,
        reasons=(covered, route_reason, *notes, REPRESENTATIVE_WORDING[tier]),
        site_id=site.id,
        serial=serial,
        category=cat,
        remote_resolution=remote,
    )


def _parse(kind: type[_E], value: _E | str, what: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise EscalationError(f"unknown {what} '{value}'; use one of: {allowed}") from None


def _coverage_gap(
    clock: SiteClock, contract: Contract | None, asset: Asset | None, serial: str
) -> str | None:
    """Why the site or asset is not covered on ``now``'s site-local day, or None."""
    today = clock.now.date()
    if contract is None:
        return f"{clock.site.name} has no service contract on file, so support is not covered."
    if today > contract.ends:
        return (
            f"The {contract.tier.label} contract {contract.id} for {clock.site.name} ended on "
            f"{clock.day(contract.ends)}, so it no longer covers support."
        )
    if today < contract.starts:
        return (
            f"The {contract.tier.label} contract {contract.id} for {clock.site.name} starts on "
            f"{clock.day(contract.starts)}, so it does not cover support yet."
        )
    if asset is None:
        return (
            f"The unit with serial {serial} is not registered at {clock.site.name}, so the "
            "contract does not cover it."
        )
    return None


def _contact(clock: SiteClock, tier: Tier) -> tuple[Route, datetime | None, str]:
    """The route to a human, the callback time if any, and the sentence explaining it."""
    now, place = clock.now, clock.place
    stamp = f"{format_time(now)} on {clock.day(now.date())}"
    if tier is Tier.PREMIER_PLUS:
        return (
            Route.LIVE_TRANSFER,
            None,
            f"Premier Plus includes telephone support 24x7, so you are put through to an "
            f"engineer now (it is {stamp}, {place} time).",
        )
    hours = f"{clock.calendar.hours.describe()} {place} time on business days"
    if clock.calendar.is_business_time(now):
        return (
            Route.LIVE_TRANSFER,
            None,
            f"Premier telephone support is open {hours}; it is {stamp}, so you are put through "
            "to an engineer now.",
        )
    opening = clock.calendar.next_opening(now)
    holiday = clock.calendar.holiday_name(now.date())
    window = clock.calendar.hours.window(now.weekday())
    if holiday:
        why = f"today, {clock.day(now.date())}, is a public holiday ({holiday})"
    elif window is None:
        why = f"it is {stamp}, not a business day"
    elif now.hour * 60 + now.minute < window[0]:
        why = f"it is {stamp}, before opening"
    else:
        why = f"it is {stamp}, after closing"
    return (
        Route.CALLBACK,
        opening,
        f"Premier telephone support is open {hours}, and {why}, so an engineer will call you "
        f"back when it opens, at {format_time(opening)} on {clock.day(opening.date())}"
        f"{clock.skipped(now.date(), opening.date())}.",
    )


def _actions(
    clock: SiteClock,
    tier: Tier,
    asset: Asset,
    category: Category,
    remote: RemoteResolution,
    unrepairable: bool,
    latest_versions: Mapping[str, str],
) -> list[Action]:
    if category is Category.RESOLVED or remote is RemoteResolution.RESOLVED:
        return []
    if category is Category.NETWORK:
        scope = (
            "Premier Plus covers the full range of support, network included"
            if tier is Tier.PREMIER_PLUS
            else "Premier includes escalated network troubleshooting"
        )
        return [
            Action(
                ActionKind.NETWORK_ESCALATION,
                f"{scope}, so the case goes to our higher-level network engineers.",
            )
        ]
    if category is Category.SOFTWARE:
        target = latest_versions.get(asset.product) if asset.product else None
        return [_software(asset, tier, target)]
    if category is not Category.HARDWARE:
        return []
    if tier is Tier.PREMIER:
        return premier_hardware(clock, asset)
    return premier_plus_hardware(clock, asset, remote, unrepairable)


def _software(asset: Asset, tier: Tier, target: str | None) -> Action:
    included = f"{tier.label} includes all new releases, updates and patches with their notes"
    now_on = f" (now on {asset.firmware})" if asset.firmware else ""
    if target is None or asset.firmware is None:
        why = f"{included}; the engineer will confirm the right version for the {asset.model}{now_on}."
    elif version_key(asset.firmware) < version_key(target):
        why = (
            f"The {asset.model} runs firmware {asset.firmware} and the newest release is "
            f"{target}; {included}, so the update to {target} is arranged."
        )
    else:
        why = (
            f"The {asset.model} already runs {asset.firmware}, the newest release; {included}, "
            "so the engineer will check its release notes and known issues with you."
        )
    return Action(ActionKind.SOFTWARE_UPDATE, why, target_version=target)
