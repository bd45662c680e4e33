"""The resolution report from the store: what each stored conversation was about and how it
ended, judged by ``resolution_report``, with the content gaps of its unanswered questions.

The CLI (``assist report resolution``), the console and the eval report call ``report(now)``;
the clock is the caller's, so a test (or a report over past scenarios) picks the moment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import ReportSettings
from bot.dialogue.contact import CONTACT_FLOW_ID
from bot.errors import AssistError
from bot.kb.embedder import Embedder
from bot.service.article_figures import ArticleSource, gather
from bot.service.content_gaps import ContentGap, find_gaps
from bot.service.kcs_rules import Catalogue, load_policy
from bot.service.kcs_views import ArticleReader
from bot.service.resolution_report import (
    ConversationFacts,
    HandoffFacts,
    ResolutionReport,
    build_report,
)
from bot.service.weeks import week_of
from bot.store.history import HandoffSummary, SessionSummary
from bot.store.store import Store

if TYPE_CHECKING:
    from bot.kb.service import KnowledgeBase


def _flow_of(state: Mapping[str, Any]) -> str | None:
    """The fault-isolation flow a stored state is about: the one being walked (or whose device
    is being chosen), else the one it ended with; never the built-in contact flow."""
    phase = state.get("phase") or {}
    candidates = (
        (phase.get("dialogue") or {}).get("flow_id"),
        phase.get("flow_id"),
        (state.get("diagnosis") or {}).get("flow_id"),
    )
    return next((f for f in candidates if f and f != CONTACT_FLOW_ID), None)


def conversation_facts(session: SessionSummary, handed_off: bool = False) -> ConversationFacts:
    """What the report needs of one stored conversation. Read leniently from the stored JSON, so
    a state written by an older version still counts."""
    state = session.state
    phase = state.get("phase") or {}
    abstained = state.get("kb_abstained") or ()
    return ConversationFacts(
        session_id=session.id,
        site_id=session.site_id,
        started_at=session.created_at,
        ended_at=session.updated_at,
        flow_id=_flow_of(state),
        asset_serial=state.get("asset_serial") or None,
        resolved=phase.get("kind") == "resolved",
        handed_off=handed_off or bool(phase.get("handoff_id")),
        abstained=tuple(str(q) for q in abstained),
    )


def handoff_facts(handoff: HandoffSummary) -> HandoffFacts:
    env = handoff.record.get("environment") or {}
    return HandoffFacts(
        handoff_id=handoff.id,
        site_id=handoff.site_id,
        at=handoff.created_at,
        asset_serial=env.get("asset_serial") or None,
    )


class ResolutionReports:
    """Builds the resolution report over a store. ``embedder`` groups unanswered questions into
    content gaps (none without one); ``articles`` gives the knowledge articles' counts in a
    period (``KnowledgeArticles.article_counts``), when there is an article service."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder | None = None,
        *,
        settings: ReportSettings | None = None,
        articles: ArticleSource | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or ReportSettings()
        self.articles = articles

    def facts(
        self, since: datetime | None = None
    ) -> tuple[list[ConversationFacts], list[HandoffFacts]]:
        """The stored conversations from ``since`` on, and the handoffs none of them opened."""
        sessions = self.store.history.sessions(since)
        handoffs = self.store.history.handoffs(since)
        ids = {s.id for s in sessions}
        with_handoff = {h.session_id for h in handoffs if h.session_id}
        conversations = [conversation_facts(s, s.id in with_handoff) for s in sessions]
        others = [handoff_facts(h) for h in handoffs if h.session_id not in ids]
        return conversations, others

    def gaps(self, questions: Sequence[str]) -> list[ContentGap]:
        """The biggest groups of ``questions`` (none without an embedder)."""
        if self.embedder is None or not questions:
            return []
        return find_gaps(
            questions,
            self.embedder,
            threshold=self.settings.gap_similarity,
            top=self.settings.gap_clusters,
        )

    def report(
        self,
        now: datetime,
        *,
        days: int | None = None,
        since: datetime | None = None,
        with_gaps: bool = True,
    ) -> ResolutionReport:
        """The report as of ``now``: a repeat contact must come within ``days`` (the setting by
        default) after the conversation ended."""
        conversations, handoffs = self.facts(since)
        questions = [q for c in conversations for q in c.abstained]
        articles = None
        if self.articles is not None:
            weeks = {week_of(c.started_at) for c in conversations}
            articles = gather(self.articles, weeks, since)
        return build_report(
            conversations,
            handoffs,
            now=now,
            days=days or self.settings.repeat_window_days,
            since=since,
            content_gaps=self.gaps(questions) if with_gaps else (),
            articles=articles,
        )


def unanswered(kb: KnowledgeBase, questions: Sequence[str]) -> list[str]:
    """The ``questions`` the knowledge base abstains on, as a site user would ask them (a
    question it refuses, too long for instance, counts as unanswered too)."""
    left = []
    for question in questions:
        try:
            abstained = kb.ask(question).abstained
        except AssistError:
            abstained = True
        if abstained:
            left.append(question)
    return left


def stored_article_counts(store: Store, policy_file: Path) -> ArticleSource:
    """The knowledge articles' counts read straight from the store, for a report made without
    the rest of the KCS desk (the CLI, the eval report); the console uses the runtime's
    ``KnowledgeArticles.article_counts``, which reads the same rows."""
    reader = ArticleReader(store.kcs, Catalogue(None, {}), load_policy(policy_file))
    return reader.counts
