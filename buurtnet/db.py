"""Engine and sessions.

`Database.transaction()` is for work that writes: on SQLite it starts with `BEGIN IMMEDIATE`, so two
writers queue on the busy timeout instead of failing when a read lock would have to be upgraded.
Within one process, SQLite's writers also queue on an asyncio lock first: SQLite lets one write
at a time anyway, and a writer that waits in SQLite's busy handler sleeps in steps of up to
100 ms, long after the lock is free. The busy timeout is left for other processes (the CLI).
`Database.reading()` is for pages that only read, on connections that cannot write: on SQLite in
the event loop's own thread (see `sqlite_inline`), on PostgreSQL without a transaction of its own.
`Database.bulk_reading()` is for a read of unbounded size, which must not hold up the event loop.
"""

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import event, make_url, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import sqlite_inline
from buurtnet.models import MAX_ROW_ID

T = TypeVar("T")
WRITE_OPTION = "buurtnet_write"
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Connections a process keeps to PostgreSQL (20, and up to 25 under load; the README says so):
# pages read far more often than anything writes. The reading ones are all kept open: a pool
# closes a connection beyond its size as soon as it is back, and under load that meant opening
# one (a new PostgreSQL backend) for nearly every request.
# Writing connections are tested before use, so that a restarted database costs no change; a
# reading one is not (that is one more round trip on every page): after a restart the login
# look-up meets a closed connection, SQLAlchemy replaces the pool, and `read_retrying` tries again.
# Connections to a SQLite file cost little, but opening one does (its pragmas): kept open for as
# many as run at once (a worker's batch of jobs side by side, and the requests meanwhile).
SQLITE_INLINE_POOL = {"pool_size": 20, "max_overflow": 20}
POSTGRESQL_READ_POOL = {"pool_size": 15, "max_overflow": 0}
POSTGRESQL_WRITE_POOL = {"pool_size": 5, "max_overflow": 5, "pool_pre_ping": True}
# No JIT compilation: our statements run in milliseconds, and where PostgreSQL's estimate of a
# plan is high (a search's look-up in a GIN index, the digest's visibility check of many rows)
# it spent 60-600 ms compiling before a statement that then ran in one (bench/README.md).
NO_JIT = {"jit": "off"}


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine: AsyncEngine = create_async_engine(url, echo=echo)
            _configure_sqlite(self.engine)
            self.bulk_engine = self.read_engine = self.engine
            path = make_url(url).database
            if path and path != ":memory:":  # an in-memory database is private to its connection
                absolute = os.path.abspath(path)
                self.engine = _inline_sqlite(url, sqlite_inline.writer(absolute), echo)
                self.read_engine = _inline_sqlite(url, sqlite_inline.reader(absolute), echo)
        else:
            self.engine = create_async_engine(
                url, echo=echo, connect_args={"server_settings": NO_JIT}, **POSTGRESQL_WRITE_POOL
            )
            self.bulk_engine = self.read_engine = _postgresql_reader(url, echo)
        self._read_sessions = async_sessionmaker(
            self.read_engine, class_=AsyncSession, expire_on_commit=False
        )
        self._bulk_read_sessions = async_sessionmaker(
            self.bulk_engine, class_=AsyncSession, expire_on_commit=False
        )
        self._write_sessions = async_sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}),
            class_=AsyncSession,
            expire_on_commit=False,
        )
        self._writer_turn = asyncio.Lock() if self.is_sqlite else contextlib.nullcontext()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction, committed when the block ends without an error."""
        async with self._writer_turn, self._write_sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for a page's reads, which are short: a look-up on an index, a page of rows."""
        async with self._read_sessions() as session:
            yield session

    async def read_retrying(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work` in a reading session, once more if its connection turned out to be closed.

        Reading connections are not tested before use; after a database restart the first
        statement meets a closed one, SQLAlchemy replaces the pool, and a second try succeeds.
        For the read that starts every request (the login), so a restart costs no error page.
        """
        try:
            async with self.reading() as session:
                return await work(session)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        async with self.reading() as session:
            return await work(session)

    @asynccontextmanager
    async def bulk_reading(self) -> AsyncIterator[AsyncSession]:
        """A session for a read with no bound on its size (all of a resident's data).

        On SQLite it reads through aiosqlite's thread, so that other pages do not wait for it
        in the event loop; on PostgreSQL it is `reading()`.
        """
        async with self._bulk_read_sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        for engine in {self.engine, self.read_engine, self.bulk_engine}:
            await engine.dispose()


ROW_ID = re.compile(r"[1-9][0-9]{0,9}")


def parse_row_id(text: str) -> int | None:
    """A row id as typed in a URL or a form: ASCII digits only (`str.isdigit` takes "²"), and
    within what PostgreSQL's `integer` holds. Anything else names a row we do not have."""
    if not ROW_ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ROW_ID else None


async def is_postgresql(session: AsyncSession) -> bool:
    return session.sync_session.get_bind().dialect.name == "postgresql"


async def insert_new(
    session: AsyncSession, table: type[Any], rows: list[dict[str, Any]], *, unique: list[str]
) -> int:
    """Insert the rows that are not there yet (by the `unique` columns); how many were new.

    Two requests may add the same row at once (a double-clicked like, a new hashtag): the
    database decides, instead of a look-up that races.
    """
    if not rows:
        return 0
    insert = postgresql_insert if await is_postgresql(session) else sqlite_insert
    statement = insert(table).values(rows).on_conflict_do_nothing(index_elements=unique)
    result = await session.exec(statement)
    return int(result.rowcount)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, and transactions that SQLAlchemy (not sqlite3) begins.

    Otherwise sqlite3 begins transactions itself, which breaks SAVEPOINTs and `BEGIN IMMEDIATE`.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    _begin_transactions(engine)


def _begin_transactions(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _postgresql_reader(url: str, echo: bool) -> AsyncEngine:
    """Reading connections without BEGIN and ROLLBACK around every page, which cannot write.

    In PostgreSQL's READ COMMITTED each statement sees the newest committed data, inside a
    transaction or not, so a transaction would only add two round trips to every page.
    """
    read_only = {"server_settings": {"default_transaction_read_only": "on", **NO_JIT}}
    return create_async_engine(
        url, echo=echo, isolation_level="AUTOCOMMIT", connect_args=read_only, **POSTGRESQL_READ_POOL
    )


def _inline_sqlite(
    url: str, creator: Callable[[], Awaitable[sqlite_inline.InlineConnection]], echo: bool
) -> AsyncEngine:
    """An engine on connections in the event loop's thread; transactions begun as on aiosqlite
    (`BEGIN IMMEDIATE` for writes; `BEGIN` for reads: one snapshot for all the reads of a page)."""
    engine = create_async_engine(url, echo=echo, async_creator=creator, **SQLITE_INLINE_POOL)
    _begin_transactions(engine)
    return engine
