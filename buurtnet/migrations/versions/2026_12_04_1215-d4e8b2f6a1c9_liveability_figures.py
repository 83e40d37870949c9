"""The liveability figures: rollups, anonymous departures, partner tokens, a neighbourhood's CBS
code and number of homes, when a report was first responded to, and the indexes that count a
period's activity of a neighbourhood from the indexes alone (core/metric_queries)

Revision ID: d4e8b2f6a1c9
Revises: c3f1a9d2e7b4
Create Date: 2026-12-04 12:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4e8b2f6a1c9"
down_revision: str | None = "c3f1a9d2e7b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The indexes that count a period's activity: name: (table, columns).
ACTIVITY_INDEXES = {
    "ix_post_author_created": ("post", ["author_id", "created_at", "in_reply_to_id", "moderation"]),
    "ix_post_neighbourhood_created": (
        "post",
        [
            "neighbourhood_id",
            "created_at",
            "in_reply_to_id",
            "kind",
            "has_poll",
            "moderation",
            "author_id",
        ],
    ),
    "ix_like_account_created": ("like", ["account_id", "created_at", "post_id"]),
    "ix_poll_vote_account_created": ("poll_vote", ["account_id", "created_at", "post_id"]),
    "ix_poll_vote_post_created": ("poll_vote", ["post_id", "created_at", "account_id"]),
    "ix_participation_account_created": (
        "participation",
        ["account_id", "created_at", "status", "post_id"],
    ),
    "ix_participation_post_created": ("participation", ["post_id", "created_at", "status"]),
}


def upgrade() -> None:
    op.create_table(
        "metric_rollup",
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("neighbourhood_id", "period", "starts_on", "indicator"),
    )
    op.create_table(
        "neighbourhood_departure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("neighbourhood_departure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_neighbourhood_departure_neighbourhood_id"),
            ["neighbourhood_id"],
            unique=False,
        )
    op.create_table(
        "partner_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["issued_by_id"], ["account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "partner_token_neighbourhood",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["token_id"], ["partner_token.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_id", "neighbourhood_id"),
    )
    with op.batch_alter_table("partner_token_neighbourhood", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_token_neighbourhood_neighbourhood_id"),
            ["neighbourhood_id"],
            unique=False,
        )
    # Plain ADD COLUMNs: no table is copied.
    op.add_column("neighbourhood", sa.Column("cbs_code", sa.String(length=10), nullable=True))
    op.add_column("neighbourhood", sa.Column("homes", sa.Integer(), nullable=True))
    op.add_column("report", sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True))
    # Reports closed before this column existed: their closing was their first response.
    op.execute("UPDATE report SET responded_at = closed_at WHERE closed_at IS NOT NULL")
    for name, (table, columns) in ACTIVITY_INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in ACTIVITY_INDEXES.items():
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("responded_at")
    with op.batch_alter_table("neighbourhood", schema=None) as batch_op:
        batch_op.drop_column("homes")
        batch_op.drop_column("cbs_code")
    with op.batch_alter_table("partner_token_neighbourhood", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_token_neighbourhood_neighbourhood_id"))
    op.drop_table("partner_token_neighbourhood")
    op.drop_table("partner_token")
    with op.batch_alter_table("neighbourhood_departure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_neighbourhood_departure_neighbourhood_id"))
    op.drop_table("neighbourhood_departure")
    op.drop_table("metric_rollup")
