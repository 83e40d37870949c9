"""Federation: accounts from other servers, follow requests, keys, received activities, domains

Revision ID: 7e4e1d1abc44
Revises: 64d573759b70
Create Date: 2026-12-01 17:32:53.785133
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7e4e1d1abc44'
down_revision: str | None = '64d573759b70'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('key_pair',
    sa.Column('owner', sa.String(length=40), nullable=False),
    sa.Column('private_key_pem', sa.Text(), nullable=False),
    sa.Column('public_key_pem', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('owner')
    )
    op.create_table('received_activity',
    sa.Column('uri', sa.String(length=500), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('uri')
    )
    with op.batch_alter_table('received_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_received_activity_received_at'), ['received_at'], unique=False)

    op.create_table('remote_domain',
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('suspended', sa.Boolean(), nullable=False),
    sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('unavailable', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('domain')
    )
    op.create_table('follow_request',
    sa.Column('follower_id', sa.Integer(), nullable=False),
    sa.Column('followed_id', sa.Integer(), nullable=False),
    sa.Column('uri', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['followed_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['follower_id'], ['account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('follower_id', 'followed_id'),
    sa.UniqueConstraint('uri')
    )
    op.create_table('neighbourhood_follower',
    sa.Column('neighbourhood_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('uri', sa.String(length=500), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhood.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('neighbourhood_id', 'account_id')
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('domain', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('actor_uri', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('actor_type', sa.String(length=20), server_default='Person', nullable=False))
        batch_op.add_column(sa.Column('inbox_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('shared_inbox_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('followers_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('profile_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('avatar_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('public_key_pem', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('username',
               existing_type=sa.VARCHAR(length=30),
               type_=sa.String(length=100),
               existing_nullable=False)
        batch_op.alter_column('username_key',
               existing_type=sa.VARCHAR(length=30),
               type_=sa.String(length=300),
               existing_nullable=False)
        batch_op.alter_column('email',
               existing_type=sa.VARCHAR(length=254),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_account_domain'), ['domain'], unique=False)
        batch_op.create_unique_constraint('uq_account_key_id', ['key_id'])
        batch_op.create_unique_constraint('uq_account_actor_uri', ['actor_uri'])

    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uri', sa.String(length=500), nullable=True))

    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approves_remote_followers', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uri', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('url', sa.String(length=500), nullable=True))
        batch_op.create_unique_constraint('uq_post_uri', ['uri'])



def downgrade() -> None:
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_constraint('uq_post_uri', type_='unique')
        batch_op.drop_column('url')
        batch_op.drop_column('uri')

    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.drop_column('approves_remote_followers')

    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.drop_column('uri')

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_constraint('uq_account_actor_uri', type_='unique')
        batch_op.drop_constraint('uq_account_key_id', type_='unique')
        batch_op.drop_index(batch_op.f('ix_account_domain'))
        batch_op.alter_column('email',
               existing_type=sa.VARCHAR(length=254),
               nullable=False)
        batch_op.alter_column('username_key',
               existing_type=sa.String(length=300),
               type_=sa.VARCHAR(length=30),
               existing_nullable=False)
        batch_op.alter_column('username',
               existing_type=sa.String(length=100),
               type_=sa.VARCHAR(length=30),
               existing_nullable=False)
        batch_op.drop_column('fetched_at')
        batch_op.drop_column('public_key_pem')
        batch_op.drop_column('key_id')
        batch_op.drop_column('avatar_url')
        batch_op.drop_column('profile_url')
        batch_op.drop_column('followers_url')
        batch_op.drop_column('shared_inbox_url')
        batch_op.drop_column('inbox_url')
        batch_op.drop_column('actor_type')
        batch_op.drop_column('actor_uri')
        batch_op.drop_column('domain')

    op.drop_table('neighbourhood_follower')
    op.drop_table('follow_request')
    op.drop_table('remote_domain')
    with op.batch_alter_table('received_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_received_activity_received_at'))

    op.drop_table('received_activity')
    op.drop_table('key_pair')
