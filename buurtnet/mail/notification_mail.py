"""The mail of notifications: every few minutes, one mail per person who is due, with all that
is new for them (`core/notification_bundles` decides who and what, at most once an hour)."""

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import paths
from buurtnet.core import notification_bundles
from buurtnet.core.notifications import FROM_MODERATION, NotificationView
from buurtnet.job_queue import Registry
from buurtnet.mail import outbox
from buurtnet.mail.letters import Letters
from buurtnet.mail.unsubscribe import Topic
from buurtnet.web.notification_sentences import sentence_of

INTERVAL = timedelta(minutes=5)  # how long the first news of a quiet hour may wait
SHOWN = 20  # notifications in one mail; the rest are on the notifications page


def path_of(item: NotificationView) -> str:
    """Where to read more: the post, the person, or (moderation's news) the notifications page."""
    if item.notification.kind in FROM_MODERATION:
        return "/notifications"
    if item.post is not None and item.post.id is not None:
        return paths.post(item.post.id)
    return paths.profile(item.actor.handle)


async def queue_bundles(
    session: AsyncSession, letters: Letters, now: datetime | None = None
) -> int:
    """Queue the mails of a batch of people who are due, in the transaction that marks their
    notifications as looked at; how many mails."""
    bundles = await notification_bundles.take_due(session, now)
    for bundle in bundles:
        letter = letters.write(
            "notifications",
            bundle.recipient,
            topic=Topic.NOTIFICATIONS,
            items=bundle.items[:SHOWN],
            more=max(len(bundle.items) - SHOWN, 0),
            sentence_of=sentence_of,
            path_of=path_of,
        )
        outbox.queue(session, letter)
    return len(bundles)


def register(registry: Registry, letters: Letters) -> None:
    async def mail_notifications(session: AsyncSession) -> None:
        await queue_bundles(session, letters)

    registry.every(INTERVAL, mail_notifications)
