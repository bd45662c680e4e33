"""What a free-text reply means once read: the value, how sure the reading is, what to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Below this confidence the engine asks "did you mean ...?" before acting on a reading.
CONFIRM_BELOW = 0.75


@dataclass(frozen=True)
class ParsedAnswer:
    """What a reply means: ``kind`` is ``value``, ``not_sure`` or ``none`` (not understood)."""

    kind: Literal["value", "not_sure", "none"]
    value: str | float | None = None
    confidence: float = 0.0
    display: str = ""
    note: str = ""

    @property
    def needs_confirmation(self) -> bool:
        return self.kind == "value" and self.confidence < CONFIRM_BELOW


NOT_UNDERSTOOD = ParsedAnswer("none")
