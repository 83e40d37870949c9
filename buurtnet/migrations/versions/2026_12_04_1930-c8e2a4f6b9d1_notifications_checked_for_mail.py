"""Notifications looked at for mail, each marked, instead of a cursor of ids per account

`Account.mailed_notification_id` said "everything up to this id was looked at". Ids are not
committed in their order: a notification written in a transaction that commits a moment after
a later one would have been passed over and never mailed. Now each notification carries
`mail_checked_at`. Those up to an account's old cursor are marked as looked at (with their own
time); the rest are looked at in the next turn.

The column is dropped with `ALTER TABLE … DROP COLUMN`, which SQLite has since 3.35, rather than
in batch mode, which copies the account table: with foreign keys on, dropping the old copy would
delete what refers to it.

Revision ID: c8e2a4f6b9d1
Revises: b3d7f1a9c5e2
Create Date: 2026-12-04 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c8e2a4f6b9d1"
down_revision: str | None = "b3d7f1a9c5e2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notification", sa.Column("mail_checked_at", sa.DateTime(timezone=True)))
    op.execute(
        "UPDATE notification SET mail_checked_at = created_at WHERE id <= "
        "(SELECT mailed_notification_id FROM account WHERE account.id = notification.recipient_id)"
    )
    op.create_index(
        "ix_notification_mail_unchecked",
        "notification",
        ["recipient_id"],
        sqlite_where=sa.text("mail_checked_at IS NULL AND read_at IS NULL"),
        postgresql_where=sa.text("mail_checked_at IS NULL AND read_at IS NULL"),
    )
    op.execute("ALTER TABLE account DROP COLUMN mailed_notification_id")


def downgrade() -> None:
    op.add_column(
        "account",
        sa.Column("mailed_notification_id", sa.Integer(), server_default="0", nullable=False),
    )
    op.execute(
        "UPDATE account SET mailed_notification_id = (SELECT COALESCE(MAX(id), 0) FROM "
        "notification WHERE recipient_id = account.id AND mail_checked_at IS NOT NULL)"
    )
    op.drop_index("ix_notification_mail_unchecked", table_name="notification")
    op.execute("ALTER TABLE notification DROP COLUMN mail_checked_at")
