"""Hardware-failure rules of the two contracts, with every date computed on the site's calendar.

Premier ships a replacement part (same day when the failure is confirmed on a business day before
15:00 site-local time, else the next business day; delivered the next business day after dispatch;
the faulty part due back 5 business days after delivery in North America, 10 elsewhere). An
end-of-life unit has no replacement part under Premier: a time-and-materials quote instead.

Premier Plus sends a technician the next business day after the failure was confirmed, but only
once remote troubleshooting has failed; before that, remote troubleshooting comes first. An
unrepairable or end-of-life unit also gets a time-and-materials quote.
"""

from __future__ import annotations

from datetime import time

from bot.escalation.accounts import Asset
from bot.escalation.decision import Action, ActionKind, RemoteResolution
from bot.escalation.wording import SiteClock, format_time

SHIPPING_CUTOFF = time(15, 0)
RETURN_DAYS_NORTH_AMERICA = 5
RETURN_DAYS_ELSEWHERE = 10


def premier_hardware(clock: SiteClock, asset: Asset) -> list[Action]:
    """``ship_replacement`` with its three dates, or ``tm_quote`` for an end-of-life unit."""
    if asset.end_of_life:
        return [_eol_quote(asset, "Premier cannot ship a replacement part for it")]
    return [ship_replacement(clock)]


def premier_plus_hardware(
    clock: SiteClock, asset: Asset, remote: RemoteResolution, unrepairable: bool
) -> list[Action]:
    """``onsite_dispatch`` once remote troubleshooting failed (else ``remote_troubleshooting``),
    plus ``tm_quote`` for an unrepairable or end-of-life unit. Remote resolution ``resolved`` is
    handled by the caller (no actions)."""
    actions: list[Action] = []
    if remote is RemoteResolution.NOT_ATTEMPTED:
        actions.append(
            Action(
                ActionKind.REMOTE_TROUBLESHOOTING,
                "Under Premier Plus, remote troubleshooting with our engineer comes first; if it "
                "does not fix the fault, a technician comes on site the next business day.",
            )
        )
    else:
        found_day = clock.found.date()
        onsite = clock.calendar.next_business_day(found_day)
        after = "" if found_day == clock.now.date() else f" after {clock.day(found_day)}"
        actions.append(
            Action(
                ActionKind.ONSITE_DISPATCH,
                f"Remote troubleshooting did not fix the fault, so a technician will be on site "
                f"the next business day{after}, {clock.day(onsite)}"
                f"{clock.skipped(found_day, onsite)}.",
                onsite_date=onsite,
            )
        )
    if asset.end_of_life:
        actions.append(_eol_quote(asset, "its repair is not covered by the contract"))
    elif unrepairable:
        actions.append(
            Action(
                ActionKind.TM_QUOTE,
                f"The {asset.model} (serial {asset.serial}) cannot be repaired, so its "
                "replacement is offered as a time-and-materials quote.",
            )
        )
    return actions


def ship_replacement(clock: SiteClock) -> Action:
    """The Premier replacement-part action, its dates and the sentence explaining each of them."""
    cal, found = clock.calendar, clock.found
    found_day = found.date()
    at = f"{format_time(found)} {clock.place} time"
    today = found_day == clock.now.date()
    business_day = cal.is_business_day(found_day)
    if business_day:
        when = f"at {at}" + ("" if today else f" on {clock.day(found_day)}")
    else:
        holiday = cal.holiday_name(found_day)
        what = f"a public holiday ({holiday})" if holiday else "not a business day"
        when = f"on {clock.day(found_day)} at {at}, {what}"
    if business_day and found.time() < SHIPPING_CUTOFF:
        dispatch = found_day
        same = "today" if today else "the same day"
        ships = f"before the 15:00 cutoff, so the replacement ships {same}, {clock.day(dispatch)}"
    else:
        dispatch = cal.next_business_day(found_day)
        late = "too late for the 15:00 cutoff, " if business_day else ""
        ships = (
            f"{late}so the replacement ships the next business day, {clock.day(dispatch)}"
            f"{clock.skipped(found_day, dispatch)}"
        )
    delivery = cal.next_business_day(dispatch)
    north_america = clock.site.north_america
    days = RETURN_DAYS_NORTH_AMERICA if north_america else RETURN_DAYS_ELSEWHERE
    due = cal.add_business_days(delivery, days)
    region = "in North America" if north_america else "outside North America"
    return Action(
        ActionKind.SHIP_REPLACEMENT,
        f"The failure was confirmed {when}, {ships}, for delivery {clock.day(delivery)}"
        f"{clock.skipped(dispatch, delivery)}. Please return the faulty unit by {clock.day(due)}: "
        f"{days} business days after delivery, the rule for sites {region}"
        f"{clock.skipped(delivery, due)}.",
        dispatch_date=dispatch,
        delivery_date=delivery,
        return_due_date=due,
    )


def _eol_quote(asset: Asset, consequence: str) -> Action:
    return Action(
        ActionKind.TM_QUOTE,
        f"The {asset.model} (serial {asset.serial}) has reached end of life, so {consequence}; "
        "your account contact will send a time-and-materials quote for a repair or a successor.",
    )
