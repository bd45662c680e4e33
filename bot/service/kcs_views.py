"""The read side of KCS articles: an article as reviewers see it (fields, linked handoffs,
counters, the review flag, the releases its firmware range covers), the published articles as
matching needs them, per-article counts for reports, and the articles similar to a handoff.

An article is flagged for review when, since its last review, its fix failed at least
``review.min_failures`` times and more often than it worked; a flagged article is not offered
to site users until it is edited and published again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.dialogue.state import SiteContext
from bot.errors import KcsError
from bot.kb.embedder import Embedder
from bot.service.kcs_match import Published, cosine
from bot.service.kcs_rules import Catalogue, KcsPolicy, article_id
from bot.store.kcs import ArticleFields, KcsRows, StoredArticle, StoredLink, UseCounts


@dataclass(frozen=True)
class ArticleCounts:
    """How an article was used: ``offered`` to site users, ``suggested`` to engineers,
    conversations it ``resolved``, fixes that ``failed``, conversations that were ``handed_off``
    after trying it, and the handoffs ``linked`` to it by engineers."""

    article_id: str
    status: str
    created_at: datetime
    offered: int = 0
    suggested: int = 0
    resolved: int = 0
    failed: int = 0
    handed_off: int = 0
    linked: int = 0

    @property
    def used(self) -> int:
        return self.offered + self.suggested


@dataclass(frozen=True)
class ArticleView:
    id: str
    number: int
    status: str
    fields: ArticleFields
    revision: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    rejected_reason: str | None
    handoffs: tuple[StoredLink, ...]
    counts: ArticleCounts
    flagged: bool
    flag_reason: str | None
    versions: tuple[str, ...]

    @property
    def source(self) -> str | None:
        """The document a published article is cited by."""
        return f"{self.id}.md" if self.status == "published" else None


def flag(since_review: UseCounts, policy: KcsPolicy) -> str | None:
    """Why the article needs a review, or None."""
    failed, worked = since_review["failed"], since_review["resolved"]
    if failed >= policy.review.min_failures and failed > worked:
        return (
            f"the fix failed {failed} times since the last review and worked {worked} "
            f"{'time' if worked == 1 else 'times'}"
        )
    return None


def _counts(article: StoredArticle, uses: UseCounts, linked: int) -> ArticleCounts:
    return ArticleCounts(
        article_id(article.number),
        article.status,
        article.created_at,
        offered=uses["offered"],
        suggested=uses["suggested"],
        resolved=uses["resolved"],
        failed=uses["failed"],
        handed_off=uses["handed_off"],
        linked=linked,
    )


class ArticleReader:
    """Articles with their links and counters, over the store's KCS rows."""

    def __init__(self, rows: KcsRows, catalogue: Catalogue, policy: KcsPolicy) -> None:
        self.rows = rows
        self.catalogue = catalogue
        self.policy = policy

    def article(self, number: int) -> StoredArticle:
        found = self.rows.get(number)
        if found is None:
            raise KcsError(f"no article {article_id(number)}", code="kcs_not_found")
        return found

    def view(self, number: int) -> ArticleView:
        return self._views([self.article(number)])[0]

    def views(self, status: str | None = None, handoff_id: str | None = None) -> list[ArticleView]:
        """Articles newest first; those of ``status``, or linked to ``handoff_id``."""
        numbers = None
        if handoff_id is not None:
            numbers = {link.article for link in self.rows.links(handoff_id=handoff_id)}
        return self._views(self.rows.all(status, numbers))

    def _views(self, articles: Sequence[StoredArticle]) -> list[ArticleView]:
        numbers = [a.number for a in articles]
        uses = self.rows.counts(numbers)
        recent = self.rows.counts_since_review()
        links = self.rows.links()
        views = []
        for a in articles:
            linked = tuple(link for link in links if link.article == a.number)
            reason = flag(recent.get(a.number, UseCounts()), self.policy)
            f = a.fields
            views.append(
                ArticleView(
                    id=article_id(a.number),
                    number=a.number,
                    status=a.status,
                    fields=f,
                    revision=a.revision,
                    created_by=a.created_by,
                    created_at=a.created_at,
                    updated_at=a.updated_at,
                    reviewed_by=a.reviewed_by,
                    reviewed_at=a.reviewed_at,
                    rejected_reason=a.rejected_reason,
                    handoffs=linked,
                    counts=_counts(a, uses.get(a.number, UseCounts()), len(linked)),
                    flagged=reason is not None and a.status == "published",
                    flag_reason=reason if a.status == "published" else None,
                    versions=tuple(
                        self.catalogue.versions_in(f.product, f.firmware_from, f.firmware_to)
                    ),
                )
            )
        return views

    def published(self) -> list[Published]:
        """Published articles with where their linked conversations ended, how many cases they
        fixed (linked handoffs and conversations they resolved) and their review flag."""
        articles = self.rows.all("published")
        if not articles:
            return []
        uses = self.rows.counts([a.number for a in articles])
        recent = self.rows.counts_since_review()
        links = self.rows.links()
        found = []
        for a in articles:
            flows: dict[str, list[str]] = {}
            mine = [link for link in links if link.article == a.number]
            for link in mine:
                if link.flow_id:
                    steps = flows.setdefault(link.flow_id, [])
                    if link.end_step and link.end_step not in steps:
                        steps.append(link.end_step)
            fixed = len(mine) + uses.get(a.number, UseCounts())["resolved"]
            flagged = flag(recent.get(a.number, UseCounts()), self.policy) is not None
            found.append(Published(a, {k: tuple(v) for k, v in flows.items()}, fixed, flagged))
        return found

    def counts(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[ArticleCounts]:
        """Per article: its status and creation time, and its uses within ``[since, until)``
        (all time when not given); for reports of articles created and used."""
        articles = self.rows.all()
        uses = self.rows.counts([a.number for a in articles], since, until)
        linked = self.rows.link_counts()
        return [
            _counts(a, uses.get(a.number, UseCounts()), linked.get(a.number, 0)) for a in articles
        ]

    def similar(
        self,
        embedder: Embedder,
        context: SiteContext,
        text: str,
        flow: tuple[str | None, str | None],
        limit: int = 5,
    ) -> list[tuple[ArticleView, float]]:
        """Drafts and published articles of the same product line (and model, when both name
        one) closest to ``text``, with a small lift for the same flow and end step: the ones to
        link a resolution to instead of writing a duplicate."""
        flow_id, end_step = flow
        candidates = [
            a
            for a in self.rows.all()
            if a.status != "rejected"
            and (not context.product or a.fields.product == context.product)
            and not (a.fields.model and context.model and a.fields.model != context.model.upper())
        ]
        if not candidates or not text.strip():
            return []
        vectors = embedder.embed_documents([a.fields.symptom for a in candidates])
        query = embedder.embed_query(text)
        links = self.rows.links()
        scored = []
        for a, vector in zip(candidates, vectors, strict=True):
            score = cosine(vector, query)
            mine = [link for link in links if link.article == a.number]
            if flow_id and any(link.flow_id == flow_id for link in mine):
                score += 0.1
                if end_step and any(link.end_step == end_step for link in mine):
                    score += 0.1
            scored.append((a, round(score, 4)))
        scored.sort(key=lambda pair: pair[1], reverse=True)
        top = scored[:limit]
        views = {v.number: v for v in self._views([a for a, _ in top])}
        return [(views[a.number], score) for a, score in top]
