"""Engineer search over release notes and documents (API key required)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from bot.api.deps import EngineerDep, KnowledgeBaseDep
from bot.kb.retriever import Filters

router = APIRouter(prefix="/api/v1", tags=["search"])


class SearchPublic(BaseModel):
    answer: str
    abstained: bool
    citations: list[dict[str, Any]]
    passages: list[dict[str, Any]]
    notices: list[str]


@router.get("/search", response_model=SearchPublic)
def search(
    _: EngineerDep,
    kb: KnowledgeBaseDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, examples=["HDMI handshake CX-900"])],
    product: str | None = None,
    version: Annotated[str | None, Query(description="9.4.1, 9.4.x, 9.0..9.4.1, >=9.4")] = None,
    doc_type: str | None = None,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
) -> SearchPublic:
    """Grounded answer and passages; engineers see engineer-only documents too."""
    answer = kb.ask(q, k, Filters(product, version, doc_type, audience="engineer"))
    data = answer.to_dict()
    return SearchPublic(
        answer=data["answer"],
        abstained=data["abstained"],
        citations=data["citations"],
        passages=data["passages"],
        notices=data["notices"],
    )
