"""What a site's contract covers and when, in the site's own time and words: the facts behind
"are we covered on weekends?", "is someone available right now?" and "what does our contract
include?", and the contract state told at the start of a fault conversation. Pure: the accounts,
the site and ``now`` go in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.escalation.accounts import Accounts, Contract, Site
from bot.escalation.calendar import BusinessCalendar
from bot.escalation.decision import Tier
from bot.escalation.wording import format_day, format_time, place_name

#: The brochure, tier by tier: what each contract includes.
INCLUDES: dict[Tier, tuple[str, ...]] = {
    Tier.PREMIER: (
        "telephone support during business hours, site-local",
        "escalated network troubleshooting by our higher-level engineers",
        "all new software releases, updates, patches and their release notes",
        "for a hardware failure, an expedited replacement part: a failure confirmed by 15:00 "
        "site-local time ships the same day for next-business-day delivery, and the faulty part "
        "goes back within 5 business days (North America) or 10 (elsewhere)",
        "your side: a knowledgeable person who works the problem with our engineer",
    ),
    Tier.PREMIER_PLUS: (
        "telephone support 24x7",
        "the full range of support, network and peripherals included",
        "all new software releases, updates, patches and their release notes",
        "for a hardware failure, an on-site service call: if remote troubleshooting does not fix "
        "it, a technician comes the next business day, for a repair or a time-and-materials "
        "quote when the equipment is unrepairable or end-of-life",
        "your side: a knowledgeable, dedicated site representative for the whole "
        "troubleshooting and repair",
    ),
}
RENEW = (
    "We can still help on a time-and-materials basis, or your ProTelecom account contact can "
    "renew the contract with you."
)


@dataclass(frozen=True)
class Coverage:
    """A site's contract on a given moment, site-local."""

    site: Site
    contract: Contract | None
    now: datetime  # site-local
    place: str  # "Boston", for "14:32 Boston time"
    calendar: BusinessCalendar

    @property
    def active(self) -> bool:
        return self.contract is not None and self.contract.is_active(self.now.date())

    @property
    def tier(self) -> Tier | None:
        return self.contract.tier if self.active and self.contract else None

    @property
    def open_now(self) -> bool:
        """A person can be reached now (Premier Plus always; Premier in business hours)."""
        if self.tier is Tier.PREMIER_PLUS:
            return True
        return self.tier is Tier.PREMIER and self.calendar.is_business_time(self.now)

    def day(self, moment: datetime) -> str:
        return format_day(moment.date(), reference=self.now.date())

    def gap(self) -> str | None:
        """Why the site is not covered today, in one sentence, or None."""
        contract, site = self.contract, self.site
        if contract is None:
            return f"{site.name} has no service contract on file with us."
        today = self.now.date()
        if today > contract.ends:
            return (
                f"Your {contract.tier.label} contract {contract.id} ended on "
                f"{format_day(contract.ends, reference=today)}, so it no longer covers support."
            )
        if today < contract.starts:
            return (
                f"Your {contract.tier.label} contract {contract.id} starts on "
                f"{format_day(contract.starts, reference=today)}, so it does not cover support yet."
            )
        return None

    def hours(self) -> str:
        """When a person answers, and whether one does right now."""
        gap = self.gap()
        if gap:
            return f"{gap} {RENEW}"
        stamp = f"It is {format_time(self.now)} on {self.day(self.now)} in {self.place}"
        if self.tier is Tier.PREMIER_PLUS:
            return (
                "Premier Plus includes telephone support 24x7, weekends and public holidays "
                f"included. {stamp}, so support is open right now."
            )
        hours = f"{self.calendar.hours.describe()} {self.place} time, on business days"
        if self.open_now:
            return (
                f"Premier includes telephone support {hours} (not on weekends or public "
                f"holidays). {stamp}, so support is open now."
            )
        opening = self.calendar.next_opening(self.now)
        return (
            f"Premier includes telephone support {hours} (not on weekends or public holidays). "
            f"{stamp}, so support is closed; a problem you report now gets a call back at "
            f"{format_time(opening)} on {self.day(opening)}. You can report it here at any time."
        )

    def includes(self) -> str:
        """What the contract includes, from the brochure."""
        gap = self.gap()
        if gap or self.contract is None:
            return f"{gap} {RENEW}"
        contract = self.contract
        items = "\n".join(f"- {item}" for item in INCLUDES[contract.tier])
        return (
            f"{self.site.name} is covered by {contract.tier.label} contract {contract.id}, valid "
            f"until {format_day(contract.ends, reference=self.now.date())}. It includes:\n{items}"
        )


def coverage(accounts: Accounts, site: Site, now: datetime) -> Coverage:
    """The site's coverage at ``now`` (aware; made site-local)."""
    calendar = BusinessCalendar.for_site(site)
    return Coverage(
        site=site,
        contract=accounts.contract_of(site),
        now=calendar.to_local(now),
        place=place_name(site.name, site.city, site.timezone),
        calendar=calendar,
    )
