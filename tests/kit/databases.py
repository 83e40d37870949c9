"""Test databases: SQLite by default, PostgreSQL when BUURTNET_TEST_DATABASE_URL names one.

The schema comes from the migrations, once per test process: on SQLite into a template file that
each test copies, on PostgreSQL into a database whose tables are emptied before each test. With
pytest-xdist every worker has databases of its own, named after the given one: `NAME_gw0`,
`NAME_gw1`, …, made on first use from a connection to NAME (which itself stays unused). Tests
that run a second instance get one more, `…_b`, the same way.
"""

import asyncio
import os
import shutil
from pathlib import Path

import asyncpg
from sqlalchemy import make_url, text
from sqlalchemy.dialects import postgresql
from sqlmodel import SQLModel

from buurtnet import schema
from buurtnet.config import normalise_database_url
from buurtnet.db import Database

TEST_DATABASE_URL = os.environ.get("BUURTNET_TEST_DATABASE_URL", "")
SECOND_DATABASE_SUFFIX = "_b"
RESTART_SEQUENCES = (
    "SELECT setval(sequence.oid, 1, false) FROM pg_class AS sequence"
    " JOIN pg_namespace AS namespace ON namespace.oid = sequence.relnamespace"
    " WHERE sequence.relkind = 'S' AND namespace.nspname = 'public'"
)


def on_postgresql() -> bool:
    return TEST_DATABASE_URL.startswith("postgres")


def xdist_worker() -> str | None:
    """This pytest-xdist worker's name (`gw0`, …), or None when the tests run in one process."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def next_to(url: str, suffix: str) -> str:
    """The URL of the database named like the one of `url`, with `suffix` added."""
    parsed = make_url(url)
    assert parsed.database, f"no database named in {url}"
    return parsed.set(database=parsed.database + suffix).render_as_string(hide_password=False)


def postgresql_template(url: str) -> str:
    """The database of this test process, migrated, empty: the given one or the worker's own."""
    given = normalise_database_url(url)
    worker = xdist_worker()
    own = next_to(given, f"_{worker}") if worker else given
    return migrated_postgresql(given, own)


def migrated_postgresql(admin_url: str, url: str) -> str:
    """`url`'s database, made through `admin_url` if missing, with a freshly migrated schema."""
    if url != admin_url:
        asyncio.run(create_database_if_missing(admin_url, make_url(url).database or ""))
    asyncio.run(reset_postgresql_schema(url))
    return url


async def create_database_if_missing(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(plain_postgresql(admin_url))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def reset_postgresql_schema(url: str) -> None:
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await schema.upgrade(database)
    await database.dispose()


async def migrate_sqlite(url: str) -> None:
    database = Database(url)
    await schema.upgrade(database)
    await database.dispose()


def sqlite_template(folder: Path) -> str:
    """A migrated SQLite file in `folder`, for each test to copy."""
    path = folder / "template.sqlite3"
    asyncio.run(migrate_sqlite(f"sqlite+aiosqlite:///{path}"))
    return str(path)


def fresh_database_url(template: str, folder: Path) -> str:
    """A database of our own at the newest migration, empty of rows: a copy of the SQLite
    template in `folder`, or the PostgreSQL template emptied."""
    if on_postgresql():
        asyncio.run(empty_tables(template))
        return template
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "buurtnet.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


async def empty_tables(url: str) -> None:
    """Delete every row, the referring before the referred, and restart every id sequence: in
    one round trip, which costs a fifth of a TRUNCATE of all tables (a new file for each)."""
    tables = reversed(SQLModel.metadata.sorted_tables)
    deletes = [str(table.delete().compile(dialect=postgresql.dialect())) for table in tables]
    statements = [*deletes, RESTART_SEQUENCES]
    connection = await asyncpg.connect(plain_postgresql(url))
    try:
        async with connection.transaction():
            await connection.execute("; ".join(statements))
    finally:
        await connection.close()


def plain_postgresql(url: str) -> str:
    """The URL for asyncpg itself, without SQLAlchemy's driver name."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def second_template(template: str) -> str:
    """What `fresh_database_url` copies or empties for a second instance: on SQLite the same
    file; on PostgreSQL a database of its own, `…_b`, migrated once per test process."""
    if not on_postgresql():
        return template
    return migrated_postgresql(template, next_to(template, SECOND_DATABASE_SUFFIX))
