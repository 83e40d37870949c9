"""Full-text search in posts: an FTS5 table on SQLite, a text-search column and GIN index on
PostgreSQL

Neither can be said in the models (a virtual table with its triggers; a column computed by
PostgreSQL alone), so they live here; `buurtnet/models/post_search.py` names them,
`buurtnet/core/post_search.py` queries them, and the comparison with the models leaves them out.

SQLite: `post_search` indexes each post's `summary` and `source` without a copy of the text
(`content='post'`), kept up to date by three triggers. A later migration that rebuilds `post` in
batch mode (a copy of the table: dropping a column, changing a type) drops these triggers with
the old table: it must create them again, or new posts are not found. Prefix indexes for
beginnings of 3, 4 and 5 letters: a search for the beginning of a word ("fiets" for "fietsen")
reads one list instead of merging the lists of every word that begins so.

PostgreSQL: `search_vector` is computed from the same text when a post is written (adding it
rewrites the table once), with a GIN index, and two smaller ones for the search's filters. A stored column rather than an index on the
expression: a post checked against a search while walking the newest posts first is then a
comparison, not a new stemming of its text (35 µs a post).

Revision ID: f1a8c4d2b6e3
Revises: e5f9c3a7b2d1
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f1a8c4d2b6e3"
down_revision: str | None = "e5f9c3a7b2d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Letters without their accents ("cafe" finds "café"); no stemming, which FTS5 has for English
# only. Positions are kept (detail full): a word FTS5 splits in two is then still a phrase.
SQLITE_UPGRADE = [
    "CREATE VIRTUAL TABLE post_search USING fts5(summary, source, content='post', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='3 4 5')",
    "CREATE TRIGGER post_search_insert AFTER INSERT ON post BEGIN "
    "INSERT INTO post_search (rowid, summary, source) VALUES (new.id, new.summary, new.source); "
    "END",
    "CREATE TRIGGER post_search_delete AFTER DELETE ON post BEGIN "
    "INSERT INTO post_search (post_search, rowid, summary, source) "
    "VALUES ('delete', old.id, old.summary, old.source); "
    "END",
    # Only when the text changes: counts and moderation states change far more often.
    "CREATE TRIGGER post_search_update AFTER UPDATE OF summary, source ON post BEGIN "
    "INSERT INTO post_search (post_search, rowid, summary, source) "
    "VALUES ('delete', old.id, old.summary, old.source); "
    "INSERT INTO post_search (rowid, summary, source) VALUES (new.id, new.summary, new.source); "
    "END",
    "INSERT INTO post_search (post_search) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER post_search_update",
    "DROP TRIGGER post_search_delete",
    "DROP TRIGGER post_search_insert",
    "DROP TABLE post_search",
]
# The offers and the open questions for help have GIN indexes of their own (a few per cent of the
# posts each): a rare word among offers is then found among offers, not among all posts.
POSTGRESQL_UPGRADE = [
    "ALTER TABLE post ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('dutch', summary || ' ' || source)) STORED",
    "CREATE INDEX ix_post_search ON post USING gin (search_vector)",
    "CREATE INDEX ix_post_search_offers ON post USING gin (search_vector) WHERE kind = 'offer'",
    "CREATE INDEX ix_post_search_open_help ON post USING gin (search_vector) "
    "WHERE kind = 'help_request' AND helped_at IS NULL",
]
POSTGRESQL_DOWNGRADE = [
    "DROP INDEX ix_post_search_open_help",
    "DROP INDEX ix_post_search_offers",
    "DROP INDEX ix_post_search",
    "ALTER TABLE post DROP COLUMN search_vector",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UPGRADE if sqlite else POSTGRESQL_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWNGRADE if sqlite else POSTGRESQL_DOWNGRADE:
        op.execute(statement)
