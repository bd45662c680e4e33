"""Resolution measured honestly: which conversations really solved the problem.

A conversation is **contained** only when it ended resolved without a handoff *and* the same site
had no new fault conversation or handoff about the same device (about the same flow when either
names no device) within ``days`` after it ended. One that ended resolved
but whose problem came back is a **repeat contact**; one that reached an engineer is **handed
off**; everything else (knowledge questions, chats left half-way, closed ones) is **unresolved**.
A fault conversation is one that walked a flow or opened a handoff; a handoff that no listed
conversation opened (an import, another channel) counts as a contact too.

Pure: rows in, report out. ``now`` says which containments are still provisional (their window
has not passed yet: ``window_open``); nothing here reads a clock or a store.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.service.article_figures import NO_ARTICLES, ArticleFigures
from bot.service.content_gaps import ContentGap
from bot.service.weeks import week_of, week_start

Outcome = Literal["contained", "repeat", "handed_off", "unresolved"]
NO_FLOW = "(no flow)"


@dataclass(frozen=True)
class ConversationFacts:
    """What a report needs of one conversation (read from its stored state)."""

    session_id: str
    site_id: str
    started_at: datetime
    ended_at: datetime  # its last change: when it ended, for an ended one
    flow_id: str | None = None
    asset_serial: str | None = None
    resolved: bool = False  # it ended resolved (by the flow, or after an engineer)
    handed_off: bool = False  # it opened a handoff (whatever happened next)
    abstained: tuple[str, ...] = ()  # knowledge questions the assistant could not answer

    @property
    def is_fault(self) -> bool:
        return self.flow_id is not None or self.handed_off


@dataclass(frozen=True)
class HandoffFacts:
    """A handoff that no listed conversation opened: a contact about a site and device."""

    handoff_id: str
    site_id: str
    at: datetime
    asset_serial: str | None = None


@dataclass(frozen=True)
class Judged:
    """One conversation's outcome; ``repeat_by`` names the contact that came back."""

    facts: ConversationFacts
    outcome: Outcome
    window_open: bool = False
    repeat_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        f = self.facts
        return {
            "session_id": f.session_id,
            "site_id": f.site_id,
            "flow_id": f.flow_id,
            "asset_serial": f.asset_serial,
            "started_at": f.started_at.isoformat(),
            "ended_at": f.ended_at.isoformat(),
            "outcome": self.outcome,
            "window_open": self.window_open,
            "repeat_by": self.repeat_by,
            "abstained": list(f.abstained),
        }


@dataclass
class Tally:
    """The figures of one group of conversations (all, one flow, one week)."""

    conversations: int = 0
    contained: int = 0
    repeat_contacts: int = 0
    handed_off: int = 0
    unresolved: int = 0
    window_open: int = 0
    abstained_questions: int = 0

    def add(self, judged: Judged) -> None:
        self.conversations += 1
        self.abstained_questions += len(judged.facts.abstained)
        self.window_open += judged.window_open
        if judged.outcome == "contained":
            self.contained += 1
        elif judged.outcome == "repeat":
            self.repeat_contacts += 1
        elif judged.outcome == "handed_off":
            self.handed_off += 1
        else:
            self.unresolved += 1

    def to_json(self) -> dict[str, Any]:
        n = self.conversations
        reported = self.contained + self.repeat_contacts
        return {
            "conversations": n,
            "contained": self.contained,
            "repeat_contacts": self.repeat_contacts,
            "handed_off": self.handed_off,
            "unresolved": self.unresolved,
            "resolved_reported": reported,
            "window_open": self.window_open,
            "abstained_questions": self.abstained_questions,
            "containment_rate": round(self.contained / n, 4) if n else 0.0,
            "reported_resolution_rate": round(reported / n, 4) if n else 0.0,
        }


@dataclass(frozen=True)
class ResolutionReport:
    days: int
    generated_at: datetime
    since: datetime | None
    judged: tuple[Judged, ...]
    totals: Tally
    by_flow: dict[str, Tally]
    by_week: dict[str, Tally]
    content_gaps: tuple[ContentGap, ...] = ()
    articles: ArticleFigures | None = None  # None: no knowledge-article service
    notes: tuple[str, ...] = field(default=())

    def to_json(self, details: bool = False) -> dict[str, Any]:
        """The documented shape of ``assist report resolution --json`` (docs/architecture.md)."""
        data: dict[str, Any] = {
            "days": self.days,
            "generated_at": self.generated_at.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "definition": definition(self.days),
            "totals": {**self.totals.to_json(), **self._articles()},
            "by_flow": [{"flow_id": k, **t.to_json()} for k, t in self.by_flow.items()],
            "by_week": [
                {
                    "week": k,
                    "week_start": week_start(k).isoformat(),
                    **t.to_json(),
                    **self._articles(k),
                }
                for k, t in self.by_week.items()
            ],
            "content_gaps": [g.to_json() for g in self.content_gaps],
            "articles": self.articles.to_json() if self.articles else dict(NO_ARTICLES),
            "notes": list(self.notes),
        }
        if details:
            data["conversations"] = [j.to_json() for j in self.judged]
        return data

    def _articles(self, week: str | None = None) -> dict[str, int]:
        a = self.articles or ArticleFigures()
        if week is None:
            return {"articles_created": a.created, "article_uses": a.used}
        return {
            "articles_created": a.created_by_week.get(week, 0),
            "article_uses": a.used_by_week.get(week, 0),
        }


def definition(days: int) -> str:
    return (
        "contained: ended resolved without a handoff, and the same site had no new fault "
        f"conversation or handoff about the same device (the same flow when no device is known) "
        f"within {days} days after it ended"
    )


@dataclass(frozen=True)
class _Contact:
    ref: str  # a session id or a handoff id
    at: datetime
    asset: str | None
    flow: str | None


def _same_problem(subject: ConversationFacts, contact: _Contact) -> bool:
    if subject.asset_serial and contact.asset:
        return contact.asset == subject.asset_serial
    return subject.flow_id is not None and contact.flow == subject.flow_id


def _contacts(
    conversations: Sequence[ConversationFacts], handoffs: Sequence[HandoffFacts]
) -> dict[str, list[_Contact]]:
    """Fault contacts per site, oldest first."""
    by_site: dict[str, list[_Contact]] = {}
    for c in conversations:
        if c.is_fault:
            contact = _Contact(c.session_id, c.started_at, c.asset_serial, c.flow_id)
            by_site.setdefault(c.site_id, []).append(contact)
    for h in handoffs:
        by_site.setdefault(h.site_id, []).append(_Contact(h.handoff_id, h.at, h.asset_serial, None))
    for contacts in by_site.values():
        contacts.sort(key=lambda c: (c.at, c.ref))
    return by_site


def judge(
    conversations: Sequence[ConversationFacts],
    handoffs: Sequence[HandoffFacts],
    *,
    now: datetime,
    days: int,
) -> list[Judged]:
    """Each conversation's outcome (see the module's definitions), in the given order."""
    window = timedelta(days=days)
    by_site = _contacts(conversations, handoffs)
    times = {site: [c.at for c in contacts] for site, contacts in by_site.items()}
    judged: list[Judged] = []
    for c in conversations:
        if c.handed_off:
            judged.append(Judged(c, "handed_off"))
            continue
        if not c.resolved:
            judged.append(Judged(c, "unresolved"))
            continue
        site_times = times.get(c.site_id, [])
        # the contacts strictly after the end, up to the end of the window
        first = bisect_right(site_times, c.ended_at)
        last = bisect_right(site_times, c.ended_at + window)
        back = next(
            (
                later.ref
                for later in by_site.get(c.site_id, [])[first:last]
                if later.ref != c.session_id and _same_problem(c, later)
            ),
            None,
        )
        if back is not None:
            judged.append(Judged(c, "repeat", repeat_by=back))
        else:
            judged.append(Judged(c, "contained", window_open=now < c.ended_at + window))
    return judged


def build_report(
    conversations: Sequence[ConversationFacts],
    handoffs: Sequence[HandoffFacts] = (),
    *,
    now: datetime,
    days: int,
    since: datetime | None = None,
    content_gaps: Iterable[ContentGap] = (),
    articles: ArticleFigures | None = None,
) -> ResolutionReport:
    """The report over ``conversations`` (and handoffs no conversation opened), as of ``now``."""
    if days < 1:
        raise ValueError("the repeat window is at least one day")
    judged = judge(conversations, handoffs, now=now, days=days)
    totals, by_flow, by_week = Tally(), dict[str, Tally](), dict[str, Tally]()
    for j in sorted(judged, key=lambda j: (j.facts.started_at, j.facts.session_id)):
        totals.add(j)
        by_flow.setdefault(j.facts.flow_id or NO_FLOW, Tally()).add(j)
        by_week.setdefault(week_of(j.facts.started_at), Tally()).add(j)
    if articles is not None:
        for week in (*articles.created_by_week, *articles.used_by_week):
            by_week.setdefault(week, Tally())
    notes = []
    if articles is None:
        notes.append("no knowledge articles yet: articles created/used are zero")
    if totals.window_open:
        notes.append(
            f"{totals.window_open} contained conversation(s) ended less than {days} days "
            "before the report: a repeat contact may still come"
        )
    return ResolutionReport(
        days=days,
        generated_at=now,
        since=since,
        judged=tuple(judged),
        totals=totals,
        by_flow=dict(sorted(by_flow.items(), key=lambda kv: (-kv[1].conversations, kv[0]))),
        by_week=dict(sorted(by_week.items(), key=lambda kv: week_start(kv[0]))),
        content_gaps=tuple(content_gaps),
        articles=articles,
        notes=tuple(notes),
    )
