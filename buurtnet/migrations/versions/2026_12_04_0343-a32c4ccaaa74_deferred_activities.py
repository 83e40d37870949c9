"""Activities of a type we do not handle yet, kept for a later version to take in

Revision ID: a32c4ccaaa74
Revises: 7e4e1d1abc44
Create Date: 2026-12-04 03:43:02.927216
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a32c4ccaaa74'
down_revision: str | None = '7e4e1d1abc44'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('deferred_activity',
    sa.Column('uri', sa.String(length=500), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('actor_uri', sa.String(length=500), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('uri')
    )
    with op.batch_alter_table('deferred_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deferred_activity_received_at'), ['received_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('deferred_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deferred_activity_received_at'))

    op.drop_table('deferred_activity')
