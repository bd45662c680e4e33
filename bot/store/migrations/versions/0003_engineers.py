"""Engineers with their sign-in sessions, who resolved a handoff, dead letters in the outbox, and
failed attempts shared by all workers (rate limits).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engineers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "engineer_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "engineer_id",
            sa.String(64),
            sa.ForeignKey("engineers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_engineer_sessions_engineer_id", "engineer_sessions", ["engineer_id"])
    op.create_table(
        "attempts",
        sa.Column("scope", sa.String(20), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("window", sa.BigInteger(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_attempts_window", "attempts", ["window"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("resolved_by", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("resolved_by")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("dead_at")
    op.drop_index("ix_attempts_window", table_name="attempts")
    op.drop_table("attempts")
    op.drop_index("ix_engineer_sessions_engineer_id", table_name="engineer_sessions")
    op.drop_table("engineer_sessions")
    op.drop_table("engineers")
