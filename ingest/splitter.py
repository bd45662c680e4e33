"""Version-aware splitting: every chunk knows the version and the section path it speaks of.

A heading that names a version (``## [v1.2.3] - 2024-01-01``, ``PipeWire 1.2.3 (date)``, ``6.18.0
(September 2022)``, ``### 3.14.16``) sets the version for everything below it until the next heading of
the same or a higher level. Sections are cut on paragraph and list-item boundaries; a paragraph longer
than the limit is cut between sentences, never inside one unless a single sentence is too long. A
pipe table is one block: an over-long one is cut between rows, each piece led by the header rows.
"""

from __future__ import annotations

import itertools
import re

from bot.kb.schema import Chunk, chunk_id
from bot.kb.versions import VERSION_IN_TEXT, find_versions
from ingest.document import LoadedDocument
from ingest.metadata import DocMeta
from ingest.tables import is_table, split_table

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_NOISE = re.compile(r"\b(release[ds]?|version|notes?|changes|changelog|v)\b|[\[\]()\-–:,]", re.I)
_REFERENCE_WORDS = {"since", "from", "previous", "before", "after", "upgrade", "upgrading", "prior"}
MAX_NAME_WORDS = 3


def heading_version(heading: str) -> str | None:
    """The version a heading announces: a version plus at most a short name and a date.

    'PipeWire 1.6.0 (2026-02-19)' and '[v1.4.1] - 2024-01-01' announce a release; 'Highlights (since
    the previous 1.5.85 prerelease)' only mentions one.
    """
    found = find_versions(heading)
    if not found:
        return None
    rest = VERSION_IN_TEXT.sub(" ", _DATE.sub(" ", heading))
    words = [w for w in _NOISE.sub(" ", rest).split() if not w.isdigit()]
    if len(words) > MAX_NAME_WORDS or _REFERENCE_WORDS & {w.lower() for w in words}:
        return None
    return found[0]


def split_long(text: str, limit: int) -> list[str]:
    """Cut an over-long paragraph between sentences (or words, for a monster sentence)."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            pieces.append((current + " " + sentence[:cut]).strip() if current else sentence[:cut])
            current = ""
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


def pack(paragraphs: list[str], limit: int) -> list[str]:
    """Greedy packing of whole paragraphs into pieces of at most ``limit`` characters. A pipe table
    is never cut inside a row (an over-long one is cut between rows, its header repeated) and is set
    apart by blank lines, so nothing around it reads as one of its rows."""
    out: list[str] = []
    current: list[tuple[str, bool]] = []
    size = 0
    for para in paragraphs:
        table = is_table(para)
        for piece in split_table(para, limit) if table else split_long(para, limit):
            gap = 2 if table or (current and current[-1][1]) else 1
            if current and size + len(piece) + gap > limit:
                out.append(_join(current))
                current, size = [], 0
            current.append((piece, table))
            size += len(piece) + gap
    if current:
        out.append(_join(current))
    return out


def _join(pieces: list[tuple[str, bool]]) -> str:
    text = pieces[0][0]
    for (_, was_table), (piece, table) in itertools.pairwise(pieces):
        text += ("\n\n" if table or was_table else "\n") + piece
    return text


def split_document(doc: LoadedDocument, meta: DocMeta, limit: int = 1000) -> list[Chunk]:
    doc_version = meta.versions[0] if len(meta.versions) == 1 else ""
    stack: list[tuple[int, str, str | None, str]] = []  # level, heading, version, date
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for section in doc.sections:
        if section.heading:
            level = section.level
            own_version = heading_version(section.heading)
            holder = next((entry for entry in reversed(stack) if entry[2]), None)
            if own_version is None and holder is not None and holder[0] == level:
                level += (
                    1  # a stray same-level heading inside a release section stays in that release
                )
            while stack and stack[-1][0] >= level:
                stack.pop()
            date = _DATE.search(section.heading)
            stack.append((level, section.heading, own_version, date.group(1) if date else ""))
        if not section.paragraphs:
            continue
        version = next((v for _, _, v, _ in reversed(stack) if v), None) or doc_version
        released = next((d for _, _, v, d in reversed(stack) if v and d), "") or (
            meta.released if version == doc_version else ""
        )
        path = [h for _, h, _, _ in stack if h and h.strip() != meta.title.strip()]
        section_path = " > ".join(path)
        for text in pack(section.paragraphs, limit):
            cid = chunk_id(doc.source, section_path, text)
            if cid in seen:
                continue
            seen.add(cid)
            chunks.append(
                Chunk(
                    id=cid,
                    text=text,
                    source=doc.source,
                    title=meta.title,
                    product=meta.product,
                    doc_type=meta.doc_type,
                    audience=meta.audience,
                    version=version,
                    section=section_path,
                    released=released,
                    position=len(chunks),
                    doc_versions=meta.versions,
                )
            )
    return chunks
