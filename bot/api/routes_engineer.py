"""Engineer routes (API key): the handoff queue, the moves, part returns and accounts. Every route
calls the engineers' service; none reaches into a store."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from bot.api.deps import EngineerDep, EngineersDep, KcsDep
from bot.api.errors import documented
from bot.api.inputs import EngineerRef, Note, StepRef, require_json
from bot.errors import MoveError
from bot.escalation.handoff import HandoffRecord
from bot.service.engineers import Handoff, Move

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
    resolved_by: str | None = None
    handed_back_to: str | None
    created_at: datetime
    record: HandoffRecord
    markdown: str
    articles: list[str] = Field(
        default_factory=list, description="KCS articles engineers linked to this handoff"
    )


class HandoffMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note | None = None
    step: StepRef | None = Field(None, description="hand_back: the flow step to resume at")
    to: EngineerRef | None = Field(None, description="hand_over: the engineer id taking the case")


class ReturnPublic(BaseModel):
    handoff_id: str
    site_id: str
    serial: str
    dispatch_date: date
    return_due_date: date
    overdue: bool


def public_handoff(h: Handoff, articles: list[str] | None = None) -> HandoffPublic:
    return HandoffPublic(
        id=h.id,
        session_id=h.session_id,
        site_id=h.site_id,
        status=h.status,
        priority=h.priority,
        category=h.category,
        claimed_by=h.claimed_by,
        resolution=h.resolution,
        resolved_by=h.resolved_by,
        handed_back_to=h.handed_back_to,
        created_at=h.created_at,
        record=HandoffRecord.model_validate(h.record),
        markdown=h.markdown,
        articles=articles or [],
    )


@router.get("/handoffs", response_model=list[HandoffPublic], responses=documented(422))
def list_handoffs(
    _: EngineerDep,
    engineers: EngineersDep,
    kcs: KcsDep,
    status: Literal["open", "claimed", "resolved", "handed_back"] | None = None,
    site_id: Annotated[str | None, Query(max_length=100)] = None,
) -> list[HandoffPublic]:
    """The queue, P1 first; filter by status (open, claimed, resolved, handed_back) or site."""
    linked = kcs.linked_articles()
    return [
        public_handoff(h, linked.get(h.id)) for h in engineers.queue(status=status, site_id=site_id)
    ]


@router.get("/handoffs/{handoff_id}", response_model=HandoffPublic, responses=documented(404))
def read_handoff(
    handoff_id: str, _: EngineerDep, engineers: EngineersDep, kcs: KcsDep
) -> HandoffPublic:
    found = engineers.handoff(handoff_id)
    if found is None:
        raise HTTPException(404, detail=f"no handoff {handoff_id}")
    return public_handoff(found, kcs.linked_articles().get(found.id))


@router.post(
    "/handoffs/{handoff_id}/{move}",
    response_model=HandoffPublic,
    dependencies=[Depends(require_json)],
    responses=documented(400, 404, 409, 413, 415),
)
def move_handoff(
    handoff_id: str,
    move: Move,
    body: HandoffMove,
    engineer: EngineerDep,
    engineers: EngineersDep,
    kcs: KcsDep,
) -> HandoffPublic:
    """open -> claimed -> resolved, hand back to the assistant at a step, or hand over to
    another engineer; each move is signed by the engineer (or API key) making it. To resolve
    with the fix in KCS shape (a draft article, or a link to an existing one), use
    ``POST /api/v1/kcs/resolutions/{handoff_id}``."""
    if engineers.handoff(handoff_id) is None:
        raise HTTPException(404, detail=f"no handoff {handoff_id}")
    try:
        moved = engineers.move(
            handoff_id, move, engineer=engineer, note=body.note, step=body.step, to=body.to
        )
    except MoveError as exc:
        raise HTTPException(
            400 if exc.code == "move_incomplete" else 409, detail=str(exc)
        ) from None
    return public_handoff(moved, kcs.linked_articles().get(moved.id))


@router.get("/returns", response_model=list[ReturnPublic])
def returns(_: EngineerDep, engineers: EngineersDep, overdue: bool = False) -> list[ReturnPublic]:
    """Defective parts due back (or overdue), earliest first."""
    today = engineers.clock().date()
    return [
        ReturnPublic(
            handoff_id=r.handoff_id,
            site_id=r.site_id,
            serial=r.serial,
            dispatch_date=r.dispatch_date,
            return_due_date=r.return_due_date,
            overdue=r.return_due_date < today,
        )
        for r in engineers.returns(today, overdue)
    ]


@router.get("/accounts")
def accounts(_: EngineerDep, engineers: EngineersDep) -> dict[str, Any]:
    """Customers, contracts and sites (access codes are never returned)."""
    return engineers.accounts_public()
