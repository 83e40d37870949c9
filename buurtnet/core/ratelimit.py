"""Counting events per key in a sliding window, in the database so every web process shares it."""

import hashlib
from datetime import timedelta

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.models import RateLimitHit, utcnow


def rate_key(*parts: str) -> str:
    """A stable key that does not keep the address or name itself in the table."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


async def hits_within(session: AsyncSession, key: str, window: timedelta) -> int:
    since = utcnow() - window
    query = select(func.count()).where(RateLimitHit.key == key, col(RateLimitHit.at) > since)
    return (await session.exec(query)).one()


async def is_limited(session: AsyncSession, key: str, *, limit: int, window: timedelta) -> bool:
    return await hits_within(session, key, window) >= limit


async def record_hit(session: AsyncSession, key: str) -> None:
    session.add(RateLimitHit(key=key))


async def purge_hits(session: AsyncSession, older_than: timedelta) -> None:
    await session.exec(delete(RateLimitHit).where(col(RateLimitHit.at) < utcnow() - older_than))
