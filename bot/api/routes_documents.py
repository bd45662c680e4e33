"""The document behind a citation, read from the index (never from the file system).

``source`` is only a key into the live chunk table (the string every citation carries), so a path
such as ``../../etc/passwd`` can at most miss: it is never joined onto a folder. Site users read
customer documents with their session's bearer token; engineers read every document with their key.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from pydantic import BaseModel

from bot.api.deps import AssistantDep, KnowledgeBaseDep, StateDep, open_session, require_engineer
from bot.api.errors import documented

router = APIRouter(prefix="/api/v1", tags=["documents"])

MAX_SOURCE_CHARS = 1000
UNKNOWN = "no such document in the knowledge base"
MALFORMED = "not a document source: use the relative path a citation carries"
_DRIVE = re.compile(r"^[A-Za-z]:")


class SectionPublic(BaseModel):
    section: str
    version: str | None
    passages: list[str]


class DocumentPublic(BaseModel):
    source: str
    title: str
    product: str
    doc_type: str
    version: str | None  # the document's version when it speaks of exactly one
    versions: list[str]
    released: str | None
    sections: list[SectionPublic]


def reader_audience(
    request: Request,
    state: StateDep,
    assistant: AssistantDep,
    session_id: Annotated[
        str | None, Query(max_length=100, description="The chat session (with its bearer token)")
    ] = None,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None,
) -> str:
    """``engineer`` for a valid API key, ``customer`` for a session's bearer token; 401 otherwise."""
    if x_api_key is not None:
        require_engineer(request, state, x_api_key)
        return "engineer"
    if session_id is None:
        raise HTTPException(
            401,
            detail="a session bearer token with session_id, or an engineer API key, is required",
        )
    open_session(session_id, assistant, authorization)
    return "customer"


def well_formed(source: str) -> bool:
    """A relative POSIX path as ingest writes it: no NUL or control characters, no backslash, no
    absolute or drive path, no empty, ``.`` or ``..`` segment."""
    if not source or len(source) > MAX_SOURCE_CHARS or "\\" in source:
        return False
    if source.startswith(("/", "~")) or _DRIVE.match(source):
        return False
    if not all(ch.isprintable() for ch in source):
        return False
    return all(part not in ("", ".", "..") for part in source.split("/"))


@router.get(
    "/documents/{source:path}",
    response_model=DocumentPublic,
    responses=documented(401, 404, 422, 429, 503),
)
def read_document(
    source: str,
    kb: KnowledgeBaseDep,
    audience: Annotated[str, Depends(reader_audience)],
) -> DocumentPublic:
    """The indexed text of a cited document: title, versions, product and its sections in order.
    Unknown and malformed sources are 404 (each with its message), engineer-only documents too for
    site users."""
    if not well_formed(source):
        raise HTTPException(404, detail=MALFORMED)
    chunks = kb.document(source, audience)
    if not chunks:
        raise HTTPException(404, detail=UNKNOWN)
    sections: list[SectionPublic] = []
    for chunk in chunks:
        version = chunk.version or None
        last = sections[-1] if sections else None
        if last and last.section == chunk.section and last.version == version:
            last.passages.append(chunk.text)
        else:
            sections.append(
                SectionPublic(section=chunk.section, version=version, passages=[chunk.text])
            )
    head = chunks[0]
    versions = list(head.doc_versions) or list(
        dict.fromkeys(c.version for c in chunks if c.version)
    )
    return DocumentPublic(
        source=head.source,
        title=head.title,
        product=head.product,
        doc_type=head.doc_type,
        version=versions[0] if len(versions) == 1 else None,
        versions=versions,
        released=head.released or None,
        sections=sections,
    )
