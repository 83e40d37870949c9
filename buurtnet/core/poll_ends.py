"""The end of a poll, handled once (`Poll.ended_at`) by a periodic task: its voters here and its
author are told (`POLL_ENDED`), and those elsewhere who have a poll of ours get its final counts.

Several workers may run the task at once: each takes the polls that no other has locked
(`SKIP LOCKED` on PostgreSQL; SQLite runs one writer at a time), so a poll ends once.
"""

from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import notifications, poll_news, polls
from buurtnet.job_queue import Registry
from buurtnet.models import Account, NotificationKind, Poll, Post, utcnow

INTERVAL = timedelta(minutes=1)
BATCH = 100


async def end_polls(session: AsyncSession) -> None:
    """Handle the polls whose end has come, up to `BATCH` a turn."""
    now = utcnow()
    query = (
        select(Poll, Post)
        .join(Post, col(Post.id) == col(Poll.post_id))
        .where(col(Poll.ended_at).is_(None), col(Poll.ends_at) <= now)
        .order_by(col(Poll.ends_at))
        .limit(BATCH)
        .with_for_update(skip_locked=True, of=Poll)
    )
    for poll, post in (await session.exec(query)).all():
        poll.ended_at = now
        await _tell(session, post)
        await poll_news.counts_changed(session, post, at_once=True)


async def _tell(session: AsyncSession, post: Post) -> None:
    """Its voters and its author (if here); `notify` leaves out anyone elsewhere."""
    assert post.id is not None
    told = set(await polls.voter_ids(session, post.id))
    author = await session.get(Account, post.author_id)
    if author is not None and author.domain is None:
        told.add(post.author_id)
    await notifications.notify_many(
        session, sorted(told), post.author_id, NotificationKind.POLL_ENDED, post.id
    )


def register(registry: Registry) -> None:
    registry.every(INTERVAL, end_polls)
