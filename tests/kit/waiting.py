"""Waiting for something to happen, with a deadline and a clear failure: never a bare sleep that
hopes the thing is done by then.

`wait_until(condition)` polls a condition (a function, or a coroutine function) until it gives
something true and returns that; after `within` seconds it fails the test and names the
condition. `wait_until_blocking` does the same for code that runs outside an event loop.
"""

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, overload

T = TypeVar("T")
WITHIN = 15.0  # seconds: generous, as a test waits only as long as the thing takes
EVERY = 0.02


@overload
async def wait_until(
    condition: Callable[[], Awaitable[T | None]], *, within: float = ..., every: float = ...
) -> T: ...


@overload
async def wait_until(
    condition: Callable[[], T | None], *, within: float = ..., every: float = ...
) -> T: ...


async def wait_until(
    condition: Callable[[], Any], *, within: float = WITHIN, every: float = EVERY
) -> Any:
    """What `condition()` gives as soon as it is true, checked every `every` seconds."""
    try:
        async with asyncio.timeout(within):
            while True:
                found = condition()
                if inspect.isawaitable(found):
                    found = await found
                if found:
                    return found
                await asyncio.sleep(every)
    except TimeoutError:
        raise AssertionError(still_not_so(condition, within)) from None


def wait_until_blocking(
    condition: Callable[[], T | None], *, within: float = WITHIN, every: float = EVERY
) -> T:
    """`wait_until` for a thread without an event loop: blocks it while it waits."""
    deadline = time.monotonic() + within
    while True:
        if found := condition():
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(still_not_so(condition, within))
        time.sleep(every)


def still_not_so(condition: Callable[..., object], within: float) -> str:
    name = getattr(condition, "__name__", repr(condition))
    return f"{name}: still not so after {within:g} s"
