"""The schema comes only from migrations: they must produce exactly the models, and reverse."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, String
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from buurtnet import models, schema
from buurtnet.db import Database
from tests.kit.databases import on_postgresql

assert models  # the tables are registered on SQLModel.metadata by importing the models


def differences(connection: Connection, metadata: MetaData = SQLModel.metadata) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
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
