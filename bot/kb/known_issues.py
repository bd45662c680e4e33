"""Knowledge-base checks inside a flow: is the symptom a known issue of the site's firmware, and which
release fixed it?

The check finds the known issue the symptom describes (the issue id the closest passages name,
when they are close enough), then where the release notes list that id as fixed. Found means a
fix exists: in a release newer than the installed firmware (update recommended), or already in
the installed one (so the symptom is something else). A symptom no passage comes close to, or an
issue no release note fixes, is not found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import RetrievalError
from bot.kb.citation import Citation
from bot.kb.retriever import Filters
from bot.kb.schema import Passage
from bot.kb.service import KnowledgeBase
from bot.kb.versions import parse_version

#: How close a passage naming the issue must be to the symptom (dense cosine).
MIN_SIMILARITY = 0.55
_ISSUE_ID = re.compile(r"\b([A-Z]{2,4}-\d{3,5})\b")
_LISTED = r"(?m)^\s*(?:[-*|]\s*)?(?:\*\*)?{id}\b"  # "- CX-4821: ...", "| CX-4821 |", "CX-4821 ..."
_FIX_DOCS = ("release_notes", "patch_notes")


@dataclass(frozen=True)
class KnownIssueFinding:
    found: bool
    summary: str
    citations: tuple[Citation, ...]
    fixed_in: str | None
    issue_id: str | None = None


NOT_FOUND = KnownIssueFinding(False, "", (), None)


def _newer(version: str, than: str | None) -> bool:
    v, base = parse_version(version), parse_version(than or "")
    return v is not None and (base is None or v > base)


def _issue_ids(passages: list[Passage]) -> list[str]:
    """Issue ids named by passages close to the symptom, closest first."""
    ids: list[str] = []
    for passage in passages:
        if passage.similarity < MIN_SIMILARITY:
            continue
        for found in _ISSUE_ID.findall(passage.chunk.text):
            if found not in ids:
                ids.append(found)
    return ids


def _fixes(kb: KnowledgeBase, issue: str, product: str | None) -> list[Passage]:
    """Release- and patch-note passages that list ``issue`` among their fixes, oldest first."""
    try:
        result = kb.search(issue, k=20, filters=Filters(product=product), mode="bm25")
    except RetrievalError:
        return []
    listed = re.compile(_LISTED.format(id=re.escape(issue)))
    fixing = [
        p
        for p in result.passages
        if p.chunk.doc_type in _FIX_DOCS
        and "fix" in p.chunk.section.lower()
        and p.chunk.version
        and listed.search(p.chunk.text)
    ]
    return sorted(fixing, key=lambda p: parse_version(p.chunk.version) or ())


def find_fix(
    kb: KnowledgeBase, query: str, product: str | None, firmware: str | None
) -> KnownIssueFinding:
    """The known issue ``query`` describes for ``product`` and the release that fixed it.

    Only customer documents are consulted. ``found`` with ``fixed_in`` newer than ``firmware``:
    the update fixes it; with ``fixed_in`` not newer: the installed firmware already has the fix.
    """
    try:
        result = kb.search(query, k=8, filters=Filters(product=product))
    except RetrievalError:
        return NOT_FOUND
    if result.evidence < kb.abstain_threshold:
        return NOT_FOUND
    for issue in _issue_ids(result.passages):
        fixes = _fixes(kb, issue, product)
        if not fixes:
            continue
        first = fixes[0]
        chunk = first.chunk
        line = next(
            (
                ln.strip("-*| ").strip()
                for ln in chunk.text.splitlines()
                if re.search(_LISTED.format(id=re.escape(issue)), ln)
            ),
            chunk.text.split("\n")[0],
        )
        summary = " ".join(line.split())[:400]
        citation = Citation(
            title=chunk.title,
            source=chunk.source,
            version=chunk.version,
            section=chunk.section or None,
            quote=summary,
        )
        return KnownIssueFinding(True, summary, (citation,), chunk.version, issue)
    return NOT_FOUND
