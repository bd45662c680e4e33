"""Engineer routes (API key): the handoff queue, part returns and accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from bot.api.deps import EngineerDep, RuntimeDep
from bot.api.errors import documented
from bot.api.inputs import Note, StepRef, require_json
from bot.errors import StoreError
from bot.store.store import StoredHandoff

# every engineer route: a missing or wrong key (401, 429 after many), a bad parameter, starting
router = APIRouter(prefix="/api/v1", tags=["engineers"], responses=documented(401, 422, 429, 503))


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
    model_config = ConfigDict(extra="forbid")

    note: Note | None = None
    step: StepRef | None = Field(None, description="hand_back: the flow step to resume at")


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


@router.get("/handoffs/{handoff_id}", response_model=HandoffPublic, responses=documented(404))
def read_handoff(handoff_id: str, _: EngineerDep, runtime: RuntimeDep) -> HandoffPublic:
    found = runtime.store.handoff(handoff_id)
    if found is None:
        raise HTTPException(404, detail=f"no handoff {handoff_id}")
    return _public(found)


@router.post(
    "/handoffs/{handoff_id}/{move}",
    response_model=HandoffPublic,
    dependencies=[Depends(require_json)],
    responses=documented(400, 404, 409, 413, 415),
)
def move_handoff(
    handoff_id: str,
    move: Literal["claim", "resolve", "hand_back"],
    body: HandoffMove,
    engineer: EngineerDep,
    runtime: RuntimeDep,
) -> HandoffPublic:
    """open -> claimed -> resolved, or hand back to the assistant at a step."""
    current = runtime.store.handoff(handoff_id)
    if current is None:
        raise HTTPException(404, detail=f"no handoff {handoff_id}")
    turn = None
    if move == "hand_back" and current.session_id:
        turn = runtime.assistant.hand_back_turn(current.session_id, body.step, body.note)
    try:
        moved = runtime.store.move_handoff(
            handoff_id,
            move,
            datetime.now(UTC),
            by=engineer,
            note=body.note,
            step=body.step,
            session_turn=turn,
        )
    except StoreError as exc:
        raise HTTPException(409, detail=str(exc)) from None
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
