"""Activities (events with sign-ups, tasks and outcomes), polls, calendar feeds, new-build
neighbourhoods

Revision ID: 9e8183f827b1
Revises: a32c4ccaaa74
Create Date: 2026-12-04 04:52:34.396822
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9e8183f827b1'
down_revision: str | None = 'a32c4ccaaa74'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('calendar_feed',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('event',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('time_zone', sa.String(length=60), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('sign_ups_closed', sa.Boolean(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('going_count', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('join_mode', sa.String(length=20), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attendance', sa.Integer(), nullable=True),
    sa.Column('litter_bags', sa.Integer(), nullable=True),
    sa.Column('outcome_note', sa.String(length=2000), nullable=False),
    sa.Column('outcome_image_key', sa.String(length=100), nullable=True),
    sa.Column('outcome_thumbnail_key', sa.String(length=100), nullable=True),
    sa.Column('outcome_alt_text', sa.String(length=1500), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_starts_at', ['starts_at'], unique=False)

    op.create_table('event_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_task_post_id'), ['post_id'], unique=False)

    op.create_table('participation',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('uri', sa.String(length=500), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'account_id')
    )
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.create_index('ix_participation_account', ['account_id'], unique=False)

    op.create_table('poll',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('multiple', sa.Boolean(), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voters_count', sa.Integer(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id')
    )
    op.create_table('poll_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('poll_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_option_post_id'), ['post_id'], unique=False)

    op.create_table('poll_vote',
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('uri', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['poll_option.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('option_id', 'account_id')
    )
    with op.batch_alter_table('poll_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_vote_post_id'), ['post_id'], unique=False)

    op.create_table('task_volunteer',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['event_task.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'account_id')
    )
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_build', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('handover_on', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.drop_column('handover_on')
        batch_op.drop_column('new_build')

    op.drop_table('task_volunteer')
    with op.batch_alter_table('poll_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_vote_post_id'))

    op.drop_table('poll_vote')
    with op.batch_alter_table('poll_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_option_post_id'))

    op.drop_table('poll_option')
    op.drop_table('poll')
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_index('ix_participation_account')

    op.drop_table('participation')
    with op.batch_alter_table('event_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_task_post_id'))

    op.drop_table('event_task')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_starts_at')

    op.drop_table('event')
    op.drop_table('calendar_feed')
