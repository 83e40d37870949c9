"""Alembic environment: runs on the connection that `buurtnet.schema` passes in.

For `alembic revision --autogenerate` from a shell, set BUURTNET_DATABASE_URL (see alembic.ini).
"""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from buurtnet import models  # noqa: F401 - registers the tables on SQLModel.metadata
from buurtnet.config import load_settings
from buurtnet.db import Database
from buurtnet.schema import in_the_models

target_metadata = SQLModel.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=in_the_models,  # not the search's table, column and index
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    database = Database(load_settings().database_url)
    async with database.engine.begin() as connection:
        await connection.run_sync(run_on)
    await database.dispose()


given = context.config.attributes.get("connection")
if given is not None:
    run_on(given)
else:
    asyncio.run(run_from_settings())
