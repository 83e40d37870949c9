"""Rate limits: checking and counting as one step, also when requests arrive at the same moment."""

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import ratelimit
from buurtnet.core.ratelimit import Budget
from buurtnet.db import Database
from buurtnet.models import RateLimitHit, utcnow

WINDOW = timedelta(minutes=5)


def test_lock_ids_are_stable_signed_64_bit_numbers() -> None:
    assert ratelimit.lock_id("f" * 64) == -1
    assert ratelimit.lock_id("7fffffffffffffff" + "0" * 48) == 2**63 - 1
    assert ratelimit.lock_id("8" + "0" * 63) == -(2**63)
    key = ratelimit.rate_key("login-name", "anna")
    assert ratelimit.lock_id(key) == ratelimit.lock_id(key)
    assert ratelimit.lock_id(key) != ratelimit.lock_id(ratelimit.rate_key("login-name", "bram"))


async def spend_once(database: Database, *budgets: Budget) -> bool:
    async with database.transaction() as session:
        return await ratelimit.spend(session, budgets)


async def stored_keys(database: Database) -> list[str]:
    async with database.reading() as session:
        return list((await session.exec(select(RateLimitHit.key))).all())


async def test_spending_counts_until_the_budget_is_used_up(database: Database) -> None:
    budget = Budget(ratelimit.rate_key("test"), 2, WINDOW)
    assert [await spend_once(database, budget) for _ in range(3)] == [True, True, False]
    assert len(await stored_keys(database)) == 2  # the refused attempt is not counted


async def test_one_used_up_budget_refuses_and_counts_on_none(database: Database) -> None:
    small = Budget(ratelimit.rate_key("small"), 1, WINDOW)
    large = Budget(ratelimit.rate_key("large"), 10, WINDOW)
    assert await spend_once(database, small, large)
    assert not await spend_once(database, large, small)
    assert sorted(await stored_keys(database)) == sorted([small.key, large.key])


async def test_hits_outside_the_window_do_not_count(database: Database) -> None:
    budget = Budget(ratelimit.rate_key("old"), 1, WINDOW)
    async with database.transaction() as session:
        session.add(RateLimitHit(key=budget.key, at=utcnow() - 2 * WINDOW))
    assert await spend_once(database, budget)


async def test_parallel_spending_never_overdraws(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = ratelimit.hits_within

    async def slow_counting(session: AsyncSession, key: str, window: timedelta) -> int:
        found = await counting(session, key, window)
        await asyncio.sleep(0.05)  # a wide gap between counting and recording
        return found

    monkeypatch.setattr(ratelimit, "hits_within", slow_counting)
    budget = Budget(ratelimit.rate_key("parallel"), 3, WINDOW)
    results = await asyncio.gather(*(spend_once(database, budget) for _ in range(8)))
    assert results.count(True) == 3
    assert len(await stored_keys(database)) == 3
