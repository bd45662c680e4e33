"""What the console's work pages show and do, as plain Python over the service layer.

Release-notes search (the knowledge base), the handoff queue (rows, dates, transcript, moves) and
part returns (the engineers' desk, never the store). No Streamlit here: each function takes the
collaborators it needs and returns plain data, so the pages stay thin and this module is
unit-tested without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.errors import AssistError
from bot.escalation.accounts import Accounts
from bot.kb.answer import Answer
from bot.kb.retriever import Filters
from bot.kb.schema import DOC_TYPES, Passage
from bot.kb.service import KnowledgeBase
from bot.service.engineers import PRIORITIES, STATUSES, EngineerDesk, Handoff, Move
from bot.service.identity import Engineer
from ui.console.markdown import query_terms

__all__ = ["PRIORITIES", "STATUSES"]
_DATE_FIELDS = ("dispatch_date", "delivery_date", "return_due_date", "onsite_date")


# --- release-notes search ----------------------------------------------------------------------
@dataclass(frozen=True)
class SearchOptions:
    """Filter choices offered by the search page: what the live index actually holds."""

    products: list[str]
    doc_types: list[str]
    versions: dict[str, list[str]]


@dataclass(frozen=True)
class SearchOutcome:
    """A grounded answer and the query terms to highlight, or the reason there is none."""

    answer: Answer | None
    terms: list[str] = field(default_factory=list)
    problem: str | None = None


def search_options(kb: KnowledgeBase | None) -> SearchOptions:
    if kb is None:
        return SearchOptions([], list(DOC_TYPES), {})
    chunks = kb.retriever.chunks
    products = sorted({c.product for c in chunks if c.product})
    present = {c.doc_type for c in chunks}
    doc_types = [d for d in DOC_TYPES if d in present] + sorted(present - set(DOC_TYPES))
    versions = {p: sorted(kb.retriever.versions(p)) for p in products}
    return SearchOptions(products, doc_types, versions)


def run_search(
    kb: KnowledgeBase | None,
    query: str,
    *,
    product: str | None = None,
    version: str | None = None,
    doc_type: str | None = None,
    k: int = 5,
) -> SearchOutcome:
    """Ask the knowledge base as an engineer (every audience); expected errors become a message."""
    if kb is None:
        return SearchOutcome(None, problem="The knowledge base is not available.")
    filters = Filters(
        product=product or None,
        version=(version or "").strip() or None,
        doc_type=doc_type or None,
        audience="engineer",
    )
    try:
        answer = kb.ask(query, k, filters)
    except AssistError as exc:
        return SearchOutcome(None, query_terms(query), str(exc))
    return SearchOutcome(answer, query_terms(query))


def cited_as(answer: Answer, passage: Passage) -> list[int]:
    """The citation numbers of the answer that point at this passage."""
    c = passage.chunk
    return [
        cit.n or 0
        for cit in answer.citations
        if (cit.source, cit.section, cit.version)
        == (c.source, c.section or None, c.version or None)
    ]


# --- handoff queue ------------------------------------------------------------------------------
def handoff_rows(handoffs: Sequence[Handoff], priority: str | None = None) -> list[dict[str, Any]]:
    """One table row per handoff (optionally of one priority), in the store's order (P1 first)."""
    rows = []
    for h in handoffs:
        if priority and h.priority != priority:
            continue
        env = h.record.get("environment", {})
        rows.append(
            {
                "id": h.id,
                "priority": h.priority,
                "status": h.status + (f" ({h.claimed_by})" if h.claimed_by else ""),
                "created": h.created_at.strftime("%Y-%m-%d %H:%M"),
                "site": env.get("site_name") or h.site_id,
                "asset": " ".join(
                    str(v) for v in (env.get("asset_model"), env.get("asset_serial")) if v
                ),
                "category": h.category,
                "issue": str(h.record.get("issue", ""))[:120],
            }
        )
    return rows


def handoff_label(h: Handoff) -> str:
    site = h.record.get("environment", {}).get("site_name") or h.site_id
    return f"{h.priority} · {h.id} · {h.status} · {site}"


def handoff_dates(h: Handoff) -> list[dict[str, str]]:
    """Every date of a handoff: opened, last change, the callback and each action's dates."""
    rows = [
        {"what": "opened", "when": h.created_at.strftime("%Y-%m-%d %H:%M UTC")},
        {"what": f"last change ({h.status})", "when": h.updated_at.strftime("%Y-%m-%d %H:%M UTC")},
    ]
    decision = h.record.get("decision") or {}
    if decision.get("callback_at"):
        rows.append({"what": "callback by", "when": str(decision["callback_at"])})
    for action in decision.get("actions") or ():
        kind = str(action.get("kind", "action")).replace("_", " ")
        for name in _DATE_FIELDS:
            if action.get(name):
                label = name.removesuffix("_date").replace("_", " ")
                rows.append({"what": f"{kind}: {label}", "when": str(action[name])})
    return rows


def allowed(h: Handoff, move: str) -> bool:
    return EngineerDesk.allowed(h, move)


@dataclass(frozen=True)
class MoveResult:
    ok: bool
    message: str
    handoff: Handoff | None = None


def move_handoff(
    desk: EngineerDesk,
    handoff_id: str,
    move: str,
    *,
    engineer: Engineer,
    note: str | None = None,
    step: str | None = None,
    to: str | None = None,
) -> MoveResult:
    """Claim, resolve (with a note), hand back (at a step, or to the open question) or hand over;
    a refused move says why. Every move is signed by the signed-in engineer; a hand back also
    resumes the site user's chat, in the same transaction."""
    try:
        moved = desk.move(handoff_id, move, engineer=engineer, note=note, step=step, to=to)
    except AssistError as exc:
        return MoveResult(False, str(exc)[:1].upper() + str(exc)[1:] + ".")
    done = {
        Move.CLAIM: f"claimed by {engineer.name}",
        Move.RESOLVE: "resolved",
        Move.HAND_BACK: f"handed back at {step}" if step else "handed back to the open question",
        Move.HAND_OVER: f"handed over to {to}",
    }
    return MoveResult(True, f"{handoff_id} {done[Move(move)]}.", moved)


# --- part returns -------------------------------------------------------------------------------
def part_rows(
    desk: EngineerDesk, accounts: Accounts, today: date, overdue_only: bool = False
) -> list[dict[str, Any]]:
    """Defective parts not yet back, earliest due first, each with how late or how soon it is."""
    rows = []
    for r in desk.returns(today, overdue_only):
        site = accounts.site(r.site_id)
        days = (r.return_due_date - today).days
        state = (
            f"overdue by {-days} d"
            if days < 0
            else ("due today" if days == 0 else f"due in {days} d")
        )
        rows.append(
            {
                "state": state,
                "overdue": days < 0,
                "return_due": r.return_due_date,
                "serial": r.serial,
                "site": site.name if site else r.site_id,
                "dispatched": r.dispatch_date,
                "handoff": r.handoff_id,
            }
        )
    return rows
