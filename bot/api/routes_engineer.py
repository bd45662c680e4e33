"""Engineer routes (API key): the handoff queue, part returns and accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from bot.api.deps import EngineerDep, RuntimeDep
from bot.errors import StoreError
from bot.store.store import StoredHandoff

router = APIRouter(prefix="/api/v1", tags=["engineers"])


class HandoffPublic(BaseModel):
    id: str
    session_id: str | None
    site_id: str
    status: str
    priority: str
    category: str
    claimed_by: str | None
    resolution: str | None
    handed_back_to: str | None
    created_at: datetime
    record: dict[str, Any]
    markdown: str


class HandoffMove(BaseModel):
    note: str | None = Field(None, max_length=4000)
    step: str | None = Field(
        None, max_length=100, description="hand_back: the flow step to resume at"
    )


def _public(h: StoredHandoff) -> HandoffPublic:
    return HandoffPublic(
        id=h.id,
        session_id=h.session_id,
        site_id=h.site_id,
        status=h.status,
        priority=h.priority,
        category=h.category,
        claimed_by=h.claimed_by,
        resolution=h.resolution,
        handed_back_to=h.handed_back_to,
        created_at=h.created_at,
        record=h.record,
        markdown=h.markdown,
    )


@router.get("/handoffs", response_model=list[HandoffPublic])
def list_handoffs(
    _: EngineerDep, runtime: RuntimeDep, status: str | None = None, site_id: str | None = None
) -> list[HandoffPublic]:
    """The queue, P1 first; filter by status (open, claimed, resolved, handed_back) or site."""
    return [_public(h) for h in runtime.store.handoffs(status=status, site_id=site_id)]


@router.get("/handoffs/{handoff_id}", response_model=HandoffPublic)
def read_handoff(handoff_id: str, _: EngineerDep, runtime: RuntimeDep) -> HandoffPublic:
    found = runtime.store.handoff(handoff_id)
    if found is None:
        raise HTTPException(404, detail=f"no handoff {handoff_id}")
    return _public(found)


@router.post("/handoffs/{handoff_id}/{move}", response_model=HandoffPublic)
def move_handoff(
    handoff_id: str,
    move: Literal["claim", "resolve", "hand_back"],
    body: HandoffMove,
    engineer: EngineerDep,
    runtime: RuntimeDep,
) -> HandoffPublic:
    """open -> claimed -> resolved, or hand back to the assistant at a step."""
    if runtime.store.handoff(handoff_id) is None:
        raise HTTPException(404, detail=f"no handoff {handoff_id}")
    try:
        moved = runtime.store.move_handoff(
            handoff_id, move, datetime.now(UTC), by=engineer, note=body.note, step=body.step
        )
    except StoreError as exc:
        raise HTTPException(409, detail=str(exc)) from None
    if move == "hand_back" and moved.session_id:
        runtime.assistant.resume_at(moved.session_id, body.step, body.note)
    return _public(moved)


@router.get("/returns")
def returns(_: EngineerDep, runtime: RuntimeDep, overdue: bool = False) -> list[dict[str, Any]]:
    """Defective parts due back (or overdue), earliest first."""
    today = date.today()
    return [
        {
            "handoff_id": r.handoff_id,
            "site_id": r.site_id,
            "serial": r.serial,
            "dispatch_date": r.dispatch_date,
            "return_due_date": r.return_due_date,
            "overdue": r.return_due_date < today,
        }
        for r in runtime.store.returns(today, overdue)
    ]


@router.get("/accounts")
def accounts(_: EngineerDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Customers, contracts and sites (access codes are never returned)."""
    data = runtime.accounts.model_dump(mode="json")
    for customer in data.get("customers", []):
        for site in customer.get("sites", []):
            site.pop("access_code_hash", None)
            site.pop("access_code", None)
    return data
