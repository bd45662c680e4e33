"""The KCS-style handoff record an engineer receives, and the plain-words summary the user sees.

A ``HandoffRecord`` carries the issue in the user's own words, the environment (customer, site,
room, asset, firmware, contract), every diagnostic step, the suspected cause, the knowledge-base
sources consulted, the entitlement decision (the ``Decision`` itself, no copy), the site
representative and a priority. It renders as JSON (``to_json``), Markdown (``to_markdown``: every
user-typed string escaped, never raw HTML) and a message for the user (``user_summary``).
``compose_handoff`` builds one with the part returns it implies; it does no I/O: storing both is
the service's job.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bot.errors import EscalationError
from bot.escalation.accounts import Accounts, Site
from bot.escalation.decision import ActionKind, Category, Decision, Tier
from bot.escalation.handoff_text import render_markdown, render_user_summary
from bot.kb.citation import Citation

Priority = Literal["P1", "P2", "P3"]
Impact = Literal["room_down", "degraded", "question"]
_IMPACT_PRIORITY: dict[str, Priority] = {"room_down": "P1", "degraded": "P2", "question": "P3"}


def priority_for(category: Category | str, impact: Impact | None = None) -> Priority:
    """P1 room down, P2 degraded, P3 question. A resolved outcome is P3; a known impact decides;
    otherwise a hardware fault counts as room down (P1) and any other fault as degraded (P2)."""
    if Category(category) is Category.RESOLVED:
        return "P3"
    if impact is not None:
        return _IMPACT_PRIORITY[impact]
    return "P1" if Category(category) is Category.HARDWARE else "P2"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Environment(_Record):
    """Where the fault is: customer, site, room, asset, firmware and contract."""

    customer_id: str
    customer_name: str
    site_id: str
    site_name: str
    timezone: str
    city: str | None = None
    room: str | None = None
    asset_serial: str
    asset_model: str | None = None
    asset_product: str | None = None
    firmware: str | None = None
    asset_identification: str | None = None  # how the device was identified, in words
    contract_id: str | None = None
    contract_tier: Tier | None = None
    contract_valid_until: date | None = None

    @classmethod
    def from_accounts(
        cls,
        accounts: Accounts,
        site: Site,
        serial: str,
        room: str | None = None,
        identification: str | None = None,
    ) -> Environment:
        """Fill every field the accounts know; ``room`` overrides the asset's registered room."""
        customer = accounts.customer_of(site)
        asset = accounts.asset(site, serial)
        contract = accounts.contract_of(site)
        return cls(
            customer_id=customer.id,
            customer_name=customer.name,
            site_id=site.id,
            site_name=site.name,
            timezone=site.timezone,
            city=site.city,
            room=room or (asset.room if asset else None),
            asset_serial=serial,
            asset_model=asset.model if asset else None,
            asset_product=asset.product if asset else None,
            firmware=asset.firmware if asset else None,
            asset_identification=identification,
            contract_id=contract.id if contract else None,
            contract_tier=contract.tier if contract else None,
            contract_valid_until=contract.ends if contract else None,
        )


class DiagnosticStep(_Record):
    """One step of fault isolation: what was asked, what the user answered, and when."""

    step_id: str
    question: str
    answer: str
    at: AwareDatetime


class SuspectedCause(_Record):
    """The engine's best explanation, with a confidence between 0 and 1."""

    summary: str
    confidence: float = Field(ge=0.0, le=1.0)
    category: Category


class SiteRepresentative(_Record):
    """Who on site works the problem with the engineer; ``phone`` is E.164. A question the user
    could not answer stays None."""

    name: str | None = None
    phone: str | None = None
    phone_display: str | None = None  # as people of the site's country write it
    on_site: bool | None = None
    available_for_duration: bool | None = None


class ArticleNote(_Record):
    """A KCS article the case met: ``tried`` (offered to the user in the chat; ``worked`` false:
    it did not help) or ``suggested`` (for the engineer: an engineer-only article, or a customer
    one that was not offered), with its fix and last review day."""

    id: str
    title: str
    role: Literal["tried", "suggested"]
    audience: Literal["customer", "engineer"]
    fix: tuple[str, ...] = ()
    reviewed_on: date | None = None
    worked: bool | None = None


def new_handoff_id() -> str:
    """A short reference the user can quote: "HO-" and 12 upper-case hex digits."""
    return "HO-" + uuid.uuid4().hex[:12].upper()


class HandoffRecord(_Record):
    """Everything an engineer needs to pick the case up without asking again."""

    id: str = Field(default_factory=new_handoff_id, pattern=r"^[A-Za-z0-9-]+$")
    created_at: AwareDatetime
    issue: str
    environment: Environment
    diagnostics: tuple[DiagnosticStep, ...] = ()
    suspected_cause: SuspectedCause | None = None
    kb_sources: tuple[Citation, ...] = ()
    decision: Decision
    site_representative: SiteRepresentative | None = None
    priority: Priority
    articles: tuple[ArticleNote, ...] = ()  # KCS articles tried in the chat or for the engineer

    @property
    def zone(self) -> ZoneInfo:
        """The site's time zone, for rendering times site-locally."""
        return ZoneInfo(self.environment.timezone)

    def to_json(self) -> str:
        """The record as indented JSON (dates ISO 8601)."""
        return self.model_dump_json(indent=2)

    def to_markdown(self) -> str:
        """The record for the engineer queue; user-typed text is escaped, never raw HTML."""
        return render_markdown(self)

    def user_summary(self) -> str:
        """What happens next and when, in plain words for the site user."""
        return render_user_summary(self)


@dataclass(frozen=True)
class PartReturn:
    """A replacement part shipped for ``serial``, and the day the defective one is due back."""

    serial: str
    dispatch_date: date
    return_due_date: date


def compose_handoff(
    accounts: Accounts,
    decision: Decision,
    *,
    issue: str,
    created_at: AwareDatetime,
    diagnostics: tuple[DiagnosticStep, ...] = (),
    suspected_cause: SuspectedCause | None = None,
    kb_sources: tuple[Citation, ...] = (),
    site_representative: SiteRepresentative | None = None,
    impact: Impact | None = None,
    room: str | None = None,
    identification: str | None = None,
    articles: tuple[ArticleNote, ...] = (),
) -> tuple[HandoffRecord, tuple[PartReturn, ...]]:
    """The record for a decision (environment from the accounts, priority from the category and
    the reported impact) and the part returns its replacement shipments imply. Raises
    ``EscalationError`` for an unknown site."""
    site = accounts.site(decision.site_id)
    if site is None:
        raise EscalationError(f"unknown site '{decision.site_id}'")
    record = HandoffRecord(
        created_at=created_at,
        issue=issue,
        environment=Environment.from_accounts(
            accounts, site, decision.serial, room, identification
        ),
        diagnostics=diagnostics,
        suspected_cause=suspected_cause,
        kb_sources=kb_sources,
        decision=decision,
        site_representative=site_representative,
        priority=priority_for(decision.category, impact),
        articles=articles,
    )
    returns = tuple(
        PartReturn(decision.serial, a.dispatch_date, a.return_due_date)
        for a in decision.actions
        if a.kind is ActionKind.SHIP_REPLACEMENT and a.dispatch_date and a.return_due_date
    )
    return record, returns
