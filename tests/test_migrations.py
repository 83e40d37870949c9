"""The schema comes only from migrations: they must produce exactly the models, and reverse."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from buurtnet import models, schema
from buurtnet.db import Database
from buurtnet.models import post_search
from tests.kit.databases import on_postgresql

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
        indexes = {post_search.POSTGRESQL_INDEX, *post_search.POSTGRESQL_FILTER_INDEXES}
        made = {post_search.POSTGRESQL_COLUMN, *indexes}
        assert before - without == made
