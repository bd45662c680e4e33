"""reStructuredText: over/underlined headings (levels by first appearance), a leading field list as
metadata, directives and roles reduced to their text, simple and grid tables as pipe tables."""

from __future__ import annotations

import re

from ingest.document import LoadedDocument, Section, paragraphs_of
from ingest.tables import rst_table

_ADORN = re.compile(r"^([=\-~^\"'`#*+:.<>_])\1{2,}\s*$")
_FIELD = re.compile(r"^:([A-Za-z_\-]+):\s*(.*)$")
_ROLE = re.compile(r":[a-z:]+:`([^`<]*?)(?:\s*<[^>]*>)?`")
_LINK = re.compile(r"`([^`<]+?)\s*<[^>]*>`__?")
_DIRECTIVE = re.compile(r"^\.\.\s+([\w\-]+)::")


def _inline(text: str) -> str:
    text = _ROLE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    return text.replace("**", "").replace("``", "").replace("*", "")


def load_rst(text: str, source: str) -> LoadedDocument:
    lines = text.splitlines()
    sections = [Section(0, "")]
    styles: list[tuple[str, bool]] = []
    meta: dict[str, str] = {}
    buffer: list[str] = []
    skip_block = False
    i = 0

    def flush() -> None:
        sections[-1].paragraphs.extend(paragraphs_of(buffer))
        buffer.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        # overline + title + underline
        if _ADORN.match(line) and i + 2 < len(lines) and _ADORN.match(lines[i + 2]) and nxt.strip():
            style = (line.strip()[0], True)
            flush()
            if style not in styles:
                styles.append(style)
            sections.append(Section(styles.index(style) + 1, _inline(nxt.strip())))
            i += 3
            continue
        if (
            stripped
            and _ADORN.match(nxt)
            and len(nxt.strip()) >= len(stripped) - 2
            and not _ADORN.match(line)
        ):
            style = (nxt.strip()[0], False)
            flush()
            if style not in styles:
                styles.append(style)
            sections.append(Section(styles.index(style) + 1, _inline(stripped)))
            i += 2
            continue
        fm = _FIELD.match(stripped)
        if (
            fm
            and not "".join(buffer).strip()
            and len(sections) <= 2
            and not sections[-1].paragraphs
        ):
            meta[fm.group(1).lower().replace("-", "_")] = fm.group(2).strip()
            i += 1
            continue
        d = _DIRECTIVE.match(stripped)
        if d:
            flush()
            # images, raw HTML and tables of contents carry no prose worth indexing
            skip_block = d.group(1) in ("image", "figure", "raw", "contents", "toctree", "only")
            rest = stripped.split("::", 1)[1].strip()
            if rest and not skip_block:
                buffer.append(_inline(rest))
            i += 1
            continue
        if skip_block:
            if stripped and not line.startswith((" ", "\t")):
                skip_block = False
            else:
                i += 1
                continue
        if stripped.startswith(".. "):
            i += 1
            continue
        table = rst_table(lines, i, _inline)
        if table is not None:
            flush()
            sections[-1].paragraphs.append(table[1])
            i = table[0]
            continue
        buffer.append(_inline(line))
        i += 1
    flush()
    title = meta.get("title") or next((s.heading for s in sections if s.level == 1), "")
    found = [s for s in sections if s.heading or s.paragraphs]
    return LoadedDocument(source=source, meta=meta, sections=found, title=title)
