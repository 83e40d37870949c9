"""Bring the database schema to the newest migration, and tell whether it is there.

The migrations live inside the package (`buurtnet/migrations`), so an installed wheel, as in the
Docker image, can migrate without the source tree.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import NameFilterParentNames, NameFilterType
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from buurtnet.db import Database
from buurtnet.models import name_search, post_search

# Made by the migrations alone (see `models.post_search`, `models.name_search`): not in the models,
# so comparing the two (the tests, `alembic revision --autogenerate`) leaves them out.
OUTSIDE_THE_MODELS = {
    *(("table", name) for name in (post_search.SQLITE_TABLE, *post_search.SQLITE_SHADOW_TABLES)),
    ("column", f"post.{post_search.POSTGRESQL_COLUMN}"),
    *(
        ("index", name)
        for name in (
            post_search.POSTGRESQL_INDEX,
            *post_search.POSTGRESQL_FILTER_INDEXES,
            *post_search.POSTGRESQL_WALK_INDEXES,
            name_search.POSTGRESQL_NAME_INDEX,
        )
    ),
}

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def in_the_models(name: str | None, type_: NameFilterType, parents: NameFilterParentNames) -> bool:
    """Alembic's `include_name`: whether an object of the database is described by the models."""
    if type_ == "column":
        name = f"{parents['table_name']}.{name}"
    return (type_, name) not in OUTSIDE_THE_MODELS


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(database: Database, revision: str = "head") -> None:
    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with database.engine.begin() as connection:
        await connection.run_sync(run)


async def downgrade(database: Database, revision: str = "base") -> None:
    def run(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), revision)

    async with database.engine.begin() as connection:
        await connection.run_sync(run)


async def current_revision(database: Database) -> str | None:
    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with database.engine.connect() as connection:
        return await connection.run_sync(read)


async def is_up_to_date(database: Database) -> bool:
    return await current_revision(database) == head_revision()
