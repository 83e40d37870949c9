"""Feed indexes that also hold visibility and author or neighbourhood (index-only feed reads)

Revision ID: 64d573759b70
Revises: 653962b1d3ba
Create Date: 2026-12-01 16:04:15.754029
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '64d573759b70'
down_revision: str | None = '653962b1d3ba'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STARTS_A_CONVERSATION = sa.text("in_reply_to_id IS NULL")
BEFORE = {
    "ix_post_author_feed": ["author_id", "id"],
    "ix_post_neighbourhood_feed": ["neighbourhood_id", "id"],
}
AFTER = {
    "ix_post_author_feed": ["author_id", "id", "visibility", "neighbourhood_id"],
    "ix_post_neighbourhood_feed": ["neighbourhood_id", "id", "visibility", "author_id"],
}


def replace_indexes(indexes: dict[str, list[str]]) -> None:
    for name, columns in indexes.items():
        op.drop_index(name, table_name="post")
        op.create_index(
            name,
            "post",
            columns,
            sqlite_where=STARTS_A_CONVERSATION,
            postgresql_where=STARTS_A_CONVERSATION,
        )


def upgrade() -> None:
    replace_indexes(AFTER)


def downgrade() -> None:
    replace_indexes(BEFORE)
