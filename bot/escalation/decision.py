"""What the entitlement rules decide: the route to a human, the actions with their dates, and the
reasons in plain words. Frozen values, JSON-ready through ``to_dict`` (the CLI contract of
``assist escalation decide --json``). Standard library only, so the CLI can import the enums
without loading pydantic or the holiday tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Tier(StrEnum):
    """The two service contracts of the brochure."""

    PREMIER = "premier"
    PREMIER_PLUS = "premier_plus"

    @property
    def label(self) -> str:
        """The brochure's name: "Premier" or "Premier Plus"."""
        return "Premier Plus" if self is Tier.PREMIER_PLUS else "Premier"


class Category(StrEnum):
    """Where fault isolation ended: a fault class, or resolved."""

    HARDWARE = "hardware"
    NETWORK = "network"
    SOFTWARE = "software"
    CONFIGURATION = "configuration"
    UNKNOWN = "unknown"
    RESOLVED = "resolved"


class RemoteResolution(StrEnum):
    """How remote troubleshooting went before the decision."""

    FAILED = "failed"
    NOT_ATTEMPTED = "not_attempted"
    RESOLVED = "resolved"


class Route(StrEnum):
    """How the user reaches a human."""

    LIVE_TRANSFER = "live_transfer"
    CALLBACK = "callback"
    NOT_COVERED = "not_covered"


class ActionKind(StrEnum):
    """What the provider does about the fault."""

    NETWORK_ESCALATION = "network_escalation"
    SOFTWARE_UPDATE = "software_update"
    SHIP_REPLACEMENT = "ship_replacement"
    REMOTE_TROUBLESHOOTING = "remote_troubleshooting"
    ONSITE_DISPATCH = "onsite_dispatch"
    TM_QUOTE = "tm_quote"


_DATE_FIELDS = ("dispatch_date", "delivery_date", "return_due_date", "onsite_date")


@dataclass(frozen=True)
class Action:
    """One action; only the dates that belong to its kind are set (site-local days)."""

    kind: ActionKind
    reason: str
    dispatch_date: date | None = None
    delivery_date: date | None = None
    return_due_date: date | None = None
    onsite_date: date | None = None
    target_version: str | None = None

    def dates(self) -> dict[str, date]:
        """The action's dates by field name, unset ones left out."""
        found = {name: getattr(self, name) for name in _DATE_FIELDS}
        return {name: value for name, value in found.items() if value is not None}

    def to_dict(self) -> dict[str, object]:
        """``{"kind": ..., <its dates as YYYY-MM-DD>, "reason": ...}``; a software update always
        carries ``target_version`` (null when the release notes do not name one)."""
        out: dict[str, object] = {"kind": self.kind.value}
        out.update({name: value.isoformat() for name, value in self.dates().items()})
        if self.kind is ActionKind.SOFTWARE_UPDATE:
            out["target_version"] = self.target_version
        out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class Decision:
    """The outcome of ``decide``: every field of the CLI contract plus what it was decided for.

    ``callback_at`` is site-local and set only for the ``callback`` route; ``tier`` is None when
    not entitled; ``reasons`` explain every route and date in the site's local time.
    """

    entitled: bool
    tier: Tier | None
    route: Route
    callback_at: datetime | None
    actions: tuple[Action, ...]
    site_representative_required: bool
    reasons: tuple[str, ...]
    site_id: str
    serial: str
    category: Category
    remote_resolution: RemoteResolution

    def action(self, kind: ActionKind | str) -> Action | None:
        """The first action of that kind, or None."""
        return next((a for a in self.actions if a.kind == kind), None)

    def to_dict(self) -> dict[str, object]:
        """The JSON object printed by ``assist escalation decide --json``."""
        return {
            "entitled": self.entitled,
            "tier": self.tier.value if self.tier else None,
            "route": self.route.value,
            "callback_at": self.callback_at.isoformat() if self.callback_at else None,
            "actions": [action.to_dict() for action in self.actions],
            "site_representative_required": self.site_representative_required,
            "reasons": list(self.reasons),
            "site": self.site_id,
            "asset": self.serial,
            "category": self.category.value,
            "remote_resolution": self.remote_resolution.value,
        }
