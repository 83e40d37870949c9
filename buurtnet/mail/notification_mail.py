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
from buurtnet.models import NotificationKind
from buurtnet.web.messages import N_

INTERVAL = timedelta(minutes=5)  # how long the first news of a quiet hour may wait
SHOWN = 20  # notifications in one mail; the rest are on the notifications page
K = NotificationKind
# What each says, with the msgids of the notifications page: the mail says what the page says.
# Moderation's news names neither the moderator nor, in a mail, the details: the page has them.
SENTENCES = {
    K.MENTION: N_("%(name)s named you in a message."),
    K.REPLY: N_("%(name)s replied to your message."),
    K.LIKE: N_("%(name)s likes your message."),
    K.SHARE: N_("%(name)s shared your message."),
    K.FOLLOW: N_("%(name)s follows you now."),
    K.EVENT_CHANGED: N_("%(name)s changed the time or place of an activity you signed up for."),
    K.EVENT_CANCELLED: N_("%(name)s cancelled an activity you signed up for."),
    K.MOVED_UP: N_("A place came free: you are no longer on the waiting list. You can come!"),
    K.JOIN_REFUSED: N_(
        "%(name)s could not take your sign-up for an activity: it is full or closed."
    ),
    K.REMINDER: N_("Reminder: an activity you signed up for is tomorrow."),
    K.POLL_ENDED: N_("The poll of %(name)s has ended. The result is in."),
    K.NEW_NEIGHBOUR: N_("New in the neighbourhood: %(name)s"),
    K.MODERATED: N_("The moderators took a decision about your message or your account."),
    K.REPORT_CLOSED: N_("There is news about your report."),
    K.APPEAL_DECIDED: N_("There is a decision about your appeal."),
}
OWN_POLL_ENDED = N_("Your poll has ended. The result is in.")


def sentence_of(item: NotificationView) -> str:
    """The msgid that tells what happened; the letter fills in the name (escaped in HTML)."""
    note = item.notification
    if note.kind == K.POLL_ENDED and item.actor.id == note.recipient_id:
        return OWN_POLL_ENDED
    return SENTENCES[K(note.kind)]


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
    """Queue the mails of a batch of people who are due, in the transaction that moves their
    cursors on; how many mails."""
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
