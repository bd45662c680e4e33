"""Knowledge-base checks inside a flow: is the symptom a known issue of the site's firmware, and which
release fixed it?"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import RetrievalError
from bot.kb.citation import Citation
from bot.kb.retriever import Filters
from bot.kb.service import KnowledgeBase
from bot.kb.versions import parse_version


@dataclass(frozen=True)
class KnownIssueFinding:
    found: bool
    summary: str
    citations: tuple[Citation, ...]
    fixed_in: str | None


NOT_FOUND = KnownIssueFinding(False, "", (), None)


def _newer(version: str, than: str | None) -> bool:
    v, base = parse_version(version), parse_version(than or "")
    return v is not None and (base is None or v > base)


def find_fix(
    kb: KnowledgeBase, query: str, product: str | None, firmware: str | None
) -> KnownIssueFinding:
    """The best release-note passage for ``query`` that fixed it in a release newer than ``firmware``.

    Only customer documents are consulted; found means a fix exists that the site has not installed.
    """
    try:
        result = kb.search(query, k=8, filters=Filters(product=product))
    except RetrievalError:
        return NOT_FOUND
    if result.evidence < kb.abstain_threshold:
        return NOT_FOUND
    for passage in result.passages:
        chunk = passage.chunk
        fixing = (
            chunk.doc_type in ("release_notes", "patch_notes") and "fix" in chunk.section.lower()
        )
        if fixing and chunk.version and _newer(chunk.version, firmware):
            first = chunk.text.split("\n")[0].lstrip("-* ").strip()
            citation = Citation(
                title=chunk.title,
                source=chunk.source,
                version=chunk.version,
                section=chunk.section or None,
                quote=first,
            )
            return KnownIssueFinding(True, first, (citation,), chunk.version)
    return NOT_FOUND
