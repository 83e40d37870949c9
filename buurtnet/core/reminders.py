"""The reminder the day before an activity, to everyone who comes or might come: once.

A worker looks every few minutes for activities that start within a day and have had no
reminder yet (`Event.reminded_at`), marks them and tells their people, in one transaction; rows
another worker is busy with are skipped (`SKIP LOCKED`), so nobody hears twice. An activity made
(or moved) so late that less than `LATEST_BEFORE` is left gets none: a reminder would come after
the news itself. Moving an activity makes a reminder for its new day due again (`events`).
"""

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import event_access, notifications
from buurtnet.core.local_times import utc
from buurtnet.job_queue import Registry
from buurtnet.models import Event, NotificationKind, Post, utcnow

INTERVAL = timedelta(minutes=5)
AHEAD = timedelta(days=1)
LATEST_BEFORE = timedelta(hours=12)
BATCH = 200


async def send_due(session: AsyncSession, now: datetime | None = None) -> int:
    """Remind the people of activities that start within a day; how many activities."""
    now = now or utcnow()
    query = (
        select(Event, Post.author_id)
        .join(Post, col(Post.id) == col(Event.post_id))
        .where(
            col(Event.reminded_at).is_(None),
            col(Event.cancelled_at).is_(None),
            col(Post.moderation).is_(None),  # not an activity removed or held by moderation
            col(Event.starts_at) > now,
            col(Event.starts_at) <= now + AHEAD,
        )
        .order_by(col(Event.starts_at))
        .limit(BATCH)
        .with_for_update(of=Event, skip_locked=True)
    )
    due = (await session.exec(query)).all()
    for event, organiser_id in due:
        event.reminded_at = now
        session.add(event)
        if utc(event.starts_at) - now < LATEST_BEFORE:
            continue
        people = await event_access.participant_ids(session, event.post_id, event_access.REMINDED)
        await notifications.notify_many(
            session, people, organiser_id, NotificationKind.REMINDER, event.post_id
        )
    return len(due)


async def _send_due(session: AsyncSession) -> None:
    await send_due(session)


def register(registry: Registry) -> None:
    registry.every(INTERVAL, _send_due)
