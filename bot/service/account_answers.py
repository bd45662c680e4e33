"""Answers about the customer's own contract, cases, parts and equipment, from the accounts, the
contract rules and the site's records, in the site's time zone. Not release-note retrieval:
"are we covered on weekends?" is answered from the contract and the site calendar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from bot.dialogue.state import Choice, Message
from bot.dialogue.topics import AccountTopic
from bot.escalation.accounts import Accounts, Asset, Site
from bot.escalation.coverage import coverage
from bot.escalation.releases import version_key
from bot.escalation.wording import format_day, format_time
from bot.store.store import Store, StoredHandoff, StoredReturn

_STATUS_WORDS = {
    "open": "waiting for an engineer",
    "claimed": "with an engineer",
    "resolved": "resolved",
    "handed_back": "handed back to this assistant",
}


class SiteRecords(Protocol):
    """The site's cases and part returns, read-only."""

    def cases(self, site_id: str) -> list[StoredHandoff]: ...

    def parts(self, site_id: str, now: datetime) -> list[StoredReturn]: ...

    def waiting_ahead(self, priority: str) -> int:
        """Live cases waiting for an engineer that come before a new one of ``priority``."""
        ...


class StoreRecords:
    """``SiteRecords`` over the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def cases(self, site_id: str) -> list[StoredHandoff]:
        return self.store.handoffs(site_id=site_id)

    def parts(self, site_id: str, now: datetime) -> list[StoredReturn]:
        return [r for r in self.store.returns(now.date()) if r.site_id == site_id]

    def waiting_ahead(self, priority: str) -> int:
        return sum(
            1
            for h in self.store.handoffs(status="open")
            if h.priority <= priority
            and (h.record.get("decision") or {}).get("route") == "live_transfer"
        )


class AccountAnswers:
    """One method per topic; each returns the message to show."""

    def __init__(
        self, accounts: Accounts, records: SiteRecords, latest_versions: Mapping[str, str]
    ) -> None:
        self.accounts = accounts
        self.records = records
        self.latest_versions = latest_versions

    def answer(
        self, topic: AccountTopic, site: Site, now: datetime, about: Sequence[Asset] = ()
    ) -> Message:
        """The answer for ``topic``; ``about`` narrows a firmware answer to the devices named."""
        if topic == "firmware":
            body = self._firmware(site, about)
        else:
            body = {
                "hours": self._hours,
                "contract": self._contract,
                "cases": self._cases,
                "parts": self._parts,
            }[topic](site, now)
        return Message(type="text", text=body, choices=(PERSON_CHOICE,))

    def _hours(self, site: Site, now: datetime) -> str:
        return coverage(self.accounts, site, now).hours()

    def _contract(self, site: Site, now: datetime) -> str:
        return coverage(self.accounts, site, now).includes()

    def _cases(self, site: Site, now: datetime) -> str:
        cases = self.records.cases(site.id)
        if not cases:
            return f"There are no open or past cases for {site.name} in this system."
        local = coverage(self.accounts, site, now)
        lines = []
        for case in sorted(cases, key=lambda c: c.created_at, reverse=True)[:5]:
            opened = local.calendar.to_local(case.created_at)
            status = _STATUS_WORDS.get(case.status, case.status.replace("_", " "))
            decision = case.record.get("decision") or {}
            callback = decision.get("callback_at")
            when = ""
            if callback and case.status == "open":
                at = local.calendar.to_local(datetime.fromisoformat(str(callback)))
                when = f"; callback at {format_time(at)} on {local.day(at)}"
            env = case.record.get("environment") or {}
            device = env.get("asset_model") or env.get("asset_serial") or "equipment"
            lines.append(
                f"- {case.id} ({case.priority}), {device}: {status}{when}; opened "
                f"{format_time(opened)} on {local.day(opened)}"
            )
        return f"Cases for {site.name}, newest first ({local.place} time):\n" + "\n".join(lines)

    def _parts(self, site: Site, now: datetime) -> str:
        parts = self.records.parts(site.id, now)
        local = coverage(self.accounts, site, now)
        if not parts:
            return (
                f"No replacement part is on its way to {site.name}, and no faulty part is due "
                "back. A replacement is arranged when an engineer confirms a hardware failure."
            )
        deliveries = {case.id: _delivery_date(case) for case in self.records.cases(site.id)}
        lines = []
        for part in parts:
            asset = self.accounts.asset(site, part.serial)
            name = f"{asset.model} ({part.serial})" if asset else part.serial
            delivery = deliveries.get(part.handoff_id)
            overdue = " (overdue)" if part.return_due_date < local.now.date() else ""
            lines.append(
                f"- {name}, case {part.handoff_id}: replacement shipped on "
                f"{format_day(part.dispatch_date, reference=local.now.date())}"
                + (
                    f", delivery {format_day(delivery, reference=local.now.date())}"
                    if delivery
                    else ""
                )
                + f"; please send the faulty unit back by "
                f"{format_day(part.return_due_date, reference=local.now.date())}{overdue}."
            )
        return "Replacement parts for " + site.name + ":\n" + "\n".join(lines)

    def _firmware(self, site: Site, about: Sequence[Asset]) -> str:
        if not site.assets:
            return f"No equipment is registered for {site.name}."
        lines = []
        for asset in about or site.assets:
            if not asset.firmware and not asset.product:
                continue
            newest = self.latest_versions.get(asset.product or "")
            state = ""
            if newest and asset.firmware:
                if version_key(asset.firmware) < version_key(newest):
                    state = f" (newest release {newest}; the update is included in your contract)"
                else:
                    state = " (the newest release)"
            maker = f"{asset.maker} " if asset.maker and not asset.product else ""
            lines.append(
                f"- {asset.room or 'no room'}: {maker}{asset.model} {asset.kind.words}, firmware "
                f"{asset.firmware or 'not recorded'}{state}"
            )
        if not lines:
            return f"No firmware is recorded for that equipment at {site.name}."
        return f"Firmware of the equipment at {site.name}:\n" + "\n".join(lines)


PERSON_CHOICE = Choice(id="person", label="Talk to a person")


def _delivery_date(case: StoredHandoff) -> date | None:
    """The delivery day of the replacement a case shipped, from its recorded decision."""
    for action in (case.record.get("decision") or {}).get("actions") or ():
        if action.get("kind") == "ship_replacement" and action.get("delivery_date"):
            return date.fromisoformat(str(action["delivery_date"]))
    return None
