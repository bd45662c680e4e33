"""KCS articles as rows: the articles, the handoffs linked to them and their uses.

The store knows rows, not rules: validation, numbering words ("KCS-0007") and what a count means
are the service's. A new draft and its first link are written inside the resolving move's own
transaction (``write_in``), and uses inside the conversation turn's (``add_uses_in``), so neither
can exist without the other.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import ConflictError, StoreError
from bot.store.tables import KcsArticleRow, KcsLinkRow, KcsUseRow, as_utc

USE_KINDS = ("offered", "suggested", "resolved", "failed", "handed_off")
_EDITABLE = frozenset(
    {
        "status", "title", "product", "model", "firmware_from", "firmware_to", "symptom",
        "cause", "fix", "customer_safe", "reviewed_by", "reviewed_at", "rejected_reason",
    }
)  # fmt: skip


@dataclass(frozen=True)
class ArticleFields:
    """What an engineer writes: the environment, the symptom, the cause, the fix."""

    title: str
    product: str
    model: str | None
    firmware_from: str | None
    firmware_to: str | None
    symptom: str
    cause: str
    fix: tuple[str, ...]
    customer_safe: bool


@dataclass(frozen=True)
class StoredArticle:
    number: int
    status: str
    fields: ArticleFields
    revision: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    rejected_reason: str | None = None


@dataclass(frozen=True)
class StoredLink:
    article: int
    handoff_id: str
    flow_id: str | None
    end_step: str | None
    linked_by: str
    linked_at: datetime


@dataclass(frozen=True)
class ArticleWrite:
    """Written with a resolving move: a new draft (``fields``) or an existing article
    (``article``), linked to ``handoff_id``."""

    handoff_id: str
    by: str
    at: datetime
    fields: ArticleFields | None = None
    article: int | None = None
    flow_id: str | None = None
    end_step: str | None = None


@dataclass(frozen=True)
class UseCounts:
    """How often an article was used, per kind of use (see ``KcsUseRow``)."""

    counts: Mapping[str, int] = field(default_factory=dict)

    def __getitem__(self, kind: str) -> int:
        return int(self.counts.get(kind, 0))


def _article(row: KcsArticleRow) -> StoredArticle:
    fields = ArticleFields(
        row.title,
        row.product,
        row.model,
        row.firmware_from,
        row.firmware_to,
        row.symptom,
        row.cause,
        tuple(row.fix or ()),
        bool(row.customer_safe),
    )
    return StoredArticle(
        row.number,
        row.status,
        fields,
        row.revision,
        row.created_by,
        as_utc(row.created_at),
        as_utc(row.updated_at),
        row.reviewed_by,
        as_utc(row.reviewed_at) if row.reviewed_at else None,
        row.rejected_reason,
    )


def _link(row: KcsLinkRow) -> StoredLink:
    return StoredLink(
        row.article, row.handoff_id, row.flow_id, row.end_step, row.linked_by, as_utc(row.linked_at)
    )


class KcsRows:
    """Articles, links and uses over the store's transactions."""

    def __init__(self, tx: Callable[[], AbstractContextManager[Session]]) -> None:
        self._tx = tx

    # --- written inside other transactions ---------------------------------------------------
    @staticmethod
    def write_in(db: Session, write: ArticleWrite) -> int:
        """Insert the new draft (or check the existing article) and the link; the article's
        number. Raises ``StoreError`` for an unknown article."""
        if write.fields is not None:
            f = write.fields
            row = KcsArticleRow(
                status="draft",
                title=f.title,
                product=f.product,
                model=f.model,
                firmware_from=f.firmware_from,
                firmware_to=f.firmware_to,
                symptom=f.symptom,
                cause=f.cause,
                fix=list(f.fix),
                customer_safe=f.customer_safe,
                revision=1,
                created_by=write.by,
                created_at=write.at.astimezone(UTC),
                updated_at=write.at.astimezone(UTC),
            )
            db.add(row)
            db.flush()
            number = row.number
        elif write.article is not None and db.get(KcsArticleRow, write.article) is not None:
            number = write.article
        else:
            raise StoreError(f"no article {write.article}")
        if db.get(KcsLinkRow, (number, write.handoff_id)) is None:
            db.add(
                KcsLinkRow(
                    article=number,
                    handoff_id=write.handoff_id,
                    flow_id=write.flow_id,
                    end_step=write.end_step,
                    linked_by=write.by,
                    linked_at=write.at.astimezone(UTC),
                )
            )
        return number

    @staticmethod
    def add_uses_in(
        db: Session,
        uses: Sequence[tuple[int, str]],
        session_id: str | None,
        handoff_id: str | None,
        at: datetime,
    ) -> None:
        for article, kind in uses:
            db.add(
                KcsUseRow(
                    article=article,
                    session_id=session_id,
                    handoff_id=handoff_id,
                    kind=kind,
                    at=at.astimezone(UTC),
                )
            )

    # --- reading ---------------------------------------------------------------------------
    def get(self, number: int) -> StoredArticle | None:
        with self._tx() as db:
            row = db.get(KcsArticleRow, number)
            return _article(row) if row else None

    def all(
        self, status: str | None = None, numbers: Collection[int] | None = None
    ) -> list[StoredArticle]:
        """Articles, newest first; only those of ``status`` or with these ``numbers``."""
        with self._tx() as db:
            query = select(KcsArticleRow).order_by(KcsArticleRow.number.desc())
            if status:
                query = query.where(KcsArticleRow.status == status)
            if numbers is not None:
                query = query.where(KcsArticleRow.number.in_(list(numbers)))
            return [_article(r) for r in db.scalars(query)]

    def links(self, article: int | None = None, handoff_id: str | None = None) -> list[StoredLink]:
        with self._tx() as db:
            query = select(KcsLinkRow).order_by(KcsLinkRow.linked_at)
            if article is not None:
                query = query.where(KcsLinkRow.article == article)
            if handoff_id is not None:
                query = query.where(KcsLinkRow.handoff_id == handoff_id)
            return [_link(r) for r in db.scalars(query)]

    def counts(
        self,
        articles: Collection[int] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[int, UseCounts]:
        """Uses per article and kind, counted in ``[since, until)`` when given."""
        with self._tx() as db:
            query = select(KcsUseRow.article, KcsUseRow.kind, func.count()).group_by(
                KcsUseRow.article, KcsUseRow.kind
            )
            if articles is not None:
                query = query.where(KcsUseRow.article.in_(list(articles)))
            if since is not None:
                query = query.where(KcsUseRow.at >= since.astimezone(UTC))
            if until is not None:
                query = query.where(KcsUseRow.at < until.astimezone(UTC))
            found: dict[int, dict[str, int]] = {}
            for article, kind, count in db.execute(query):
                found.setdefault(article, {})[kind] = int(count)
            return {a: UseCounts(c) for a, c in found.items()}

    def counts_since_review(self) -> dict[int, UseCounts]:
        """Uses per article and kind since the article's last review (reviewed ones only)."""
        with self._tx() as db:
            query = (
                select(KcsUseRow.article, KcsUseRow.kind, func.count())
                .join(KcsArticleRow, KcsArticleRow.number == KcsUseRow.article)
                .where(KcsArticleRow.reviewed_at.is_not(None))
                .where(KcsUseRow.at >= KcsArticleRow.reviewed_at)
                .group_by(KcsUseRow.article, KcsUseRow.kind)
            )
            found: dict[int, dict[str, int]] = {}
            for article, kind, count in db.execute(query):
                found.setdefault(article, {})[kind] = int(count)
            return {a: UseCounts(c) for a, c in found.items()}

    def link_counts(self) -> dict[int, int]:
        """Linked handoffs per article."""
        with self._tx() as db:
            query = select(KcsLinkRow.article, func.count()).group_by(KcsLinkRow.article)
            return {int(a): int(n) for a, n in db.execute(query)}

    # --- writing ---------------------------------------------------------------------------
    def write(self, write: ArticleWrite) -> int:
        """A draft or a link on its own (no move), in one transaction."""
        with self._tx() as db:
            return self.write_in(db, write)

    def update(
        self, number: int, expected_revision: int, at: datetime, changes: Mapping[str, Any]
    ) -> StoredArticle:
        """Change an article still at ``expected_revision`` (its revision goes up by one);
        ``ConflictError`` when another reviewer changed it meanwhile."""
        with self._tx() as db:
            row = db.get(KcsArticleRow, number, with_for_update=True)
            if row is None:
                raise StoreError(f"no article {number}")
            if row.revision != expected_revision:
                raise ConflictError(
                    f"the article was changed meanwhile (revision {row.revision}, not "
                    f"{expected_revision}); reload it"
                )
            for name, value in changes.items():
                if name not in _EDITABLE:
                    raise StoreError(f"an article has no field {name!r} to change")
                if isinstance(value, datetime):
                    value = value.astimezone(UTC)
                setattr(row, name, list(value) if name == "fix" else value)
            row.revision, row.updated_at = row.revision + 1, at.astimezone(UTC)
            db.flush()
            return _article(row)
