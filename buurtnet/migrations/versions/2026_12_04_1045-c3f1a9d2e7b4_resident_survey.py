"""The resident survey: periods, who took part, and the answers, unlinked

Revision ID: c3f1a9d2e7b4
Revises: 7b482ed6fc4d
Create Date: 2026-12-04 10:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3f1a9d2e7b4"
down_revision: str | None = "7b482ed6fc4d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ITEMS = ("know_each_other", "pleasant", "close_knit", "at_home", "help_each_other")


def upgrade() -> None:
    op.create_table(
        "survey_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["opened_by_id"], ["account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey_period", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_period_neighbourhood_id"), ["neighbourhood_id"], unique=False
        )

    # No hidden row number on SQLite: it would count arrivals (see models/surveys.py).
    op.create_table(
        "survey_participation",
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["period_id"], ["survey_period.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("period_id", "account_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "survey_response",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        *(sa.Column(item, sa.String(length=20), nullable=True) for item in ITEMS),
        sa.Column("liveability_mark", sa.Integer(), nullable=True),
        sa.Column("at_home_mark", sa.Integer(), nullable=True),
        sa.Column("open_text", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["period_id"], ["survey_period.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_response_period_id"), ["period_id"], unique=False
        )


def downgrade() -> None:
    for table in ("survey_response", "survey_participation", "survey_period"):
        op.drop_table(table)
