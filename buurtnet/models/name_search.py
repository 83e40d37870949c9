"""The index that finds people by a piece of their name on PostgreSQL: trigrams (`pg_trgm`) of
`account.username_key` and `lower(display_name)`, which serve `LIKE '%…%'` (`core/search`).

Made by the migration `b3d7f1a9c5e2` alone, and only where the extension may be created: without
it the people search reads every account (a few milliseconds for 10,000), with the same answers.
So it is left out of the comparison of the migrated schema with the models (`schema`).
"""

POSTGRESQL_NAME_INDEX = "ix_account_names_trigram"
