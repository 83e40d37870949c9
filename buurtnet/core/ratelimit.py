"""Counting events per key in a sliding window, in the database so every web process shares it.

Checking a budget and counting a hit must be one step, or parallel requests all see room and all
pass. So both happen in one write transaction that first serialises on the keys: on SQLite its
`BEGIN IMMEDIATE` already lets one writer in at a time; on PostgreSQL `lock` takes an advisory lock
per key that the transaction holds until it ends.
"""

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.models import RateLimitHit, utcnow


@dataclass(frozen=True)
class Budget:
    """At most `limit` hits under `key` within `window`."""

    key: str
    limit: int
    window: timedelta


def rate_key(*parts: str) -> str:
    """A stable key that does not keep the address or name itself in the table."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def lock_id(key: str) -> int:
    """The signed 64-bit number that PostgreSQL's advisory locks take, derived from a key."""
    return int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)


async def hits_within(session: AsyncSession, key: str, window: timedelta) -> int:
    """How many hits the key had recently: the window slides, so old ones stop counting."""
    since = utcnow() - window
    query = select(func.count()).where(RateLimitHit.key == key, col(RateLimitHit.at) > since)
    return (await session.exec(query)).one()


async def any_spent(session: AsyncSession, budgets: Sequence[Budget]) -> bool:
    """Whether any budget is used up. Without `lock` first, only a hint for skipping work."""
    for budget in budgets:
        if await hits_within(session, budget.key, budget.window) >= budget.limit:
            return True
    return False


async def seconds_until_room(session: AsyncSession, budget: Budget) -> int:
    """How long until the budget has room again: until its oldest hit in the window leaves it
    (at least 1 s; what a `Retry-After` header says)."""
    since = utcnow() - budget.window
    query = select(func.min(RateLimitHit.at)).where(
        RateLimitHit.key == budget.key, col(RateLimitHit.at) > since
    )
    oldest = (await session.exec(query)).one()
    if oldest is None:
        return 1
    if oldest.tzinfo is None:  # SQLite hands back UTC without its zone
        oldest = oldest.replace(tzinfo=UTC)
    return max(1, math.ceil((oldest - since).total_seconds()))


async def lock(session: AsyncSession, budgets: Sequence[Budget]) -> None:
    """Serialise on the budgets' keys until the transaction ends (PostgreSQL; SQLite already is).

    Keys are locked in one order, so two transactions that need the same keys cannot deadlock.
    """
    if (await session.connection()).dialect.name != "postgresql":
        return
    for number in sorted({lock_id(budget.key) for budget in budgets}):
        await session.exec(select(func.pg_advisory_xact_lock(number)))


def record_hit(session: AsyncSession, key: str) -> None:
    """Count one event; after `lock`, so a parallel request cannot count past the limit."""
    session.add(RateLimitHit(key=key))


async def spend(session: AsyncSession, budgets: Sequence[Budget]) -> bool:
    """Check and count in one serialised step: count a hit on every budget and return True, or
    return False (counting nothing) when one is used up. Use it in a write transaction."""
    await lock(session, budgets)
    if await any_spent(session, budgets):
        return False
    for budget in budgets:
        record_hit(session, budget.key)
    return True


async def purge_hits(session: AsyncSession, older_than: timedelta) -> None:
    """Forget hits older than every window, so the table stays small."""
    await session.exec(delete(RateLimitHit).where(col(RateLimitHit.at) < utcnow() - older_than))
