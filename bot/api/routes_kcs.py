"""KCS articles learned from engineers' resolutions (engineers only): a resolution in KCS shape
(a new draft, or a link to an existing article, written with the move), the review list, one
article with its linked handoffs and counters, edit, publish, reject, engineer-only, the
articles similar to a handoff (to link a resolution instead of duplicating), and per-article
counts. Every route calls the KCS service; none reaches into a store."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bot.api.deps import EngineerDep, EngineersDep, KcsDep
from bot.api.errors import documented
from bot.api.inputs import Note, require_json
from bot.api.routes_engineer import HandoffPublic, public_handoff
from bot.errors import MoveError
from bot.service.assistant import clean_text
from bot.service.kcs import ArticleFields
from bot.service.kcs_views import ArticleView

router = APIRouter(prefix="/api/v1/kcs", tags=["kcs"], responses=documented(401, 422, 429, 503))

#: KcsError codes as HTTP statuses (the error body keeps the code)
KCS_STATUS = {
    "kcs_invalid": 400,
    "kcs_not_found": 404,
    "kcs_conflict": 409,
    "kcs_publish_failed": 503,
}

ArticleRef = Annotated[str, Field(max_length=20, pattern=r"^(?:[Kk][Cc][Ss]-?)?\d{1,9}$")]
Line = Annotated[str, Field(max_length=2000), AfterValidator(clean_text)]
Step = Annotated[str, Field(max_length=1000), AfterValidator(clean_text)]
Short = Annotated[str, Field(max_length=100), AfterValidator(clean_text)]


class ArticleIn(BaseModel):
    """An article in KCS shape: the environment (product line, model, firmware range), the
    symptom in the user's words, the cause, the fix steps, and whether site users may see it.
    The rules (known product and releases, a fix, no internal tools in a customer-safe text)
    are checked by the service, which names every problem (400)."""

    model_config = ConfigDict(extra="forbid")

    title: Line = ""
    product: Short
    model: Short | None = None
    firmware_from: Short | None = Field(None, description="oldest release it applies to")
    firmware_to: Short | None = Field(None, description="newest release it applies to")
    symptom: Line
    cause: Line
    fix: list[Step] = Field(default_factory=list, max_length=20)
    customer_safe: bool = False

    def fields(self) -> ArticleFields:
        return ArticleFields(
            title=self.title,
            product=self.product,
            model=self.model,
            firmware_from=self.firmware_from,
            firmware_to=self.firmware_to,
            symptom=self.symptom,
            cause=self.cause,
            fix=tuple(self.fix),
            customer_safe=self.customer_safe,
        )


class Resolution(BaseModel):
    """A resolution: the ``note`` the site user reads, and what was learned: a new ``article``
    (saved as a draft, checked first) or a ``link`` to the existing article whose cause this
    case shares; with neither it resolves the case like the plain move."""

    model_config = ConfigDict(extra="forbid")

    note: Note
    article: ArticleIn | None = None
    link: ArticleRef | None = Field(None, description="an existing article's id, e.g. KCS-0007")


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    why: Annotated[
        str,
        Field(max_length=1000, pattern=r"[A-Za-z]", description="why, in words"),
        AfterValidator(clean_text),
    ]


class Audience(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_safe: bool


class LinkPublic(BaseModel):
    handoff_id: str
    flow_id: str | None
    end_step: str | None
    linked_by: str
    linked_at: datetime


class CountsPublic(BaseModel):
    article_id: str
    status: str
    created_at: datetime
    used: int
    offered: int
    suggested: int
    resolved: int
    failed: int
    handed_off: int
    linked: int


class ArticlePublic(BaseModel):
    id: str
    status: Literal["draft", "published", "rejected"]
    title: str
    product: str
    model: str | None
    firmware_from: str | None
    firmware_to: str | None
    versions: list[str]
    symptom: str
    cause: str
    fix: list[str]
    customer_safe: bool
    audience: Literal["customer", "engineer"]
    revision: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    rejected_reason: str | None
    source: str | None
    flagged: bool
    flag_reason: str | None
    handoffs: list[LinkPublic]
    counts: CountsPublic


class SimilarPublic(BaseModel):
    article: ArticlePublic
    score: float


def _counts(view: ArticleView) -> CountsPublic:
    c = view.counts
    return CountsPublic(
        article_id=c.article_id,
        status=c.status,
        created_at=c.created_at,
        used=c.used,
        offered=c.offered,
        suggested=c.suggested,
        resolved=c.resolved,
        failed=c.failed,
        handed_off=c.handed_off,
        linked=c.linked,
    )


def public(view: ArticleView) -> ArticlePublic:
    f = view.fields
    return ArticlePublic(
        id=view.id,
        status=view.status,  # type: ignore[arg-type]
        title=f.title,
        product=f.product,
        model=f.model,
        firmware_from=f.firmware_from,
        firmware_to=f.firmware_to,
        versions=list(view.versions),
        symptom=f.symptom,
        cause=f.cause,
        fix=list(f.fix),
        customer_safe=f.customer_safe,
        audience="customer" if f.customer_safe else "engineer",
        revision=view.revision,
        created_by=view.created_by,
        created_at=view.created_at,
        updated_at=view.updated_at,
        reviewed_by=view.reviewed_by,
        reviewed_at=view.reviewed_at,
        rejected_reason=view.rejected_reason,
        source=view.source,
        flagged=view.flagged,
        flag_reason=view.flag_reason,
        handoffs=[
            LinkPublic(
                handoff_id=link.handoff_id,
                flow_id=link.flow_id,
                end_step=link.end_step,
                linked_by=link.linked_by,
                linked_at=link.linked_at,
            )
            for link in view.handoffs
        ],
        counts=_counts(view),
    )


@router.post(
    "/resolutions/{handoff_id}",
    response_model=HandoffPublic,
    dependencies=[Depends(require_json)],
    responses=documented(400, 404, 409, 413, 415),
)
def resolve(
    handoff_id: str, body: Resolution, engineer: EngineerDep, engineers: EngineersDep, kcs: KcsDep
) -> HandoffPublic:
    """Resolve a claimed case with the fix in KCS shape: the article is checked first (400
    names every problem and resolves nothing), then the case is resolved and the draft (or the
    link) written in the same transaction. ``articles`` in the answer lists the linked ids."""
    if engineers.handoff(handoff_id) is None:
        raise HTTPException(404, detail=f"no handoff {handoff_id}")
    fields = body.article.fields() if body.article is not None else None
    try:
        moved, _ = kcs.resolve(handoff_id, engineer, body.note, article=fields, link=body.link)
    except MoveError as exc:
        raise HTTPException(
            400 if exc.code == "move_incomplete" else 409, detail=str(exc)
        ) from None
    return public_handoff(moved, kcs.linked_articles().get(moved.id))


@router.get("/articles", response_model=list[ArticlePublic])
def list_articles(
    _: EngineerDep,
    kcs: KcsDep,
    status: Literal["draft", "published", "rejected"] | None = None,
    handoff_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[ArticlePublic]:
    """Articles newest first: the drafts to review (``status=draft``), the published ones, or
    those linked to a handoff; each with its counters and review flag."""
    return [public(v) for v in kcs.views(status, handoff_id)]


@router.get("/articles/{article_id}", response_model=ArticlePublic, responses=documented(404))
def read_article(article_id: ArticleRef, _: EngineerDep, kcs: KcsDep) -> ArticlePublic:
    return public(kcs.view(article_id))


WRITES = documented(400, 404, 409, 413, 415)


@router.post(
    "/articles/{article_id}/edit",
    response_model=ArticlePublic,
    dependencies=[Depends(require_json)],
    responses=WRITES,
)
def edit_article(
    article_id: ArticleRef, body: ArticleIn, engineer: EngineerDep, kcs: KcsDep
) -> ArticlePublic:
    """New wording or environment (checked first); the article becomes a draft again, and a
    published one leaves the knowledge base until it is published again."""
    return public(kcs.edit(article_id, body.fields(), engineer))


@router.post(
    "/articles/{article_id}/publish",
    response_model=ArticlePublic,
    responses=documented(400, 404, 409),
)
def publish_article(article_id: ArticleRef, engineer: EngineerDep, kcs: KcsDep) -> ArticlePublic:
    """Check the draft, write it into the knowledge base (doc type ``kcs``, versions from its
    firmware range, audience from the customer-safe flag) and mark it published, reviewed
    today; any failure leaves it a draft (400 invalid, 503 the ingest failed)."""
    return public(kcs.publish(article_id, engineer))


@router.post(
    "/articles/{article_id}/reject",
    response_model=ArticlePublic,
    dependencies=[Depends(require_json)],
    responses=WRITES,
)
def reject_article(
    article_id: ArticleRef, body: Rejection, engineer: EngineerDep, kcs: KcsDep
) -> ArticlePublic:
    """Reject a draft, or withdraw a published article from the knowledge base, with why."""
    return public(kcs.reject(article_id, engineer, body.why))


@router.post(
    "/articles/{article_id}/audience",
    response_model=ArticlePublic,
    dependencies=[Depends(require_json)],
    responses=WRITES,
)
def set_audience(
    article_id: ArticleRef, body: Audience, engineer: EngineerDep, kcs: KcsDep
) -> ArticlePublic:
    """Mark an article engineer-only (``customer_safe: false``) or customer-safe again."""
    return public(kcs.set_customer_safe(article_id, engineer, body.customer_safe))


@router.get("/similar/{handoff_id}", response_model=list[SimilarPublic], responses=documented(404))
def similar(handoff_id: str, _: EngineerDep, kcs: KcsDep) -> list[SimilarPublic]:
    """Articles close to a handoff's symptom on the same product line, best first: link the
    resolution to one of these instead of writing a duplicate."""
    return [SimilarPublic(article=public(v), score=s) for v, s in kcs.similar(handoff_id)]


@router.get("/counts", response_model=list[CountsPublic])
def counts(
    _: EngineerDep,
    kcs: KcsDep,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[CountsPublic]:
    """Per article: created when, and its uses in ``[since, until)`` (all time by default)."""
    return [
        CountsPublic(
            article_id=c.article_id,
            status=c.status,
            created_at=c.created_at,
            used=c.used,
            offered=c.offered,
            suggested=c.suggested,
            resolved=c.resolved,
            failed=c.failed,
            handed_off=c.handed_off,
            linked=c.linked,
        )
        for c in kcs.article_counts(since, until)
    ]
