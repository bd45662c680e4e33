"""The tables. JSON columns hold the pure engine's state and the handoff record as they are."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(100), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="active")
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class HandoffRow(Base):
    __tablename__ = "handoffs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    site_id: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    priority: Mapped[str] = mapped_column(String(4))
    category: Mapped[str] = mapped_column(String(20))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    markdown: Mapped[str] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    handed_back_to: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReturnRow(Base):
    """A replacement part shipped, and when the defective one is due back."""

    __tablename__ = "returns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    handoff_id: Mapped[str] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[str] = mapped_column(String(100), index=True)
    serial: Mapped[str] = mapped_column(String(100))
    dispatch_date: Mapped[date] = mapped_column(Date)
    return_due_date: Mapped[date] = mapped_column(Date, index=True)
    returned_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class OutboxRow(Base):
    """One delivery of a handoff to one sink; retried with backoff until delivered, or given up
    after the last attempt (``dead_at``: a dead letter, retried by hand)."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("sink", "idempotency_key"),
        Index("ix_outbox_due", "delivered_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sink: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    dead_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CustomerRow(Base):
    """One customer as validated from the accounts YAML (hashes only, never access codes)."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EngineerRow(Base):
    """An engineer who signs in to the workspace (password stored as an argon2 hash only)."""

    __tablename__ = "engineers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="engineer")
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EngineerSessionRow(Base):
    """A signed-in engineer: the token's hash, with idle and absolute expiry."""

    __tablename__ = "engineer_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    engineer_id: Mapped[str] = mapped_column(
        ForeignKey("engineers.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AttemptRow(Base):
    """Failed attempts (wrong access codes, keys, passwords) per scope and key in one time
    window, shared by every worker so N workers do not give N times the guesses."""

    __tablename__ = "attempts"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer)


class KcsArticleRow(Base):
    """A KCS article learned from engineers' resolutions: environment (product line, model,
    firmware range), the symptom in the user's words, the cause, the fix steps, and whether the
    fix is safe for site users; ``status`` is draft, published or rejected."""

    __tablename__ = "kcs_articles"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    title: Mapped[str] = mapped_column(String(200))
    product: Mapped[str] = mapped_column(String(100), index=True)
    model: Mapped[str | None] = mapped_column(String(100), nullable=True)
    firmware_from: Mapped[str | None] = mapped_column(String(40), nullable=True)
    firmware_to: Mapped[str | None] = mapped_column(String(40), nullable=True)
    symptom: Mapped[str] = mapped_column(Text)
    cause: Mapped[str] = mapped_column(Text)
    fix: Mapped[list[str]] = mapped_column(JSON)
    customer_safe: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rejected_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class KcsLinkRow(Base):
    """A handoff whose cause an article describes (several handoffs link to one article), with
    the flow and the step where that conversation ended."""

    __tablename__ = "kcs_links"

    article: Mapped[int] = mapped_column(
        ForeignKey("kcs_articles.number", ondelete="CASCADE"), primary_key=True
    )
    handoff_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    flow_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    end_step: Mapped[str | None] = mapped_column(String(100), nullable=True)
    linked_by: Mapped[str] = mapped_column(String(100))
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KcsUseRow(Base):
    """One use of an article in a conversation: ``offered`` to a site user, ``suggested`` to the
    engineer of a handoff, ``resolved`` (the fix worked), ``failed`` (it did not) or
    ``handed_off`` (tried, and the conversation still ended in a handoff). Written with the turn;
    no foreign key, so a counter can never refuse a turn."""

    __tablename__ = "kcs_uses"
    __table_args__ = (Index("ix_kcs_uses_article_kind", "article", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article: Mapped[int] = mapped_column(Integer)
    session_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    handoff_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def as_utc(dt: datetime) -> datetime:
    """A time read back from the database as aware UTC (SQLite returns it naive)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
