"""The one citation type: a knowledge-base passage named as a reader can find it again.

It travels unchanged from the answer composer to the chat message, the transcript event, the
handoff record and the API schema, and serialises to ``{"n", "title", "source", "version",
"section", "quote"}`` (the JSON that widget, console and checks read).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Citation(BaseModel):
    """A passage consulted: its number in the answer (``n``, the ``[n]`` markers), the document's
    title and ``source`` (the path relative to the ingested folder), version, section and the
    quoted words."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n: int | None = None
    title: str
    source: str
    version: str | None = None
    section: str | None = None
    quote: str = ""

    def numbered(self, n: int) -> Citation:
        """The same citation under another number (answers renumber what they cite)."""
        return self.model_copy(update={"n": n})

    def label(self) -> str:
        """Title, then version and section when known: "CX Codec 9.4.1 Release Notes, 9.4.1"."""
        parts = [self.title, self.version or "", self.section or ""]
        return ", ".join(p for p in parts if p)
