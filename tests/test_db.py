"""Sessions: pages read what was committed, never wait for a writer, and cannot write."""

import asyncio

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from buurtnet.db import Database
from buurtnet.models import Neighbourhood


async def names(database: Database) -> list[str]:
    async with database.reading() as session:
        return list((await session.exec(select(Neighbourhood.name))).all())


async def test_a_page_reads_what_was_committed_just_before(database: Database) -> None:
    async with database.transaction() as session:
        session.add(Neighbourhood(slug="vogelwijk", name="Vogelwijk"))
    assert await names(database) == ["Vogelwijk"]


async def test_reading_does_not_wait_for_a_writer_nor_see_what_it_has_not_committed(
    database: Database,
) -> None:
    async with database.transaction() as session:
        session.add(Neighbourhood(slug="vogelwijk", name="Vogelwijk"))
        await session.flush()  # the writer now holds its lock (on SQLite: the whole database)
        assert await asyncio.wait_for(names(database), timeout=2) == []
    assert await names(database) == ["Vogelwijk"]


async def test_a_reading_session_cannot_write(database: Database) -> None:
    with pytest.raises(DBAPIError, match=r"(?i)read.?only"):
        async with database.reading() as session:
            session.add(Neighbourhood(slug="vogelwijk", name="Vogelwijk"))
            await session.flush()
    assert await names(database) == []
