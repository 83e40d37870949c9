"""Indexes for finding a resident's Join by its id and the polls still to end

Revision ID: 5c1e2f7a9b3d
Revises: 9e8183f827b1
Create Date: 2026-12-04 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1e2f7a9b3d"
down_revision: str | None = "9e8183f827b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = {
    "ix_participation_uri": ("participation", ["uri"], "uri IS NOT NULL"),
    "ix_poll_open_ends_at": ("poll", ["ends_at"], "ended_at IS NULL"),
}


def upgrade() -> None:
    for name, (table, columns, condition) in PARTIAL.items():
        where = sa.text(condition)
        op.create_index(name, table, columns, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, (table, _columns, _condition) in PARTIAL.items():
        op.drop_index(name, table_name=table)
