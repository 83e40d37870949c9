"""Sessions: pages read what was committed, never wait for a writer, and cannot write."""

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.db import Database
from buurtnet.models import Neighbourhood
from tests.conftest import event_loop_ticks


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


LONG_QUERY = text(
    "WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < 1500000)"
    " SELECT count(*) FROM numbers"
)


async def test_a_bulk_read_leaves_the_event_loop_free_for_other_pages(database: Database) -> None:
    async with event_loop_ticks(every=0.005) as ticks, database.bulk_reading() as session:
        connection = await session.connection()
        assert (await connection.execute(LONG_QUERY)).one()[0] == 1_500_000
    assert ticks.count >= 5, "the event loop stood still while the read ran"


async def test_a_read_is_tried_again_when_its_connection_was_closed_behind_its_back(
    database: Database,
) -> None:
    """As after a database restart, when the pooled reading connection is dead when used."""
    tries = 0

    async def count_neighbourhoods(session: AsyncSession) -> int:
        nonlocal tries
        tries += 1
        if tries == 1:
            raw = await (await session.connection()).get_raw_connection()
            await raw.driver_connection.close()  # type: ignore[union-attr]
        return len((await session.exec(select(Neighbourhood))).all())

    assert await database.read_retrying(count_neighbourhoods) == 0
    assert tries == 2


async def test_writers_of_one_process_take_turns(database: Database) -> None:
    """The second writer starts when the first has committed: on SQLite it waits on the
    asyncio lock, not in SQLite's busy handler; on PostgreSQL both run, the row lock decides."""
    events: list[str] = []
    first_holds = asyncio.Event()

    async def first() -> None:
        async with database.transaction() as session:
            session.add(Neighbourhood(slug="a", name="A"))
            await session.flush()
            first_holds.set()
            await asyncio.sleep(0.05)
            events.append("first commits")

    async def second() -> None:
        await first_holds.wait()
        async with database.transaction() as session:
            session.add(Neighbourhood(slug="b", name="B"))
            await session.flush()
            events.append("second wrote")

    await asyncio.wait_for(asyncio.gather(first(), second()), timeout=5)
    assert sorted(await names(database)) == ["A", "B"]
    if database.is_sqlite:
        assert events == ["first commits", "second wrote"]
