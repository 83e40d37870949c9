"""Group commit: writes that come together share one batch, each caller gets its own result."""

import asyncio
from collections.abc import Sequence

import pytest

from buurtnet.group_commit import GroupCommit
from tests.kit.waiting import wait_until


class Recorder:
    """A write that records its batches; it fails on the item named `bad`, and waits for
    `release` before it ends, when that is given."""

    def __init__(self, bad: str | None = None, release: asyncio.Event | None = None) -> None:
        self.batches: list[list[str]] = []
        self.alone: list[str] = []
        self.bad = bad
        self.release = release

    async def write(self, items: Sequence[str]) -> list[str]:
        self.batches.append(list(items))
        if self.release is not None:
            await self.release.wait()
        if self.bad in items:
            raise ValueError(self.bad)
        return [f"{item} written" for item in items]

    async def write_alone(self, item: str) -> str:
        self.alone.append(item)
        if item == self.bad:
            raise ValueError(item)
        return f"{item} written alone"


async def submit(
    commit: GroupCommit[str, str], item: str, submitted: list[str], writers: int = 1
) -> str:
    """`commit.submit`, noting in `submitted` that the item is handed over (at once, before
    `submit` waits for anything)."""
    submitted.append(item)
    return await commit.submit(item, writers=writers)


async def test_writes_that_come_together_share_one_batch() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder.write, recorder.write_alone)
    results = await asyncio.gather(*(commit.submit(name) for name in "abc"))
    assert results == ["a written", "b written", "c written"]
    assert recorder.batches == [["a", "b", "c"]]


async def test_writes_that_come_during_a_batch_form_the_next() -> None:
    release = asyncio.Event()
    recorder = Recorder(release=release)
    commit = GroupCommit(recorder.write, recorder.write_alone)
    first = asyncio.create_task(commit.submit("a"))
    await wait_until(lambda: recorder.batches)  # the first batch is being written
    submitted: list[str] = []
    later = [asyncio.create_task(submit(commit, name, submitted)) for name in "bc"]
    await wait_until(lambda: len(submitted) == 2)
    assert recorder.batches == [["a"]]
    release.set()
    assert await asyncio.gather(first, *later) == ["a written", "b written", "c written"]
    assert recorder.batches == [["a"], ["b", "c"]]


async def test_a_batch_holds_at_most_so_many() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder.write, recorder.write_alone, most=2)
    await asyncio.gather(*(commit.submit(name) for name in "abcde"))
    assert recorder.batches == [["a", "b"], ["c", "d"], ["e"]]


async def test_a_failed_batch_is_written_again_one_at_a_time() -> None:
    recorder = Recorder(bad="b")
    commit = GroupCommit(recorder.write, recorder.write_alone)
    results = await asyncio.gather(*(commit.submit(name) for name in "abc"), return_exceptions=True)
    assert results[0] == "a written alone" and results[2] == "c written alone"
    assert isinstance(results[1], ValueError)  # only its own caller hears of the bad one
    assert recorder.alone == ["a", "b", "c"]


async def test_a_caller_that_goes_away_costs_the_others_nothing() -> None:
    release = asyncio.Event()
    recorder = Recorder(release=release)
    commit = GroupCommit(recorder.write, recorder.write_alone)
    gone, staying = (asyncio.create_task(commit.submit(name)) for name in "ab")
    await wait_until(lambda: recorder.batches)  # both are being written
    gone.cancel()
    release.set()
    assert await staying == "b written"
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert await commit.submit("c") == "c written"  # and the next batch is written as usual


async def test_with_two_writers_one_keys_items_wait_for_its_batch_in_order() -> None:
    release = asyncio.Event()
    recorder = Recorder(release=release)
    commit = GroupCommit(recorder.write, recorder.write_alone, key=lambda item: item[0])
    first = asyncio.create_task(commit.submit("a1", writers=2))
    await wait_until(lambda: recorder.batches)  # a1's batch is under way
    submitted: list[str] = []
    later = [
        asyncio.create_task(submit(commit, item, submitted, writers=2))
        for item in ("a2", "b1", "a3")
    ]
    await wait_until(lambda: len(submitted) == 3 and len(recorder.batches) == 2)
    assert recorder.batches == [["a1"], ["b1"]]  # b's batch starts beside a's; a2 and a3 wait
    release.set()
    await asyncio.gather(first, *later)
    assert recorder.batches == [["a1"], ["b1"], ["a2", "a3"]]
