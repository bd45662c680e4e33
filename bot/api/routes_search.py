"""Engineer search over release notes and documents (API key required)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from bot.api.deps import EngineerDep, KnowledgeBaseDep
from bot.api.errors import documented
from bot.kb.citation import Citation
from bot.kb.retriever import Filters

router = APIRouter(prefix="/api/v1", tags=["search"])


class PassagePublic(BaseModel):
    """A retrieved passage (the ``assist ask --json`` fields)."""

    text: str
    source: str
    title: str
    product: str
    version: str | None
    section: str
    doc_type: str
    score: float


class SearchPublic(BaseModel):
    answer: str
    abstained: bool
    citations: list[Citation]
    passages: list[PassagePublic]
    notices: list[str]


@router.get("/search", response_model=SearchPublic, responses=documented(400, 401, 422, 429, 503))
def search(
    _: EngineerDep,
    kb: KnowledgeBaseDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, examples=["HDMI handshake CX-900"])],
    product: Annotated[str | None, Query(max_length=100)] = None,
    version: Annotated[
        str | None, Query(max_length=100, description="9.4.1, 9.4.x, 9.0..9.4.1, >=9.4")
    ] = None,
    doc_type: Annotated[str | None, Query(max_length=100)] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
) -> SearchPublic:
    """Grounded answer and passages; engineers see engineer-only documents too."""
    answer = kb.ask(q, k, Filters(product, version, doc_type, audience="engineer"))
    return SearchPublic(
        answer=answer.text,
        abstained=answer.abstained,
        citations=answer.citations,
        passages=[PassagePublic.model_validate(p.to_dict()) for p in answer.passages],
        notices=answer.notices,
    )
