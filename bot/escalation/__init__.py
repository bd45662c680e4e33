"""Contract-aware escalation: accounts, business calendars, entitlement rules, handoff records.

Pure code: nothing here does I/O except the YAML loaders (``load_accounts``, ``load_releases``),
and nothing reads the clock. The CLI groups live in ``bot.escalation.commands``.
"""

from bot.escalation.accounts import (
    Accounts,
    Asset,
    Contact,
    Contract,
    Customer,
    Site,
    Tier,
    hash_access_code,
    load_accounts,
)
from bot.escalation.calendar import BusinessCalendar, BusinessHours
from bot.escalation.decision import (
    Action,
    ActionKind,
    Category,
    Decision,
    RemoteResolution,
    Route,
)
from bot.escalation.entitlements import decide
from bot.escalation.handoff import (
    Citation,
    DiagnosticStep,
    Environment,
    HandoffRecord,
    SiteRepresentative,
    SuspectedCause,
    build_handoff,
    priority_for,
)
from bot.escalation.releases import Releases, load_releases

__all__ = [
    "Accounts",
    "Action",
    "ActionKind",
    "Asset",
    "BusinessCalendar",
    "BusinessHours",
    "Category",
    "Citation",
    "Contact",
    "Contract",
    "Customer",
    "Decision",
    "DiagnosticStep",
    "Environment",
    "HandoffRecord",
    "Releases",
    "RemoteResolution",
    "Route",
    "Site",
    "SiteRepresentative",
    "SuspectedCause",
    "Tier",
    "build_handoff",
    "decide",
    "hash_access_code",
    "load_accounts",
    "load_releases",
    "priority_for",
]
