"""E-mail (confirmed addresses, single-use links, notification mails, the weekly digest), the
welcome after joining, help marked "geholpen", pinned announcements and the pages an admin writes

Accounts that exist already keep e-mail off until they choose: no mail kinds and no digest, and
their notifications so far count as mailed, so nobody receives a bundle of old news.

Revision ID: e5f9c3a7b2d1
Revises: d4e8b2f6a1c9
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "e5f9c3a7b2d1"
down_revision: str | None = "d4e8b2f6a1c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNT_COLUMNS: list[sa.Column[Any]] = [
    sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("mail_kinds", sa.String(length=300), server_default="", nullable=False),
    sa.Column("weekly_digest", sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column("notified_by_mail_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("mailed_notification_id", sa.Integer(), server_default="0", nullable=False),
    sa.Column("digest_sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("rules_accepted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("welcomed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("place", sa.String(length=100), server_default="", nullable=False),
]
POST_COLUMNS: list[sa.Column[Any]] = [
    sa.Column("helped_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("pinned_until", sa.Date(), nullable=True),
]


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        for column in ACCOUNT_COLUMNS:
            batch.add_column(column)
    op.execute(
        "UPDATE account SET mailed_notification_id = "
        "(SELECT COALESCE(MAX(id), 0) FROM notification), welcomed_at = created_at"
    )
    with op.batch_alter_table("neighbourhood") as batch:
        batch.add_column(sa.Column("places", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("post") as batch:
        for column in POST_COLUMNS:
            batch.add_column(column)
    op.create_index(
        "ix_post_pinned",
        "post",
        ["neighbourhood_id", "pinned_until"],
        sqlite_where=sa.text("pinned_until IS NOT NULL"),
        postgresql_where=sa.text("pinned_until IS NOT NULL"),
    )
    op.create_table(
        "mail_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_mail_token_account_id", "mail_token", ["account_id"])
    op.create_index("ix_mail_token_expires_at", "mail_token", ["expires_at"])
    op.create_table(
        "site_page",
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("slug"),
    )


def downgrade() -> None:
    op.drop_table("site_page")
    op.drop_index("ix_mail_token_expires_at", table_name="mail_token")
    op.drop_index("ix_mail_token_account_id", table_name="mail_token")
    op.drop_table("mail_token")
    op.drop_index("ix_post_pinned", table_name="post")
    with op.batch_alter_table("post") as batch:
        for column in reversed(POST_COLUMNS):
            batch.drop_column(column.name)
    with op.batch_alter_table("neighbourhood") as batch:
        batch.drop_column("places")
    with op.batch_alter_table("account") as batch:
        for column in reversed(ACCOUNT_COLUMNS):
            batch.drop_column(column.name)
