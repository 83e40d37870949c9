"""Tidying that a worker does now and then: expired logins, old rate-limit counts, mailed links
that were used or expired, and jobs that failed long ago. (Federation tidies its own:
`federation.arrivals.forget_old`.)"""

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import login_sessions, mail_tokens, ratelimit
from buurtnet.job_queue import Registry, purge_old_failures

INTERVAL = timedelta(minutes=10)
RATE_LIMIT_HITS_KEPT = timedelta(days=1)


async def tidy(session: AsyncSession) -> None:
    await login_sessions.purge_expired(session)
    await ratelimit.purge_hits(session, RATE_LIMIT_HITS_KEPT)
    await mail_tokens.purge_spent(session)
    await purge_old_failures(session)


def register(registry: Registry) -> None:
    registry.every(INTERVAL, tidy)
