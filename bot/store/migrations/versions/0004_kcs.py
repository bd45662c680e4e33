"""KCS articles learned from engineers' resolutions, the handoffs linked to them, and their uses
in conversations (offered, suggested, resolved, failed, handed off).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kcs_articles",
        sa.Column("number", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("model", sa.String(100), nullable=True),
        sa.Column("firmware_from", sa.String(40), nullable=True),
        sa.Column("firmware_to", sa.String(40), nullable=True),
        sa.Column("symptom", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("fix", sa.JSON(), nullable=False),
        sa.Column("customer_safe", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(100), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_kcs_articles_status", "kcs_articles", ["status"])
    op.create_index("ix_kcs_articles_product", "kcs_articles", ["product"])
    op.create_table(
        "kcs_links",
        sa.Column(
            "article",
            sa.Integer(),
            sa.ForeignKey("kcs_articles.number", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("handoff_id", sa.String(64), primary_key=True),
        sa.Column("flow_id", sa.String(100), nullable=True),
        sa.Column("end_step", sa.String(100), nullable=True),
        sa.Column("linked_by", sa.String(100), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_kcs_links_handoff_id", "kcs_links", ["handoff_id"])
    op.create_table(
        "kcs_uses",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("article", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=True),
        sa.Column("handoff_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_kcs_uses_article_kind", "kcs_uses", ["article", "kind"])
    op.create_index("ix_kcs_uses_at", "kcs_uses", ["at"])


def downgrade() -> None:
    op.drop_index("ix_kcs_uses_at", table_name="kcs_uses")
    op.drop_index("ix_kcs_uses_article_kind", table_name="kcs_uses")
    op.drop_table("kcs_uses")
    op.drop_index("ix_kcs_links_handoff_id", table_name="kcs_links")
    op.drop_table("kcs_links")
    op.drop_index("ix_kcs_articles_product", table_name="kcs_articles")
    op.drop_index("ix_kcs_articles_status", table_name="kcs_articles")
    op.drop_table("kcs_articles")
