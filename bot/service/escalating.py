"""From a conversation to a handoff: what the flow found becomes the contract decision and the
KCS record. Pure: the accounts, the conversation's facts and ``now`` go in, a ``Decision`` and an
``OpenedHandoff`` come out; saving them is the turn's job."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.dialogue.contact import ContactDetails
from bot.dialogue.people import display_phone
from bot.dialogue.state import DialogueState
from bot.escalation.accounts import Accounts
from bot.escalation.decision import Category, RemoteResolution
from bot.escalation.entitlements import decide
from bot.escalation.handoff import (
    ArticleNote,
    DiagnosticStep,
    SiteRepresentative,
    SuspectedCause,
    compose_handoff,
)
from bot.kb.citation import Citation
from bot.service.outcome import OpenedHandoff


@dataclass(frozen=True)
class CaseFacts:
    """What the conversation knows when it hands off: ``identification`` says how the device was
    found, ``hazard`` a safety hazard the user reported (an urgent, P1 case)."""

    site_id: str
    serial: str
    issue: str
    diagnosis: DialogueState | None
    contact: ContactDetails | None
    kb_sources: tuple[Citation, ...]
    identification: str | None = None
    hazard: str | None = None
    unregistered: str | None = None  # why the device at fault is not the recorded asset
    articles: tuple[ArticleNote, ...] = ()  # KCS articles tried in the chat or for the engineer


def category_of(diagnosis: DialogueState | None) -> tuple[Category, RemoteResolution]:
    """The fault class a flow isolated (remote troubleshooting failed), or unknown (not tried)."""
    outcome = diagnosis.outcome if diagnosis else None
    if outcome and outcome.outcome == "fault":
        return Category(outcome.category or "unknown"), RemoteResolution.FAILED
    return Category.UNKNOWN, RemoteResolution.NOT_ATTEMPTED


def _cause(
    diagnosis: DialogueState | None,
    category: Category,
    hazard: str | None,
    unregistered: str | None = None,
) -> SuspectedCause | None:
    if unregistered and diagnosis and diagnosis.outcome:
        return SuspectedCause(
            summary=f"{diagnosis.outcome.summary} The {unregistered}, so no part is arranged "
            "automatically.",
            confidence=0.6,
            category=Category(diagnosis.outcome.category or "unknown"),
        )
    if hazard:
        return SuspectedCause(
            summary=f"Safety hazard reported by the site ({hazard}); the user was told to switch "
            "off at the wall only if safe and to keep away.",
            confidence=0.9,
            category=category,
        )
    outcome = diagnosis.outcome if diagnosis else None
    if diagnosis and outcome and outcome.outcome == "fault":
        confidence = 0.7 if diagnosis.history else 0.4
        return SuspectedCause(summary=outcome.summary, confidence=confidence, category=category)
    if diagnosis and diagnosis.escalation_reason:
        return SuspectedCause(
            summary=f"Not isolated: {diagnosis.escalation_reason}",
            confidence=0.2,
            category=Category.UNKNOWN,
        )
    return None


def _representative(
    contact: ContactDetails | None, country: str | None
) -> SiteRepresentative | None:
    if contact is None:
        return None
    return SiteRepresentative(
        name=contact.name,
        phone=contact.phone,
        phone_display=display_phone(contact.phone, country) if contact.phone else None,
        on_site=contact.on_site,
        available_for_duration=contact.available,
    )


def open_handoff(
    accounts: Accounts,
    facts: CaseFacts,
    now: datetime,
    *,
    latest_versions: Mapping[str, str],
    sinks: Sequence[str],
) -> OpenedHandoff:
    """Decide under the site's contract and compose the record (with its part returns)."""
    site = accounts.site(facts.site_id)
    category, remote = category_of(facts.diagnosis)
    if facts.unregistered:  # no part of an unlisted device is promised: the engineer decides
        category = Category.UNKNOWN
    decision = decide(
        accounts,
        facts.site_id,
        facts.serial,
        category,
        remote,
        False,
        now,
        now,
        latest_versions=latest_versions,
    )
    diagnosis = facts.diagnosis
    diagnostics = tuple(
        DiagnosticStep(step_id=t.step_id, question=t.question, answer=t.answer, at=t.at)
        for t in (diagnosis.history if diagnosis else ())
    )
    room = (diagnosis.slots.get("room") if diagnosis else None) or None
    record, returns = compose_handoff(
        accounts,
        decision,
        issue=facts.issue,
        created_at=now,
        diagnostics=diagnostics,
        suspected_cause=_cause(diagnosis, category, facts.hazard, facts.unregistered),
        kb_sources=facts.kb_sources,
        site_representative=_representative(facts.contact, site.country if site else None),
        impact="room_down" if facts.hazard else None,
        room=room,
        identification=facts.identification,
        articles=facts.articles,
    )
    return OpenedHandoff(record, returns, tuple(sinks))
