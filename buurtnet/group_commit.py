"""Group commit: small writes that arrive together share one transaction.

A SQLite file takes one write at a time, and on either database a transaction costs more than the
few rows of one incoming activity: a session, BEGIN, COMMIT, and on PostgreSQL a flush of its log.
So a caller hands its write here and waits: the first write starts a batch, those that come while
a batch is written form the next, and every caller hears when its own write is committed, with
its result. A batch that fails is written again one item at a time, by a fallback the caller
gives, so that one bad item costs the others nothing.

On PostgreSQL a batch spends most of its time waiting for answers, so more than one may be under
way. Items with the same `key` (one sender's activities) are then never in two batches at once:
they are committed in the order they came.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
Waiting = list[tuple[T, asyncio.Future[R]]]


class GroupCommit(Generic[T, R]):
    def __init__(
        self,
        write: Callable[[Sequence[T]], Awaitable[Sequence[R]]],
        write_alone: Callable[[T], Awaitable[R]],
        *,
        key: Callable[[T], Hashable] = id,
        most: int = 64,
    ) -> None:
        self._write = write  # all items in one transaction; a result for each
        self._write_alone = write_alone  # one item, after its batch failed
        self._key = key
        self._most = most
        self._waiting: Waiting[T, R] = []
        self._writers: dict[asyncio.Task[None], set[Hashable]] = {}  # each one's keys

    async def submit(self, item: T, *, writers: int = 1) -> R:
        """Write `item` with whatever else waits, with up to `writers` batches under way; its
        result once it is committed, or the error that kept it from being written."""
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if len(self._writers) < writers:
            writer = asyncio.create_task(self._write_all())
            self._writers[writer] = set()
        return await done

    async def _write_all(self) -> None:
        writer = asyncio.current_task()
        assert writer is not None
        batch: Waiting[T, R] = []
        try:
            while batch := self._next_batch(writer):
                await self._write_batch(batch)
                await asyncio.sleep(0)  # let the requests under way join the next batch
        except BaseException as error:  # cancelled at shutdown: no caller is left waiting
            for _, done in batch + self._waiting:
                _fail(done, error)
            self._waiting.clear()
            raise
        finally:
            del self._writers[writer]

    def _next_batch(self, writer: asyncio.Task[None]) -> Waiting[T, R]:
        """The oldest items whose keys no other writer holds, at most `most`; this writer holds
        their keys until it takes its next batch."""
        held = set().union(*(keys for other, keys in self._writers.items() if other is not writer))
        batch: Waiting[T, R] = []
        left: Waiting[T, R] = []
        for entry in self._waiting:
            key = self._key(entry[0])
            if key in held or len(batch) == self._most:
                held.add(key)  # and so its later items wait too, to keep their order
                left.append(entry)
            else:
                batch.append(entry)
        self._waiting = left
        self._writers[writer] = {self._key(item) for item, _ in batch}
        return batch

    async def _write_batch(self, batch: Waiting[T, R]) -> None:
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
