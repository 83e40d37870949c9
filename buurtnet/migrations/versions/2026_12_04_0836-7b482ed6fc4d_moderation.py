"""Moderation: duties per neighbourhood, reports, the audit log, appeals, blocks of servers,
word filters, care signals; posts held or removed by moderation, limited and suspended accounts

Revision ID: 7b482ed6fc4d
Revises: 8d2b6c4e1f0a
Create Date: 2026-12-04 08:36:16
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "7b482ed6fc4d"
down_revision: str | None = "8d2b6c4e1f0a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The feed indexes hold what the home feed checks of each post; now also its moderation state.
FEED_INDEXES = {
    "ix_post_neighbourhood_feed": ("neighbourhood_id", "id", "visibility", "author_id"),
    "ix_post_author_feed": ("author_id", "id", "visibility", "neighbourhood_id"),
}
FEEDS_ONLY: dict[str, Any] = {
    "sqlite_where": sa.text("in_reply_to_id IS NULL"),
    "postgresql_where": sa.text("in_reply_to_id IS NULL"),
}


def upgrade() -> None:
    op.create_table(
        "domain_block",
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("reject_media", sa.Boolean(), nullable=False),
        sa.Column("reject_reports", sa.Boolean(), nullable=False),
        sa.Column("private_comment", sa.String(length=1000), nullable=False),
        sa.Column("public_comment", sa.String(length=1000), nullable=False),
        sa.Column("obfuscate", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("domain"),
    )
    op.create_table(
        "word_filter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("phrase", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("neighbourhood_id", "phrase"),
    )
    with op.batch_alter_table("word_filter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_word_filter_neighbourhood_id"), ["neighbourhood_id"], unique=False
        )

    op.create_table(
        "care_signal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("concern", sa.String(length=20), nullable=False),
        sa.Column("about", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("may_contact", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["raised_by_id"], ["account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("care_signal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_signal_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_care_signal_neighbourhood_id"), ["neighbourhood_id"], unique=False
        )

    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reporter_domain", sa.String(length=255), nullable=True),
        sa.Column("uri", sa.String(length=500), nullable=True),
        sa.Column("target_account_id", sa.Integer(), nullable=True),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["assigned_to_id"], ["account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["reporter_id"], ["account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["target_account_id"], ["account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uri"),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index("ix_report_queue", ["neighbourhood_id", "status", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_report_target_account_id"), ["target_account_id"], unique=False
        )

    op.create_table(
        "role_grant",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(length=20), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "neighbourhood_id", "duty"),
    )
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_role_grant_neighbourhood_id"), ["neighbourhood_id"], unique=False
        )

    op.create_table(
        "care_signal_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["signal_id"], ["care_signal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("care_signal_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_signal_note_signal_id"), ["signal_id"], unique=False
        )

    op.create_table(
        "moderation_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("moderator_name", sa.String(length=300), nullable=False),
        sa.Column("target_account_id", sa.Integer(), nullable=True),
        sa.Column("target_post_id", sa.Integer(), nullable=True),
        sa.Column("target_domain", sa.String(length=255), nullable=True),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["moderator_id"], ["account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["target_account_id"], ["account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("moderation_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_action_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_moderation_action_kind"), ["kind"], unique=False)
        batch_op.create_index(
            "ix_moderation_action_neighbourhood", ["neighbourhood_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_action_target_account_id"),
            ["target_account_id"],
            unique=False,
        )

    op.create_table(
        "report_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_note_report_id"), ["report_id"], unique=False)

    op.create_table(
        "reported_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("post_uri", sa.String(length=500), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("is_reply", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reported_post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reported_post_post_id"), ["post_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reported_post_report_id"), ["report_id"], unique=False)

    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["action_id"], ["moderation_action.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("action_id"),
    )
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_account_id"), ["account_id"], unique=False)

    # Plain ADD COLUMNs and index swaps: no copy of the post or account table, on SQLite either.
    op.add_column(
        "account", sa.Column("limited", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "account", sa.Column("suspended_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "post", sa.Column("sensitive", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("post", sa.Column("moderation", sa.String(length=20), nullable=True))
    op.add_column("post", sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True))
    for name, columns in FEED_INDEXES.items():
        op.drop_index(name, table_name="post")
        op.create_index(name, "post", [*columns, "moderation"], **FEEDS_ONLY)
    with op.batch_alter_table("notification") as notification:
        notification.add_column(sa.Column("action_id", sa.Integer(), nullable=True))
        notification.add_column(sa.Column("report_id", sa.Integer(), nullable=True))
        notification.create_foreign_key(
            "fk_notification_action_id_moderation_action",
            "moderation_action",
            ["action_id"],
            ["id"],
            ondelete="CASCADE",
        )
        notification.create_foreign_key(
            "fk_notification_report_id_report", "report", ["report_id"], ["id"], ondelete="CASCADE"
        )

    # Moderators and directors held their duty in their own neighbourhood: now a grant each.
    op.execute(
        "INSERT INTO role_grant (account_id, neighbourhood_id, duty, granted_at)"
        " SELECT id, neighbourhood_id, role, created_at FROM account"
        " WHERE role IN ('moderator', 'director') AND neighbourhood_id IS NOT NULL"
    )
    op.execute("UPDATE account SET role = 'resident' WHERE role IN ('moderator', 'director')")
    # A suspended server becomes a block of its own, apart from whether it answers.
    op.execute(
        "INSERT INTO domain_block (domain, severity, reject_media, reject_reports,"
        " private_comment, public_comment, obfuscate, created_at, updated_at)"
        " SELECT domain, 'suspend', false, false, '', '', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
        " FROM remote_domain WHERE suspended"
    )
    with op.batch_alter_table("remote_domain") as remote_domain:
        remote_domain.drop_column("suspended")


def downgrade() -> None:
    with op.batch_alter_table("remote_domain") as remote_domain:
        remote_domain.add_column(
            sa.Column("suspended", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(
        "UPDATE remote_domain SET suspended = true"
        " WHERE domain IN (SELECT domain FROM domain_block WHERE severity = 'suspend')"
    )
    op.execute(
        "UPDATE account SET role = (SELECT MIN(duty) FROM role_grant WHERE account_id = account.id)"
        " WHERE role = 'resident' AND id IN (SELECT account_id FROM role_grant)"
    )
    with op.batch_alter_table("notification") as notification:
        notification.drop_constraint("fk_notification_report_id_report", type_="foreignkey")
        notification.drop_constraint(
            "fk_notification_action_id_moderation_action", type_="foreignkey"
        )
        notification.drop_column("report_id")
        notification.drop_column("action_id")
    for name, columns in FEED_INDEXES.items():
        op.drop_index(name, table_name="post")
        op.create_index(name, "post", list(columns), **FEEDS_ONLY)
    for column in ("moderated_at", "moderation", "sensitive"):
        with op.batch_alter_table("post") as post:
            post.drop_column(column)
    with op.batch_alter_table("account") as account:
        account.drop_column("suspended_until")
        account.drop_column("limited")
    for table in (
        "appeal",
        "reported_post",
        "report_note",
        "moderation_action",
        "care_signal_note",
        "role_grant",
        "report",
        "care_signal",
        "word_filter",
        "domain_block",
    ):
        op.drop_table(table)
