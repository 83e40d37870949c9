"""The weekly digest by mail: from Friday afternoon on, a batch of residents a minute, each one
mail with the news of their neighbourhood as they may see it (`core/digests`)."""

from collections.abc import Collection
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import paths
from buurtnet.core import digests
from buurtnet.core.digests import Digest
from buurtnet.job_queue import Registry
from buurtnet.mail import outbox
from buurtnet.mail.letters import Letter, Letters
from buurtnet.mail.unsubscribe import Topic

INTERVAL = timedelta(minutes=1)  # a batch (`digests.BATCH`) a turn: 10,000 residents in 20 min


async def queue_digests(
    session: AsyncSession, letters: Letters, zone: ZoneInfo, now: datetime | None = None
) -> int:
    """Queue the digests of a batch of residents who are due, in the transaction that marks
    them sent; how many residents were taken (0: nobody is due any more this week)."""
    taken = await digests.take_due(session, zone, now)
    _queue(session, letters, taken)
    return len(taken)


async def queue_first_digests(
    session: AsyncSession, letters: Letters, usernames: Collection[str]
) -> None:
    """The demo's people's first digests, at once (`digests.take_first`)."""
    while taken := await digests.take_first(session, usernames):
        _queue(session, letters, taken)


def _queue(session: AsyncSession, letters: Letters, taken: list[Digest]) -> None:
    for digest in taken:
        if not digest.is_empty:
            outbox.queue(session, write_digest(letters, digest))


def write_digest(letters: Letters, digest: Digest) -> Letter:
    return letters.write(
        "digest",
        digest.recipient,
        topic=Topic.DIGEST,
        neighbourhood=digest.neighbourhood,
        news=digest.news,
        post_path=paths.post,
        neighbourhood_path=paths.neighbourhood,
    )


def register(registry: Registry, letters: Letters, zone: ZoneInfo) -> None:
    async def mail_digests(session: AsyncSession) -> None:
        await queue_digests(session, letters, zone)

    registry.every(INTERVAL, mail_digests)
