"""A chat transcript as Markdown, every stored string escaped so it renders as literal text.

User text (and bot text, which may quote it) goes through ``escape_markdown``: a ``<script>``, a
``[link](javascript:...)``, a ``# heading``, backticks or pipes stay words on the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.escalation.handoff_text import escape_markdown as e

_WHO = {"user": "Site user", "bot": "Assistant", "engineer_hand_back": "Engineer"}


def _quote(text: str) -> list[str]:
    """A block quote of ``text``, each line escaped and its line breaks kept (as hard breaks)."""
    lines = e(text, inline=False).split("\n")
    return [
        (f"> {line}" + ("  " if i + 1 < len(lines) and lines[i + 1] else "")) if line else ">"
        for i, line in enumerate(lines)
    ]


def _body(event: Mapping[str, Any]) -> list[str]:
    kind = event.get("kind")
    if kind == "user":
        if event.get("text") is not None:
            return _quote(str(event["text"]))
        return [f"> *chose:* {e(str(event.get('choice') or ''))}"]
    if kind == "engineer_hand_back":
        step = event.get("step")
        return [f"> *handed the case back*{f' at step {e(str(step))}' if step else ''}"]
    lines = _quote(str(event.get("text") or ""))
    choices = [c for c in event.get("choices") or [] if isinstance(c, Mapping)]
    if choices:
        labels = "; ".join(e(str(c.get("label") or c.get("id") or "")) for c in choices)
        lines += [">", f"> *Choices:* {labels}"]
    citations = [c for c in event.get("citations") or [] if isinstance(c, Mapping)]
    if citations:
        lines += [">", "> *Sources:*", ">"]
        for n, cite in enumerate(citations, 1):
            version = f", version {e(str(cite['version']))}" if cite.get("version") else ""
            lines.append(
                f"> {n}. {e(str(cite.get('title') or ''))}{version} ({e(str(cite.get('source') or ''))})"
            )
    return lines


def render_transcript(
    session_id: str,
    site_name: str,
    state: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
) -> str:
    """The session's transcript, oldest first, as a Markdown document."""
    lines = [
        f"# Chat transcript {e(session_id)}",
        "",
        f"- **Site:** {e(site_name)}",
        f"- **Status:** {e(str(state.get('status')))}",
    ]
    if state.get("handoff_id"):
        lines.append(f"- **Handoff:** {e(str(state['handoff_id']))}")
    for event in events:
        kind = str(event.get("kind"))
        who = _WHO.get(kind) or e(kind)
        lines += ["", f"**{who}** ({e(str(event.get('at', '')))}):", "", *_body(event)]
    return "\n".join(lines) + "\n"
