"""A post says whether it carries a poll

Revision ID: 8d2b6c4e1f0a
Revises: 5c1e2f7a9b3d
Create Date: 2026-12-04 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d2b6c4e1f0a"
down_revision: str | None = "5c1e2f7a9b3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN with its default: no copy of the post table, on SQLite either.
    column: sa.Column[bool] = sa.Column("has_poll", sa.Boolean(), nullable=False, server_default=sa.false())
    op.add_column("post", column)
    op.execute("UPDATE post SET has_poll = true WHERE id IN (SELECT post_id FROM poll)")


def downgrade() -> None:
    with op.batch_alter_table("post") as post:
        post.drop_column("has_poll")
