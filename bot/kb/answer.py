"""Extractive answers: the sentences or bullets of the best passages that answer, each cited.

Deterministic and model-free. When the evidence is weak, or the question names a version no document
speaks of, the composer abstains and offers a human instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.devices import product_words
from bot.kb.citation import Citation
from bot.kb.facts import attribute, states, wanted_fact
from bot.kb.retriever import SearchResult
from bot.kb.schema import Chunk, Passage
from bot.kb.sections import RELEASE_DOCS, group_of, issue_id
from bot.kb.tables import blocks
from bot.kb.tokens import tokenize
from bot.kb.versions import same_version

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])|\n+")
OFFER = "Would you like an engineer to look into it?"
ABSTAIN_OFFER = "Would you like me to pass your question to an engineer?"
ABSTAIN_TEXT = f"I could not find this in the release notes or product documents. {ABSTAIN_OFFER}"


def without_offer(text: str) -> str:
    """An abstaining answer's text without its closing offer of an engineer (for a question asked
    in the middle of a check, where a yes would be read as the check's answer)."""
    for offer in (OFFER, ABSTAIN_OFFER):
        if text.endswith(offer):
            return text[: -len(offer)].rstrip()
    return text


@dataclass(frozen=True)
class Answer:
    text: str
    abstained: bool
    citations: list[Citation]
    passages: list[Passage]
    evidence: float
    notices: list[str] = field(default_factory=list)
    composer: str = "extractive"

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.model_dump() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "evidence": round(self.evidence, 4),
            "notices": self.notices,
            "composer": self.composer,
        }


def citation_for(number: int, passage: Passage, quote: str = "") -> Citation:
    """The citation ``[number]`` of a passage, quoting ``quote`` (or the passage's start)."""
    c = passage.chunk
    return Citation(
        n=number,
        title=c.title,
        source=c.source,
        version=c.version or None,
        section=c.section or None,
        quote=quote or c.text[:600],
    )


Unit = tuple[str, tuple[str, str] | None]
"""A sentence or bullet, or a table row with its table's header and delimiter rows."""


def _units(text: str) -> list[Unit]:
    units: list[Unit] = []
    for is_table, lines in blocks(text):
        if is_table:
            units += [(row, (lines[0], lines[1])) for row in lines[2:] if row.strip()]
            continue
        for u in _SPLIT.split("\n".join(lines)):
            if len(u.strip(" -*•\t")) > 12:
                units.append((u.strip(" -*•\t"), None))
    return units


def _render(picked: list[tuple[int, Unit]], numbers: dict[int, int]) -> list[str]:
    """Bullets, each cited; table rows of one table stay a table (header, delimiter, rows) under
    a bullet that cites it."""
    lines: list[str] = []
    table: tuple[str, str] | None = None
    for rank, (text, header) in picked:
        if header is None:
            table = None
            lines.append(f"- {text} [{numbers[rank]}]")
            continue
        if header != table:
            lines += [f"- From the table [{numbers[rank]}]:", *header]
            table = header
        lines.append(text)
    return lines


def refusal(question: str, result: SearchResult, doubt_threshold: float = 1.0) -> Answer | None:
    """An abstaining answer when the question asks about something the notes cannot know, whatever
    the similarity: a version with no notes, a model or issue id or a name no document names, a
    term only other products' notes use, a fact no top passage states (a price, a date of the
    release asked about, a weight, a resolution, a value, a platform's version); or a rare
    word no document uses while the evidence stays below ``doubt_threshold``. None otherwise."""
    passages = result.passages

    def refuse(text: str) -> Answer:
        return Answer(text, True, [], passages, result.evidence, result.notices)

    if result.missing_version:
        return refuse(
            f"The notes have nothing about version {result.missing_version}: "
            + "; ".join(result.notices)
            + f". {OFFER}"
        )
    if result.unknown_names:
        named = [
            f"{name} (the nearest they name: {', '.join(similar)})" if similar else name
            for name, similar in result.unknown_names
        ]
        return refuse(
            f"The notes never name {' or '.join(named)}, so I cannot answer from them. {OFFER}"
        )
    unknown = list(result.unknown_terms)
    if result.evidence < doubt_threshold and not unknown:
        # a name the notes lack says enough; the rare words beside it ("natively") add nothing
        unknown += result.unknown_words
    if unknown:
        said = " or ".join(_as_written(question, t) for t in unknown)
        return refuse(f"The notes never mention {said}, so I cannot answer from them. {OFFER}")
    if result.foreign_terms:
        return refuse(_foreign_text(question, result))
    kind = wanted_fact(question)
    if kind and passages and not _stated(kind, result):
        return refuse(
            f"The notes I found give no {kind} for this, so I cannot answer it from them. {OFFER}"
        )
    return None


def _stated(kind: str, result: SearchResult) -> bool:
    """Whether a top passage states the fact the question asks for; a fact about a product the
    question names must come from that product's notes."""
    products = result.analysis.named_products
    subject = attribute(kind, result.analysis.text) or result.analysis.subject
    return any(
        states(kind, p.chunk, result.analysis.versions, subject)
        for p in result.passages[:5]
        if not products or p.chunk.product in products
    )


def compose_extractive(
    question: str, result: SearchResult, threshold: float, max_units: int = 3
) -> Answer:
    """Pick the best-matching sentences of the top passages; abstain below ``threshold``. The
    caller asks ``refusal`` first."""
    passages = result.passages
    if not passages or result.evidence < threshold:
        return Answer(ABSTAIN_TEXT, True, [], passages, result.evidence, result.notices)
    wanted = set(tokenize(question))
    scored: list[tuple[float, int, int, Unit]] = []
    for rank, passage in enumerate(passages[:3]):
        for order, unit in enumerate(_units(passage.chunk.text)):
            overlap = len(wanted & set(tokenize(unit[0])))
            if overlap:
                scored.append((overlap - 0.5 * rank, rank, order, unit))
    scored.sort(key=lambda t: t[0], reverse=True)
    first = (_units(passages[0].chunk.text) or [(passages[0].chunk.text[:300], None)])[0]
    picked = scored[:max_units] or [(0.0, 0, 0, first)]
    picked.sort(key=lambda t: (t[1], t[2]))
    numbers: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    for _, rank, _, unit in picked:
        numbers.setdefault(rank, len(numbers) + 1)
        quotes.setdefault(rank, []).append(unit[0])
    lines = _render([(rank, unit) for _, rank, _, unit in picked], numbers)
    direct = direct_answer(result, numbers, quotes)
    citations = [
        citation_for(n, passages[rank], " ".join(quotes[rank])) for rank, n in numbers.items()
    ]
    citations.sort(key=lambda c: c.n or 0)
    lead = passages[min(numbers)].chunk
    where = lead.title + (f", version {lead.version}" if lead.version else "")
    text = (direct + "\n" if direct else "") + f"From {where}:\n"
    text += "\n".join(lines)
    if result.notices:  # e.g. semantic search down: say what the answer rests on
        text += "\n(Note: " + "; ".join(result.notices) + ".)"
    return Answer(text, False, citations, passages, result.evidence, result.notices)


_WHICH_RELEASE = re.compile(
    r"\b(which|what)\s+(\w+\s+)?(version|release|firmware|build|patch|update|software)|"
    r"\bsince\s+(when|which|what)|\bwhen\s+(was|were|did)|\bfixed\s+(where|when)|\bin which\b",
    re.I,
)


def direct_answer(
    result: SearchResult, numbers: dict[int, int], quotes: dict[int, list[str]]
) -> str:
    """The answer in one line when the passages state it: 'CX-4821 is fixed in 9.4.1 [1].' for an
    issue id; '10.0.0 was released on 2026-03-02 [1].' for "when was 10.0.0 released?"; 'Fixed in
    9.4.1 [1].' or 'Added in 10.0.0 [1].' for "which release..." questions whose best passage is
    that release's list of fixes or new features. Empty otherwise."""
    passages = result.passages[:5]
    analysis = result.analysis

    def cite(rank: int, quote: str) -> int:
        quotes.setdefault(rank, [])
        if quote not in quotes[rank]:
            quotes[rank].append(quote)
        return numbers.setdefault(rank, len(numbers) + 1)

    found = []
    for ident in analysis.identifiers:
        for rank, p in enumerate(passages):
            c = p.chunk
            if c.version and c.doc_type in RELEASE_DOCS and group_of(c.section) == "Fixed":
                line = next((u for u, _ in _units(c.text) if issue_id(u) == ident), "")
                if line:
                    found.append(f"{ident} is fixed in {c.version} [{cite(rank, line)}].")
                    break
    if found:
        return " ".join(found)
    if wanted_fact(analysis.text) == "date":  # "when was 10.0.0 released?": its notes' date
        for rank, p in enumerate(passages):
            c = p.chunk
            if c.released and any(same_version(v, c.version) for v in analysis.versions):
                first = (_units(c.text) or [(c.text[:300], None)])[0][0]
                return f"{c.version} was released on {c.released} [{cite(rank, first)}]."
    if not passages or not _WHICH_RELEASE.search(analysis.text):
        return ""
    if "fixed" in analysis.intents:
        still_open = _still_open(passages, analysis.identifiers, numbers, cite)
        if still_open:
            return still_open
    wanted: tuple[str, ...] = ("Fixed", "New")  # "which firmware accepts it?": either
    if "fixed" in analysis.intents:
        wanted = ("Fixed",)
    elif "new" in analysis.intents or "since" in analysis.text.lower():
        wanted = ("New",)
    # the first cited passage that is a release's list of fixes (or of new features) and whose
    # quoted lines are about what the question asks answers
    asked = _topic_words(analysis.text)
    for rank in sorted(numbers, key=numbers.__getitem__):
        if rank >= len(passages):
            continue
        c = passages[rank].chunk
        group = group_of(c.section)
        if not (c.version and c.doc_type in RELEASE_DOCS and group in wanted):
            continue
        if any(len(asked & set(tokenize(q))) >= LEAD_OVERLAP for q in quotes.get(rank, [])):
            verb = "Fixed" if group == "Fixed" else "Added"
            return f"{verb} in {c.version} [{numbers[rank]}]."
    return ""


# Words that frame a "which release" question rather than say what it is about.
_FRAME = frozenset(
    ("which", "what", "version", "versions", "release", "releases", "firmware", "software",
     "build", "update", "patch", "fixed", "fix", "fixes", "added", "new", "since", "first")
)  # fmt: skip
# A release is named as the answer only when a line quoted from its list shares this many of the
# question's topic words ("AGC", "pumps", "hiss"), not only the product's name.
LEAD_OVERLAP = 2


def _topic_words(question: str) -> set[str]:
    """The question's words that say what it is about: no frame words, and nothing with a digit
    (versions, model and issue ids)."""
    return {t for t in tokenize(question) if t not in _FRAME and not any(ch.isdigit() for ch in t)}


_OPEN = re.compile(
    r"\bstatus:?\W*open\b|\bfix is planned\b|\bnot (yet )?fixed\b|\bno fix (yet|is available)\b",
    re.I,
)


def _still_open(
    passages: Sequence[Passage],
    identifiers: Sequence[str],
    numbers: dict[int, int],
    cite: Callable[[int, str], int],
) -> str:
    """For "which release fixes ...": when the issue asked about (by its id, else the best cited
    passage's) is a known issue its notes call open, say so ('AX-2281 is still open: the notes
    name no release that fixes it [1].') rather than let a release listing it read as its fix."""
    issues = [_issue_of(p.chunk) for p in passages]
    asked = set(identifiers) & set(issues)  # issue ids, not models ('AX-8')
    if asked:
        ranks = [i for i, issue in enumerate(issues) if issue in asked]
    else:
        ranks = sorted(numbers, key=numbers.__getitem__)[:1]
    for rank in ranks:
        c = passages[rank].chunk
        if not _OPEN.search(c.text):
            continue
        line, issue = c.text[:200], issues[rank]
        for unit, _ in _units(c.text):  # the open line, and the issue named last before it
            if not issues[rank]:
                issue = issue_id(unit) or issue
            if _OPEN.search(unit):
                line = unit
                break
        what = f"{issue} is" if issue else "This issue is"
        return f"{what} still open: the notes name no release that fixes it [{cite(rank, line)}]."
    return ""


def _issue_of(chunk: Chunk) -> str | None:
    """The issue a known-issue section is about: its heading's id ('AX-2281: Adaptive ...')."""
    return issue_id(chunk.section.rsplit(">", 1)[-1]) if chunk.section else None


def _foreign_text(question: str, result: SearchResult) -> str:
    """'The CX codec notes never mention Dante (only the AX audio notes do), so ...': per product
    the question names, what its notes lack and whose notes have it."""
    by_product: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for term, product, using in result.foreign_terms:
        by_product.setdefault(product, []).append((term, using))
    parts = []
    for product, terms in by_product.items():
        named = " or ".join(_as_written(question, t) for t, _ in terms)
        others = " and ".join(product_words(p) for p in sorted({p for _, u in terms for p in u}))
        parts.append(
            f"the {product_words(product)} notes never mention {named} (only the {others} notes do)"
        )
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]}, so I cannot answer that from them. {OFFER}"


def _as_written(question: str, term: str) -> str:
    """A lower-cased term as the question spells it ('knx' -> 'KNX')."""
    m = re.search(rf"\b{re.escape(term)}\b", question, re.I)
    return m.group(0) if m else term
