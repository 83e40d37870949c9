"""SQLite connections run in the event loop's own thread, for reading and for writing.

aiosqlite runs every call (open a cursor, execute, fetch, close) in a thread of its own and wakes
the event loop for each answer: a page of a few short look-ups pays for twenty or thirty of those
hand-overs, more than the SQL itself costs, and a write transaction of four statements took
3.5 ms, nearly all of it hand-overs. So statements run on plain `sqlite3` connections directly.

That is safe because nothing here waits long. In WAL mode a reader never waits for a lock. A
writer could wait for another writer, but within the process writers take turns on an asyncio
lock first (`Database.transaction`), so a writer finds the lock free unless another process (a
command line tool) holds it for its few milliseconds; `WRITE_BUSY_TIMEOUT_MS` bounds even that.
Unbounded reads (an export) still go through aiosqlite, so that they do not hold up the loop.

The classes below offer the part of aiosqlite's interface that SQLAlchemy's aiosqlite dialect uses,
handed to it with `create_async_engine(..., async_creator=...)`. Reading connections are
`query_only`: a write through one fails at once.
"""

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

READ_BUSY_TIMEOUT_MS = 1_000  # a WAL reader waits only in rare cases (recovery after a crash)
WRITE_BUSY_TIMEOUT_MS = 2_000  # only for another process's writer; ours take turns before


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> "InlineCursor":
        return self

    async def __aexit__(self, *_exception: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> "InlineCursor":
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> "InlineCursor":
        self._cursor.executemany(sql, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineConnection:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._connection.cursor())

    async def create_function(self, *arguments: Any, **options: Any) -> None:
        self._connection.create_function(*arguments, **options)

    async def commit(self) -> None:
        self._connection.commit()

    async def rollback(self) -> None:
        self._connection.rollback()

    async def close(self) -> None:
        self._connection.close()

    def stop(self) -> None:
        self._connection.close()


def reader(path: str) -> Callable[[], Awaitable[InlineConnection]]:
    """An `async_creator` for SQLAlchemy: read-only connections to the database file at `path`."""
    return _creator(path, f"PRAGMA busy_timeout={READ_BUSY_TIMEOUT_MS}", "PRAGMA query_only=ON")


def writer(path: str) -> Callable[[], Awaitable[InlineConnection]]:
    """An `async_creator` for SQLAlchemy: writing connections, in WAL mode with foreign keys."""
    return _creator(
        path,
        "PRAGMA journal_mode=WAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA synchronous=NORMAL",
        f"PRAGMA busy_timeout={WRITE_BUSY_TIMEOUT_MS}",
    )


def _creator(path: str, *pragmas: str) -> Callable[[], Awaitable[InlineConnection]]:
    async def connect() -> InlineConnection:
        # The pool may close a connection from another thread (at shutdown); sqlite3 is built
        # serialised, so that is safe. `isolation_level=None`: SQLAlchemy begins transactions.
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in pragmas:
            connection.execute(pragma)
        return InlineConnection(connection)

    return connect
