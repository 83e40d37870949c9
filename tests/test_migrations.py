"""The schema comes only from migrations: they must produce exactly the models, and reverse."""

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, make_url, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from buurtnet import models, schema
from buurtnet.core import search
from buurtnet.db import Database
from buurtnet.models import name_search, post_search
from tests.conftest import make_account
from tests.kit.databases import next_to, on_postgresql, plain_postgresql, xdist_worker

assert models  # the tables are registered on SQLModel.metadata by importing the models


def differences(connection: Connection, metadata: MetaData = SQLModel.metadata) -> list[object]:
    options = {"compare_type": True, "include_name": schema.in_the_models}
    context = MigrationContext.configure(connection, opts=options)
    return list(compare_metadata(context, metadata))


async def test_migrations_produce_exactly_the_models(database: Database) -> None:
    async with database.engine.connect() as connection:
        found = await connection.run_sync(differences)
    assert found == []
    assert await schema.is_up_to_date(database)


async def test_a_model_change_without_a_migration_is_noticed(database: Database) -> None:
    """The comparison above can fail: a column the migrations lack shows up."""
    changed = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["neighbourhood"].append_column(Column("not_migrated", String(10)))
    async with database.engine.connect() as connection:
        found = await connection.run_sync(differences, changed)
    assert any("not_migrated" in str(difference) for difference in found)


async def test_downgrade_to_empty_and_up_again(tmp_path: Path, database: Database) -> None:
    scratch = database if on_postgresql() else Database(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    if not on_postgresql():
        await schema.upgrade(scratch)
    await schema.downgrade(scratch, "base")
    assert await schema.current_revision(scratch) is None
    await schema.upgrade(scratch)
    assert await schema.current_revision(scratch) == schema.head_revision()
    if scratch is not database:
        await scratch.dispose()


async def search_objects(database: Database) -> set[str]:
    """What the search adds: a table with its own and triggers (SQLite), or a column and an
    index (PostgreSQL)."""
    if database.is_sqlite:
        query = "SELECT name FROM sqlite_master WHERE name LIKE 'post_search%'"
    else:
        query = (
            "SELECT indexname FROM pg_indexes WHERE tablename = 'post' UNION "
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'post'"
        )
    async with database.engine.connect() as connection:
        return set((await connection.execute(text(query))).scalars())


async def test_the_search_is_made_and_removed(database: Database) -> None:
    """The objects the comparison above leaves out are there, and go with a downgrade."""
    before = await search_objects(database)
    await schema.downgrade(database, "e5f9c3a7b2d1")
    without = await search_objects(database)
    await schema.upgrade(database)
    assert await search_objects(database) == before
    if database.is_sqlite:
        assert without == set()
        made = {post_search.SQLITE_TABLE, *post_search.SQLITE_TRIGGERS}
        assert made < before <= made | set(post_search.SQLITE_SHADOW_TABLES)
    else:
        indexes = {
            post_search.POSTGRESQL_INDEX,
            *post_search.POSTGRESQL_FILTER_INDEXES,
            *post_search.POSTGRESQL_WALK_INDEXES,
        }
        made = {post_search.POSTGRESQL_COLUMN, *indexes}
        assert before - without == made


async def account_indexes(database: Database) -> set[str]:
    if database.is_sqlite:
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'account'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE tablename = 'account'"
    async with database.engine.connect() as connection:
        return set((await connection.execute(text(query))).scalars())


async def test_the_search_pages_indexes_are_made_and_removed(database: Database) -> None:
    """The limited accounts' index everywhere; the names' trigrams on PostgreSQL, where the
    test database's owner may create `pg_trgm`."""
    before = await account_indexes(database)
    await schema.downgrade(database, "f1a8c4d2b6e3")
    without = await account_indexes(database)
    await schema.upgrade(database)
    assert await account_indexes(database) == before
    made = {"ix_account_limited"} | (
        {name_search.POSTGRESQL_NAME_INDEX} if on_postgresql() else set()
    )
    assert before - without == made


async def test_without_pg_trgm_the_migrations_go_on(database: Database, tmp_path: Path) -> None:
    """Where `pg_trgm` may not be created (on PostgreSQL: a role without CREATE on its database;
    on SQLite it never exists), the migrations reach the head without the names' index, and the
    people search finds a piece of a name all the same."""
    async with refused_trigrams(database, tmp_path) as scratch:
        await schema.upgrade(scratch)
        assert await schema.current_revision(scratch) == schema.head_revision()
        assert name_search.POSTGRESQL_NAME_INDEX not in await account_indexes(scratch)
        await make_account(scratch, "marjan")
        async with scratch.reading() as session:
            found = await search.search_people(session, "arja", None)
        assert [account.username for account in found] == ["marjan"]


@contextlib.asynccontextmanager
async def refused_trigrams(database: Database, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database whose migrations may not create extensions."""
    if not on_postgresql():
        scratch = Database(f"sqlite+aiosqlite:///{tmp_path}/refused.db")
        try:
            yield scratch
        finally:
            await scratch.dispose()
        return
    given = database.engine.url.render_as_string(hide_password=False)
    role = f"buurtnet_no_extensions_{xdist_worker() or 'main'}"
    name = f"{make_url(given).database}_no_extensions"
    admin = await asyncpg.connect(plain_postgresql(given))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        await admin.execute(f'CREATE ROLE "{role}" LOGIN')
        await admin.execute(f'CREATE DATABASE "{name}"')  # owned by the admin: no CREATE for role
        inside = await asyncpg.connect(plain_postgresql(next_to(given, "_no_extensions")))
        await inside.execute(f'GRANT CREATE ON SCHEMA public TO "{role}"')
        await inside.close()
        as_role = make_url(next_to(given, "_no_extensions")).set(username=role, password=None)
        scratch = Database(as_role.render_as_string(hide_password=False))
        try:
            yield scratch
        finally:
            await scratch.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        await admin.close()


async def test_the_notifications_up_to_the_old_cursor_count_as_looked_at(
    database: Database,
) -> None:
    """Migration `c8e2a4f6b9d1`: an account's notifications up to its old mail cursor are marked
    as looked at (none is mailed twice), the later ones not (none is lost); and back again."""
    anna = await make_account(database, "anna")
    bram = await make_account(database, "bram")
    await schema.downgrade(database, "b3d7f1a9c5e2")
    async with database.engine.begin() as connection:
        for _ in range(3):
            await connection.execute(
                text(
                    "INSERT INTO notification (recipient_id, actor_id, kind, created_at) "
                    "VALUES (:anna, :bram, 'mention', CURRENT_TIMESTAMP)"
                ),
                {"anna": anna.id, "bram": bram.id},
            )
        ids = (await connection.execute(text("SELECT id FROM notification ORDER BY id"))).scalars()
        first, second, _third = ids.all()
        await connection.execute(
            text("UPDATE account SET mailed_notification_id = :second WHERE id = :anna"),
            {"second": second, "anna": anna.id},
        )
    await schema.upgrade(database)
    checked = "SELECT id FROM notification WHERE mail_checked_at IS NOT NULL ORDER BY id"
    async with database.engine.connect() as connection:
        assert (await connection.execute(text(checked))).scalars().all() == [first, second]
    await schema.downgrade(database, "b3d7f1a9c5e2")
    cursor = "SELECT mailed_notification_id FROM account WHERE id = :anna"
    async with database.engine.connect() as connection:
        assert (await connection.execute(text(cursor), {"anna": anna.id})).scalar() == second
    await schema.upgrade(database)
