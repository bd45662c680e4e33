""" "What changed in V" and "between V1 and V2": a release's items, grouped and cited, from the notes.

The items come from the chunk table, not from the top passages: a release's fixes are listed whether or
not their words resemble the question. Release notes and patch notes of the same release are both read;
an item named by the same issue id in both is listed once (the release notes' wording).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.kb.answer import Answer, citation_for
from bot.kb.retriever import HybridRetriever, SearchResult
from bot.kb.schema import Chunk, Passage
from bot.kb.sections import ORDER, RELEASE_DOCS, group_of, issue_id
from bot.kb.versions import in_family, parse_version

_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_BETWEEN = re.compile(
    r"\b(?:between|from)\s+v?(\d+(?:\.\d+)+)\s+(?:and|to|->)\s+v?(\d+(?:\.\d+)+)", re.I
)
MAX_ITEMS = 12
MAX_RELEASES = 5  # releases listed for one family ('1.6'): the latest ones
MAX_ITEM_CHARS = 320


@dataclass(frozen=True)
class ReleaseItem:
    version: str
    group: str
    text: str
    chunk: Chunk


def items_in(text: str) -> list[str]:
    """The bullets of a chunk (continuation lines joined), or its paragraphs when it has none."""
    lines = text.splitlines()
    bullets: list[str] = []
    for line in lines:
        if _BULLET.match(line):
            bullets.append(_BULLET.sub("", line).strip())
        elif bullets and line.strip() and line[:1].isspace():
            bullets[-1] += " " + line.strip()
    found = bullets or [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [" ".join(f.split()) for f in found if not f.lower().startswith("none")]


def release_items(chunks: Sequence[Chunk], version: str) -> list[ReleaseItem]:
    """The items of release ``version`` in ``chunks`` (release and patch notes), one per issue id."""
    seen_ids: set[str] = set()
    seen_text: set[str] = set()
    items: list[ReleaseItem] = []
    ordered = sorted(chunks, key=lambda c: (c.doc_type != "release_notes", c.source, c.position))
    for chunk in ordered:
        if chunk.doc_type not in RELEASE_DOCS or not in_family(version, chunk.version):
            continue
        group = group_of(chunk.section)
        if group is None:
            continue
        for text in items_in(chunk.text):
            issue = issue_id(text)
            key = " ".join(text.lower().split())[:120]
            if (issue and issue in seen_ids) or key in seen_text or len(text) < 8:
                continue
            if issue:
                seen_ids.add(issue)
            seen_text.add(key)
            items.append(ReleaseItem(chunk.version, group, _clip(text), chunk))
    return items


def _clip(text: str) -> str:
    if len(text) <= MAX_ITEM_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_ITEM_CHARS)
    return text[: cut if cut > 0 else MAX_ITEM_CHARS] + " …"


def asked_releases(question: str, versions: Sequence[str], known: Sequence[str]) -> list[str]:
    """The releases a question asks about: 'between 9.4.0 and 9.4.1' is every release after 9.4.0
    up to 9.4.1; otherwise each version named (a family such as '1.6' stays one entry)."""
    m = _BETWEEN.search(question)
    if m:
        low, high = parse_version(m.group(1)), parse_version(m.group(2))
        if low and high:
            low, high = min(low, high), max(low, high)
            inside = sorted({v for v in (parse_version(k) for k in known) if v and low < v <= high})
            return [str(v) for v in inside]
    return list(versions)


def compose_release(
    question: str,
    result: SearchResult,
    retriever: HybridRetriever,
    product: str | None,
    audience: str = "customer",
) -> Answer | None:
    """The items of the releases of ``product`` a "what changed" question names, grouped, each
    cited (only documents the audience may see); None when the question is not about a release or
    the notes list no items for it."""
    analysis = result.analysis
    if "changes" not in analysis.intents or not analysis.versions or product is None:
        return None
    known = sorted(retriever.versions(product, audience))
    releases: list[str] = []
    for asked in asked_releases(question, analysis.versions, known):
        exact = [k for k in known if in_family(asked, k)]  # '1.6' -> 1.6.0, 1.6.1, ...
        exact.sort(key=lambda v: parse_version(v) or v)
        releases += [v for v in exact[-MAX_RELEASES:] if v not in releases]
    # "anything new besides fixes?" leads with what the release adds
    wanted = "New" if "new" in analysis.intents and "fixed" not in analysis.intents else "Fixed"
    numbers: dict[str, int] = {}
    cited: list[Passage] = []
    quotes: dict[str, list[str]] = {}
    sections: list[str] = []
    for release in releases:
        items = release_items(retriever.release_chunks(product, release, audience), release)
        if not items:
            continue
        title = items[0].chunk.title
        if release not in title:
            title += f", {release}"
        lines = [_lead(release, items, numbers, cited, quotes, group=wanted)]
        for group in ORDER:
            grouped = [i for i in items if i.group == group][:MAX_ITEMS]
            if not grouped:
                continue
            lines.append(f"{group}:")
            for item in grouped:
                n = _number(item.chunk, numbers, cited, quotes, item.text)
                lines.append(f"- {item.text} [{n}]")
        sections.append(f"From {title}:\n" + "\n".join(line for line in lines if line))
    if not sections:
        return None
    citations = [
        citation_for(n, cited[n - 1], " ".join(quotes[cited[n - 1].chunk.id])[:600])
        for n in range(1, len(cited) + 1)
    ]
    return Answer("\n\n".join(sections), False, citations, cited, result.evidence, result.notices)


def _number(
    chunk: Chunk,
    numbers: dict[str, int],
    cited: list[Passage],
    quotes: dict[str, list[str]],
    quote: str,
) -> int:
    if chunk.id not in numbers:
        cited.append(Passage(chunk, 1.0))
        numbers[chunk.id] = len(cited)
    quotes.setdefault(chunk.id, []).append(quote)
    return numbers[chunk.id]


def _lead(
    release: str,
    items: Sequence[ReleaseItem],
    numbers: dict[str, int],
    cited: list[Passage],
    quotes: dict[str, list[str]],
    group: str = "Fixed",
) -> str:
    """'9.4.1 fixes CX-4821, CX-4838 and CX-4844 [1].' when the fixes carry issue ids; with
    ``group`` "New", '2.3.0 adds TX-680 and TX-684 [2].'."""
    listed = [i for i in items if i.group == group]
    ids = [issue for issue in (issue_id(i.text) for i in listed) if issue][:8]
    if not ids:
        return ""
    n = _number(listed[0].chunk, numbers, cited, quotes, listed[0].text)
    names = ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]
    return f"{release} {'adds' if group == 'New' else 'fixes'} {names} [{n}]."
