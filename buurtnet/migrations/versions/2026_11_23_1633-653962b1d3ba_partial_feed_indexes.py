"""Partial indexes for the feeds and for replies

Revision ID: 653962b1d3ba
Revises: b6a7e7d70b82
Create Date: 2026-11-23 16:33:11.640092
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '653962b1d3ba'
down_revision: str | None = 'b6a7e7d70b82'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Indexes that feeds walk newest first: only posts that start a conversation; and the reply
# indexes only replies, so that no planner takes "in_reply_to_id IS NULL" for a rare value.
PARTIAL = {
    "ix_post_neighbourhood_feed": (["neighbourhood_id", "id"], "in_reply_to_id IS NULL"),
    "ix_post_author_feed": (["author_id", "id"], "in_reply_to_id IS NULL"),
    "ix_post_in_reply_to_id": (["in_reply_to_id"], "in_reply_to_id IS NOT NULL"),
    "ix_post_thread_root_id": (["thread_root_id"], "thread_root_id IS NOT NULL"),
}


def upgrade() -> None:
    for name, (columns, condition) in PARTIAL.items():
        op.drop_index(name, table_name="post")
        where = sa.text(condition)
        op.create_index(
            name, "post", columns, sqlite_where=where, postgresql_where=where, unique=False
        )
    op.create_index("ix_post_author", "post", ["author_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_post_author", table_name="post")
    for name, (columns, _condition) in PARTIAL.items():
        op.drop_index(name, table_name="post")
        op.create_index(name, "post", columns, unique=False)
