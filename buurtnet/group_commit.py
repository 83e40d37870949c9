"""Group commit: small writes that arrive together share one transaction.

A SQLite file takes one write at a time, and on either database a transaction costs more than the
few rows of one incoming activity: a session, BEGIN, COMMIT, and on PostgreSQL a flush of its log.
So a caller hands its write here and waits: the first write starts a batch, those that come while
a batch is written form the next, and every caller hears when its own write is committed, with
its result. A batch that fails is written again one item at a time, by a fallback the caller
gives, so that one bad item costs the others nothing.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    def __init__(
        self,
        write: Callable[[Sequence[T]], Awaitable[Sequence[R]]],
        write_alone: Callable[[T], Awaitable[R]],
        *,
        most: int = 64,
    ) -> None:
        self._write = write  # all items in one transaction; a result for each
        self._write_alone = write_alone  # one item, after its batch failed
        self._most = most
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Write `item` with whatever else waits; its result once it is committed, or the error
        that kept it from being written."""
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all())
        return await done

    async def _write_all(self) -> None:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while self._waiting:
                batch = self._waiting[: self._most]
                del self._waiting[: self._most]
                await self._write_batch(batch)
                await asyncio.sleep(0)  # let the requests under way join the next batch
        except BaseException as error:  # cancelled at shutdown: no caller is left waiting
            for _, done in batch + self._waiting:
                _fail(done, error)
            self._waiting.clear()
            raise
        finally:
            self._writer = None

    async def _write_batch(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._write([item for item, _ in batch])
        except Exception:
            for item, done in batch:
                try:
                    result = await self._write_alone(item)
                except Exception as error:
                    _fail(done, error)
                else:
                    _succeed(done, result)
        else:
            for (_, done), result in zip(batch, results, strict=True):
                _succeed(done, result)


# A caller may have gone meanwhile (its request was cancelled): then nobody is told.
def _succeed(done: asyncio.Future[R], result: R) -> None:
    if not done.done():
        done.set_result(result)


def _fail(done: asyncio.Future[R], error: BaseException) -> None:
    if not done.done():
        done.set_exception(error)
