"""The full-text search of posts, which the models cannot describe: made by the migration
`f1a8c4d2b6e3` alone, queried by `core/post_search`, and left out of the comparison of the
migrated schema with the models (`schema.in_the_models`).

On SQLite, an FTS5 table over each post's `summary` and `source` (its rows are the posts' ids;
it keeps no copy of the text), kept up to date by triggers on `post`. On PostgreSQL, a column
that the database computes from the same text, `to_tsvector('dutch', summary || ' ' || source)`,
with GIN indexes (of all posts, of the offers, of the open questions for help): a column rather
than an index on the expression alone, so that a post can be checked against a search without
stemming its text again (docs/search.md has the figures).
"""

SQLITE_TABLE = "post_search"
SQLITE_SHADOW_TABLES = tuple(
    f"{SQLITE_TABLE}_{part}" for part in ("data", "idx", "content", "docsize", "config")
)
SQLITE_TRIGGERS = tuple(f"{SQLITE_TABLE}_{change}" for change in ("insert", "update", "delete"))
POSTGRESQL_COLUMN = "search_vector"
POSTGRESQL_INDEX = "ix_post_search"
# Of the offers, and of the questions for help not yet marked "geholpen": the search's filters.
POSTGRESQL_FILTER_INDEXES = ("ix_post_search_offers", "ix_post_search_open_help")
# The ids of the same two, which a search with a filter walks newest first (migration
# `b3d7f1a9c5e2`).
POSTGRESQL_WALK_INDEXES = ("ix_post_offers_newest", "ix_post_open_help_newest")
