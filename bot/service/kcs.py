"""KCS articles from engineers' resolutions: the solve loop (capture when resolving, link instead of
duplicating), review (edit, publish, reject, engineer-only) and the counts reports read.

Every change validates first (``kcs_rules.check``: nothing is written when a rule is broken) and
is all or nothing: a resolution's draft is written in the move's own transaction; a change that
touches the knowledge base (publish, a published article edited, rejected or re-audienced)
writes the index first and the article after, and puts the index back if the article cannot be
written. The API, the CLI and the workspace call this; none touches the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.dialogue.state import SiteContext
from bot.errors import KcsError, SessionError
from bot.kb.embedder import Embedder
from bot.service.engineers import EngineerDesk, Handoff, Move
from bot.service.identity import Engineer
from bot.service.kcs_index import KcsIndex, render_article
from bot.service.kcs_match import ArticleFinder
from bot.service.kcs_rules import Catalogue, KcsPolicy, article_id, article_number, check
from bot.service.kcs_views import ArticleCounts, ArticleReader, ArticleView
from bot.store.kcs import ArticleFields, ArticleWrite, KcsRows, StoredArticle

__all__ = ["ArticleCounts", "ArticleFields", "ArticleView", "KnowledgeArticles"]
MAX_REASON = 1000
_KEEP = object()  # the index is left as it is


class KnowledgeArticles:
    """The KCS desk: articles from resolutions, their review, and their counters."""

    def __init__(
        self,
        *,
        rows: KcsRows,
        desk: EngineerDesk | None,
        catalogue: Catalogue,
        policy: KcsPolicy,
        index: KcsIndex,
        embedder: Embedder,
        finder: ArticleFinder | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.rows = rows
        self.desk = desk
        self.catalogue = catalogue
        self.policy = policy
        self.index = index
        self.embedder = embedder
        self.clock = clock
        self.reader = ArticleReader(rows, catalogue, policy)
        self.finder = finder or ArticleFinder(self.reader.published, embedder, policy)

    # --- reading -----------------------------------------------------------------------------
    def view(self, article: str | int) -> ArticleView:
        return self.reader.view(_number(article))

    def views(self, status: str | None = None, handoff_id: str | None = None) -> list[ArticleView]:
        if status not in (None, "draft", "published", "rejected"):
            raise KcsError(f"status must be draft, published or rejected, not {status!r}")
        return self.reader.views(status, handoff_id)

    def article_counts(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[ArticleCounts]:
        """Per article: id, status, created_at, and its uses in ``[since, until)`` (offered,
        suggested, resolved, failed, handed_off; ``used`` = offered + suggested) and linked
        handoffs: what a report of articles created and used needs."""
        return self.reader.counts(since, until)

    def linked_articles(self) -> dict[str, list[str]]:
        """handoff id -> the ids of the articles linked to it."""
        linked: dict[str, list[str]] = {}
        for link in self.rows.links():
            linked.setdefault(link.handoff_id, []).append(article_id(link.article))
        return linked

    def similar(self, handoff_id: str, limit: int = 5) -> list[tuple[ArticleView, float]]:
        """Articles an engineer resolving ``handoff_id`` should link to rather than duplicate."""
        handoff = self._handoff(handoff_id)
        env = handoff.record.get("environment") or {}
        context = SiteContext(
            product=env.get("asset_product"),
            model=env.get("asset_model"),
            firmware=env.get("firmware"),
        )
        text = str(handoff.record.get("issue") or "")
        return self.reader.similar(self.embedder, context, text, self._ending(handoff), limit)

    # --- the solve loop ----------------------------------------------------------------------
    def resolve(
        self,
        handoff_id: str,
        engineer: Engineer,
        note: str,
        *,
        article: ArticleFields | None = None,
        link: str | None = None,
    ) -> tuple[Handoff, ArticleView | None]:
        """Resolve the handoff with a new draft article (``article``) or linked to an existing
        one (``link``), in the move's transaction; the article is checked first, so a bad one
        leaves the case unresolved."""
        if article is not None and link:
            raise KcsError("give a new article or the article to link to, not both")
        handoff = self._handoff(handoff_id)
        flow_id, end_step = self._ending(handoff)
        write = None
        if article is not None:
            fields = check(article, self.catalogue, self.policy)
            write = ArticleWrite(handoff_id, engineer.id, self.clock(), fields=fields)
        elif link:
            existing = self.reader.article(article_number(link))
            if existing.status == "rejected":
                raise KcsError(
                    f"{article_id(existing.number)} was rejected ({existing.rejected_reason}); "
                    "link another article or write a new one",
                    code="kcs_conflict",
                )
            write = ArticleWrite(handoff_id, engineer.id, self.clock(), article=existing.number)
        if write is not None:
            write = replace(write, flow_id=flow_id, end_step=end_step)
        moved = self._chats().move(
            handoff_id, Move.RESOLVE, engineer=engineer, note=note, article=write
        )
        if write is None:
            return moved, None
        self.finder.forget()
        linked = self.reader.views(handoff_id=handoff_id)
        return moved, linked[0] if linked else None

    # --- review ------------------------------------------------------------------------------
    def edit(self, article: str | int, fields: ArticleFields, engineer: Engineer) -> ArticleView:
        """New wording or environment; the article becomes a draft again (a published one
        leaves the knowledge base until it is published again)."""
        current = self.reader.article(_number(article))
        clean = check(fields, self.catalogue, self.policy)
        changes = {**_as_changes(clean), "status": "draft", "rejected_reason": None}
        index = None if current.status == "published" else _KEEP
        return self._apply(current, changes, index)

    def publish(self, article: str | int, engineer: Engineer) -> ArticleView:
        """Check, write into the knowledge base (doc type kcs), then mark published with today
        as its review day; a failure at any step leaves it a draft and says why."""
        current = self.reader.article(_number(article))
        if current.status != "draft":
            raise KcsError(
                f"{article_id(current.number)} is {current.status}; only a draft can be published"
                + (" (edit it to make it a draft again)" if current.status == "rejected" else ""),
                code="kcs_conflict",
            )
        fields = check(current.fields, self.catalogue, self.policy)
        now = self.clock()
        changes = {
            **_as_changes(fields),
            "status": "published",
            "reviewed_by": engineer.id,
            "reviewed_at": now,
            "rejected_reason": None,
        }
        return self._apply(current, changes, self._render(current.number, fields, now))

    def reject(self, article: str | int, engineer: Engineer, why: str) -> ArticleView:
        """Reject a draft, or withdraw a published article from the knowledge base, saying why."""
        reason = " ".join((why or "").split())
        if not reason:
            raise KcsError("why: say why the article is rejected")
        if len(reason) > MAX_REASON:
            raise KcsError(f"why: {len(reason)} characters; the limit is {MAX_REASON}")
        current = self.reader.article(_number(article))
        if current.status == "rejected":
            raise KcsError(f"{article_id(current.number)} is already rejected", code="kcs_conflict")
        changes = {
            "status": "rejected",
            "rejected_reason": reason,
            "reviewed_by": engineer.id,
            "reviewed_at": self.clock(),
        }
        return self._apply(current, changes, None if current.status == "published" else _KEEP)

    def set_customer_safe(
        self, article: str | int, engineer: Engineer, customer_safe: bool
    ) -> ArticleView:
        """Mark an article engineer-only (or customer-safe again, after the internal-tool
        check); a published one is re-written into the knowledge base with its new audience."""
        current = self.reader.article(_number(article))
        if current.status == "rejected":
            raise KcsError(f"{article_id(current.number)} is rejected", code="kcs_conflict")
        fields = check(
            replace(current.fields, customer_safe=customer_safe), self.catalogue, self.policy
        )
        index: object = _KEEP
        if current.status == "published" and current.reviewed_at is not None:
            index = self._render(current.number, fields, current.reviewed_at)
        return self._apply(current, {"customer_safe": customer_safe}, index)

    # --- helpers -----------------------------------------------------------------------------
    def _render(self, number: int, fields: ArticleFields, reviewed: datetime) -> str:
        versions = self.catalogue.versions_in(
            fields.product, fields.firmware_from, fields.firmware_to
        )
        return render_article(number, fields, reviewed.date(), versions)

    def _published_text(self, article: StoredArticle) -> str | None:
        if article.status != "published" or article.reviewed_at is None:
            return None
        return self._render(article.number, article.fields, article.reviewed_at)

    def _apply(self, current: StoredArticle, changes: dict[str, Any], index: object) -> ArticleView:
        """Index first (``_KEEP``: untouched; None: removed; text: written), then the article;
        the index is put back when the article cannot be written."""
        if index is not _KEEP:
            self.index.put(current.number, index if isinstance(index, str) else None)
        try:
            self.rows.update(current.number, current.revision, self.clock(), changes)
        except Exception:
            if index is not _KEEP:
                self.index.put(current.number, self._published_text(current))
            raise
        self.finder.forget()
        return self.reader.view(current.number)

    def _chats(self) -> EngineerDesk:
        if self.desk is None:
            raise KcsError("handoffs are not available here (the article desk runs without chats)")
        return self.desk

    def _handoff(self, handoff_id: str) -> Handoff:
        found = self._chats().handoff(handoff_id)
        if found is None:
            raise KcsError(f"no handoff {handoff_id}", code="kcs_not_found")
        return found

    def _ending(self, handoff: Handoff) -> tuple[str | None, str | None]:
        """The flow the handoff's chat walked and the fault outcome it ended at."""
        if not handoff.session_id:
            return None, None
        try:
            diagnosis = self._chats().assistant.open_by_id(handoff.session_id).state.diagnosis
        except SessionError:
            return None, None
        if diagnosis is None:
            return None, None
        outcome = diagnosis.outcome
        end = outcome.step_id if outcome is not None and outcome.outcome == "fault" else None
        return diagnosis.flow_id, end


def _number(article: str | int) -> int:
    return article if isinstance(article, int) else article_number(article)


def _as_changes(fields: ArticleFields) -> dict[str, Any]:
    return {
        "title": fields.title,
        "product": fields.product,
        "model": fields.model,
        "firmware_from": fields.firmware_from,
        "firmware_to": fields.firmware_to,
        "symptom": fields.symptom,
        "cause": fields.cause,
        "fix": fields.fix,
        "customer_safe": fields.customer_safe,
    }
