"""What a loader hands to the splitter: a document's metadata and its headed sections, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.kb.tables import table_end


@dataclass
class Section:
    """A heading (``level`` 1 = top; 0 = text before any heading) and the paragraphs under it."""

    level: int
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class LoadedDocument:
    """A parsed file: explicit metadata (front matter, meta tags, PDF info) and its sections."""

    source: str
    meta: dict[str, Any]
    sections: list[Section]
    title: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        parts: list[str] = []
        for s in self.sections:
            if s.heading:
                parts.append(s.heading)
            parts.extend(s.paragraphs)
        return "\n".join(parts)


def paragraphs_of(lines: list[str]) -> list[str]:
    """Group lines into paragraphs: blank lines separate; each list item is a paragraph of its own;
    a pipe table is one paragraph whose rows stay on lines of their own."""
    out: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            text = " ".join(x.strip() for x in current).strip()
            if text:
                out.append(text)
            current.clear()

    i = 0
    while i < len(lines):
        end = table_end(lines, i)
        if end > i:
            flush()
            out.append("\n".join(x.strip() for x in lines[i:end]))
            i = end
            continue
        stripped = lines[i].strip()
        i += 1
        if not stripped:
            flush()
            continue
        is_item = bool(
            stripped[:2] in ("- ", "* ", "+ ", "• ")
            or (
                stripped.split(" ", 1)[0].rstrip(".)").isdigit()
                and stripped[:1].isdigit()
                and " " in stripped
            )
        )
        if is_item:
            flush()
        current.append(stripped)
    flush()
    return out
