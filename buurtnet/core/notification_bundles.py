"""Notifications by e-mail, bundled: at most one mail an hour per person, holding everything new
of the kinds they chose (`mail_choices`).

A worker's periodic task (`mail/notification_mail`) takes the accounts that are due (`take_due`):
an address that may get news, kinds chosen, no mail in the last hour, and unread notifications
after `Account.mailed_notification_id`. For a batch of them the notifications are read in one
statement, with who did it, the post and the words of a reply or mention, as far as the
recipient may still see them (`notifications.still_shown`, the rule of the notifications page).
The cursor moves past every notification looked at, mailed or not (read already, of a kind not
chosen, no longer shown), so nobody is taken again for the same ones; `notified_by_mail_at` is
set only when a mail goes out, and starts the hour. All of it happens in the caller's
transaction, in which the caller queues the mails: a crash undoes both.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import mail_choices, notifications, visibility
from buurtnet.core.notifications import NotificationView
from buurtnet.models import Account, Event, Notification, NotificationKind, Post, utcnow

AT_MOST_EVERY = timedelta(hours=1)
# Older news is not mailed: someone who turns mail on, or confirms their address, does not get
# a month of notifications at once (the notifications page has them all).
FRESH = timedelta(days=2)
BATCH = 200  # accounts a turn


@dataclass(frozen=True)
class Bundle:
    recipient: Account
    items: list[NotificationView]  # newest first


async def take_due(session: AsyncSession, now: datetime | None = None) -> list[Bundle]:
    """The bundles to mail now, with the cursors moved on; accounts with nothing left to mail
    (only likes, say, when likes are not chosen) get their cursor moved and no bundle."""
    now = now or utcnow()
    recipients = await _due(session, now)
    if not recipients:
        return []
    ids = [recipient.id for recipient in recipients if recipient.id is not None]
    # The newest first, then the notifications up to it: one that arrives meanwhile is after
    # the cursor, and goes in the next mail.
    newest = await _newest(session, ids)
    found: dict[int, list[NotificationView]] = defaultdict(list)
    for view in await _views(session, ids, max(newest.values(), default=0), now):
        recipient_id = view.notification.recipient_id
        if view.notification.id is not None and view.notification.id <= newest[recipient_id]:
            found[recipient_id].append(view)
    bundles = []
    for recipient in recipients:
        assert recipient.id is not None
        wanted = mail_choices.chosen_kinds(recipient)
        items = [view for view in found[recipient.id] if view.notification.kind in wanted]
        recipient.mailed_notification_id = newest.get(recipient.id, 0)
        if items:
            recipient.notified_by_mail_at = now
            bundles.append(Bundle(recipient, items))
    return bundles


async def _due(session: AsyncSession, now: datetime) -> Sequence[Account]:
    waiting = exists().where(
        col(Notification.recipient_id) == col(Account.id),
        col(Notification.id) > col(Account.mailed_notification_id),
        col(Notification.read_at).is_(None),
    )
    last_mail = col(Account.notified_by_mail_at)
    query = (
        select(Account)
        .where(
            mail_choices.may_get_news_by_mail(),
            col(Account.mail_kinds) != "",
            or_(last_mail.is_(None), last_mail <= now - AT_MOST_EVERY),
            waiting,
        )
        .order_by(col(Account.id))
        .limit(BATCH)
        # Another worker skips these accounts (PostgreSQL); SQLite has one writer at a time.
        .with_for_update(of=Account, skip_locked=True)
    )
    return (await session.exec(query)).all()


async def _newest(session: AsyncSession, ids: list[int]) -> dict[int, int]:
    """Each account's newest notification, read or not: where its cursor moves to."""
    query = (
        select(col(Notification.recipient_id), func.max(col(Notification.id)))
        .where(col(Notification.recipient_id).in_(ids))
        .group_by(col(Notification.recipient_id))
    )
    return {recipient: newest for recipient, newest in (await session.exec(query)).all() if newest}


async def _views(
    session: AsyncSession, ids: list[int], up_to: int, now: datetime
) -> list[NotificationView]:
    """The batch's unread notifications after each one's cursor, that they may still see, with
    what the notifications page says of each: one statement, whatever the batch holds."""
    recipient, actor, item = aliased(Account), aliased(Account), aliased(Post)
    # `Post` itself is the post a reply answers: the visibility policy is a condition on `Post`.
    answered = and_(
        col(Notification.kind) == NotificationKind.REPLY,
        col(Post.id) == col(item.in_reply_to_id),
        visibility.visible_to_viewer(col(recipient.id), col(recipient.neighbourhood_id)),
    )
    query = (
        select(Notification, actor, item, Post)
        .join(recipient, col(recipient.id) == col(Notification.recipient_id))
        .join(actor, col(actor.id) == col(Notification.actor_id))
        .outerjoin(item, col(item.id) == col(Notification.post_id))
        .outerjoin(Post, answered)
        .where(
            col(Notification.recipient_id).in_(ids),
            col(Notification.id) > col(recipient.mailed_notification_id),
            col(Notification.id) <= up_to,
            col(Notification.read_at).is_(None),
            col(Notification.created_at) >= now - FRESH,
            notifications.still_shown(col(recipient.id), col(recipient.neighbourhood_id)),
        )
        .order_by(col(Notification.id).desc())
    )
    rows = (await session.exec(query)).all()
    titles = await _titles(session, [post.id for _, _, post, _ in rows if post and post.id])
    views = []
    for notification, who, post, parent in rows:
        title = titles.get(post.id) if post and post.id else None
        about, quote = notifications.in_words(notification.kind, post, parent, title)
        views.append(NotificationView(notification, who, post, about=about, quote=quote))
    return views


async def _titles(session: AsyncSession, post_ids: list[int]) -> dict[int, str]:
    """The titles of the activities among these posts, in one statement."""
    if not post_ids:
        return {}
    query = select(col(Event.post_id), col(Event.title)).where(col(Event.post_id).in_(post_ids))
    return dict((await session.exec(query)).all())
