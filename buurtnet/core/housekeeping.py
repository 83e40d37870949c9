"""Tidying that a worker does now and then: expired logins, old rate-limit counts, and the ids of
activities received long enough ago that nobody sends them again."""

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import login_sessions, ratelimit
from buurtnet.job_queue import Registry, purge_old_failures
from buurtnet.models import ReceivedActivity, utcnow

INTERVAL = timedelta(minutes=10)
RATE_LIMIT_HITS_KEPT = timedelta(days=1)
# Servers retry a delivery for days (Mastodon about 2.5, we about 7): a fortnight covers them.
RECEIVED_ACTIVITIES_KEPT = timedelta(days=14)


async def tidy(session: AsyncSession) -> None:
    await login_sessions.purge_expired(session)
    await ratelimit.purge_hits(session, RATE_LIMIT_HITS_KEPT)
    await purge_old_failures(session)
    await session.exec(
        delete(ReceivedActivity).where(
            col(ReceivedActivity.received_at) < utcnow() - RECEIVED_ACTIVITIES_KEPT
        )
    )


def register(registry: Registry) -> None:
    registry.every(INTERVAL, tidy)
