"""The search page: the filters' posts newest first, limited accounts, people by a piece of name

`ix_post_offers_newest` and `ix_post_open_help_newest` (PostgreSQL) hold the ids of the offers
and of the open questions for help, which a search with a filter walks newest first (a few per
cent of the posts, where the primary key walks them all; `core/post_search`). SQLite's search
starts from its FTS5 table and needs neither.

`ix_account_limited` holds the few accounts a moderator limited: every feed and search asks
which authors are limited, and PostgreSQL read all accounts for it (2 ms at 10,000 accounts, in
each statement). It is in the models.

`ix_account_names_trigram` (PostgreSQL) serves the people search's `LIKE '%…%'` with trigrams,
from the extension `pg_trgm`, which the database's owner may create since PostgreSQL 13 (it is
"trusted"). Where the extension cannot be created, the migration goes on without the index (the
search reads all accounts instead, a few milliseconds for 10,000) and says so in the log.

Revision ID: b3d7f1a9c5e2
Revises: f1a8c4d2b6e3
Create Date: 2026-12-04 19:00:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b3d7f1a9c5e2"
down_revision: str | None = "f1a8c4d2b6e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

WALK_INDEXES = [
    "CREATE INDEX ix_post_offers_newest ON post (id) WHERE kind = 'offer'",
    "CREATE INDEX ix_post_open_help_newest ON post (id) "
    "WHERE kind = 'help_request' AND helped_at IS NULL",
]
NAME_INDEX = (
    "CREATE INDEX ix_account_names_trigram ON account "
    "USING gin (username_key gin_trgm_ops, lower(display_name) gin_trgm_ops)"
)


def upgrade() -> None:
    op.create_index(
        "ix_account_limited",
        "account",
        ["id"],
        sqlite_where=sa.text("limited"),
        postgresql_where=sa.text("limited"),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in WALK_INDEXES:
        op.execute(statement)
    create_name_index()


def create_name_index() -> None:
    """The extension and the index, or neither: a refusal is undone alone (a savepoint), not the
    rest of the migration, and said in the log (README: how to add the index later)."""
    connection = op.get_bind()
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            connection.exec_driver_sql(NAME_INDEX)
    except sa.exc.DBAPIError as error:
        log.warning(
            "No index for the people search: extension pg_trgm or its index not created (%s)",
            type(error.orig).__name__,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_account_names_trigram")
        op.execute("DROP INDEX ix_post_open_help_newest")
        op.execute("DROP INDEX ix_post_offers_newest")
    op.drop_index("ix_account_limited", table_name="account")
