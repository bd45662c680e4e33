"""The conversational end of escalation: collect the site representative, then decide and record.

``rep_question`` and ``read_rep_answer`` are pure; ``open_handoff`` applies the entitlement rules,
builds the KCS record and stores it (with part returns and outbox deliveries) in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.dialogue.answers import parse_yes_no
from bot.dialogue.state import Choice, DialogueState, Message
from bot.escalation.accounts import Accounts
from bot.escalation.decision import ActionKind, Category, RemoteResolution
from bot.escalation.entitlements import decide
from bot.escalation.handoff import (
    Citation,
    DiagnosticStep,
    HandoffRecord,
    SiteRepresentative,
    SuspectedCause,
    build_handoff,
)
from bot.store.store import Store

REP_STEPS = ("name", "phone", "on_site", "available")
_YES_NO = (Choice(id="yes", label="Yes"), Choice(id="no", label="No"))
_PHONE = re.compile(r"^\+?[\d\s().\-/]{6,25}$")


def rep_question(step: str, collected: Mapping[str, Any]) -> Message:
    name = str(collected.get("name") or "this person")
    questions = {
        "name": "Before I hand this to an engineer: who on site will work the problem with them? "
        "Please type their name.",
        "phone": f"What phone number can the engineer call {name} on?",
        "on_site": f"Is {name} on site now, next to the equipment?",
        "available": f"Can {name} stay available for the whole troubleshooting and repair?",
    }
    choices = _YES_NO if step in ("on_site", "available") else ()
    return Message(type="question", text=questions[step], choices=choices)


def read_rep_answer(step: str, text: str | None, choice: str | None) -> tuple[Any, str | None]:
    """The value for ``step``, or None and the reason it was not accepted."""
    raw = (choice or text or "").strip()
    if step == "name":
        if not 2 <= len(raw) <= 100:
            return None, "Please type the name of the person on site (2 to 100 characters)."
        return raw, None
    if step == "phone":
        if not _PHONE.match(raw) or sum(c.isdigit() for c in raw) < 6:
            return None, "That does not look like a phone number; please type it with its digits."
        return raw, None
    if choice in ("yes", "no"):
        return choice == "yes", None
    parsed = parse_yes_no(raw)
    if parsed.kind == "value" and parsed.value in ("yes", "no"):
        return parsed.value == "yes", None
    return None, "Please answer yes or no."


def open_handoff(
    *,
    accounts: Accounts,
    store: Store,
    site_id: str,
    serial: str,
    session_id: str,
    issue: str,
    dialogue: DialogueState | None,
    rep: Mapping[str, Any],
    kb_sources: Sequence[Mapping[str, Any]],
    latest_versions: Mapping[str, str],
    sinks: Sequence[str],
    now: datetime,
) -> HandoffRecord:
    """Decide, build and store the handoff; returns the record (its ``user_summary`` is for the user)."""
    outcome = dialogue.outcome if dialogue else None
    if outcome and outcome.outcome == "fault":
        category, remote = Category(outcome.category or "unknown"), RemoteResolution.FAILED
    else:
        category, remote = Category.UNKNOWN, RemoteResolution.NOT_ATTEMPTED
    decision = decide(
        accounts,
        site_id,
        serial,
        category,
        remote,
        False,
        now,
        now,
        latest_versions=latest_versions,
    )
    diagnostics = tuple(
        DiagnosticStep(step_id=t.step_id, question=t.question, answer=t.answer, at=t.at)
        for t in (dialogue.history if dialogue else ())
    )
    cause = None
    if outcome and outcome.outcome == "fault":
        cause = SuspectedCause(
            summary=outcome.summary, confidence=0.7 if diagnostics else 0.4, category=category
        )
    elif dialogue and dialogue.escalation_reason:
        cause = SuspectedCause(
            summary=f"Not isolated: {dialogue.escalation_reason}",
            confidence=0.2,
            category=Category.UNKNOWN,
        )
    citations = tuple(
        Citation(
            title=str(c.get("title", "")),
            source=str(c.get("source", "")),
            version=c.get("version"),
            section=c.get("section"),
        )
        for c in kb_sources
    )
    representative = SiteRepresentative(
        name=str(rep["name"]),
        phone=str(rep["phone"]),
        on_site=bool(rep["on_site"]),
        available_for_duration=bool(rep["available"]),
    )
    room = (dialogue.slots.get("room") if dialogue else None) or None
    record = build_handoff(
        accounts,
        decision,
        issue=issue,
        created_at=now,
        diagnostics=diagnostics,
        suspected_cause=cause,
        kb_sources=citations,
        site_representative=representative,
        room=room,
    )
    returns = [
        (serial, a.dispatch_date, a.return_due_date)
        for a in decision.actions
        if a.kind is ActionKind.SHIP_REPLACEMENT and a.dispatch_date and a.return_due_date
    ]
    store.add_handoff(
        record.id,
        session_id=session_id,
        site_id=site_id,
        priority=record.priority,
        category=category.value,
        record=record.model_dump(mode="json"),
        markdown=record.to_markdown(),
        at=now,
        returns=returns,
        deliveries=sinks,
    )
    return record
