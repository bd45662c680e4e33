"""Plain text: ``Key: value`` header lines, underlined headings and NEWS-style release lines."""

from __future__ import annotations

import re

from bot.errors import DocumentReadError
from bot.kb.versions import find_versions
from ingest.document import LoadedDocument, Section, paragraphs_of

_HEADER = re.compile(r"^([A-Za-z][A-Za-z\-]{1,20}):\s*(.*)$")
_UNDERLINE = re.compile(r"^([=\-~^*#+])\1{2,}\s*$")
# "PipeWire 1.2.3 (2024-06-01)", "WX Share 7.2.1 (2026-08-17)", "Version 3.1.0 - 2025-05-12"
_NEWS_LINE = re.compile(
    r"^[A-Za-z][\w .+\-]{0,30}?\s+v?\d+(?:\.\d+){1,3}\S*(?:\s*[(\-–]\s*[\w ,\-]{4,20}\)?)?\s*$"
)
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
MAX_NEWS_WORDS = 6
_HEADER_KEYS = {
    "title",
    "product",
    "doc-type",
    "doc_type",
    "versions",
    "released",
    "audience",
    "models",
}


def read_text(raw: bytes, source: str) -> str:
    """Decode UTF-8 (a BOM is fine); anything else is refused with the byte offset."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentReadError(source, f"invalid UTF-8 at byte {exc.start}") from exc


def split_underlined(lines: list[str]) -> list[Section]:
    """Sections from setext-style headings (a line underlined by = or -) and NEWS release lines."""
    sections = [Section(0, "")]
    styles: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and _UNDERLINE.match(nxt) and len(nxt.strip()) >= min(len(line.strip()), 3):
            style = nxt.strip()[0]
            if style not in styles:
                styles.append(style)
            sections.append(Section(styles.index(style) + 1, line.strip()))
            i += 2
            continue
        atx = _ATX.match(line)
        if atx:
            sections.append(Section(len(atx.group(1)), atx.group(2)))
            i += 1
            continue
        stripped = line.strip()
        if (
            _NEWS_LINE.match(stripped)
            and len(stripped.split()) <= MAX_NEWS_WORDS
            and find_versions(stripped)
            and not line.startswith((" ", "\t"))
        ):
            sections.append(Section(1, stripped))
            i += 1
            continue
        sections[-1].paragraphs.append(line)
        i += 1
    for s in sections:
        s.paragraphs = paragraphs_of(s.paragraphs)
    return [s for s in sections if s.heading or s.paragraphs]


def load_text(text: str, source: str) -> LoadedDocument:
    lines = text.splitlines()
    meta: dict[str, str] = {}
    start = 0
    if lines and _HEADER.match(lines[0]) and lines[0].split(":")[0].strip().lower() in _HEADER_KEYS:
        for idx, line in enumerate(lines):
            if not line.strip():
                start = idx + 1
                break
            m = _HEADER.match(line)
            if not m:
                start = idx
                break
            meta[m.group(1).lower().replace("-", "_")] = m.group(2).strip()
        else:
            start = len(lines)
    sections = split_underlined(lines[start:])
    return LoadedDocument(source=source, meta=meta, sections=sections, title=meta.get("title", ""))
