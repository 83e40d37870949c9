"""Notifications by e-mail, bundled: at most one mail an hour per person, holding everything new
of the kinds they chose (`mail_choices`).

A worker's periodic task (`mail/notification_mail`) takes the accounts that are due (`take_due`):
an address that may get news, kinds chosen, no mail in the last hour, and unread notifications not
yet looked at (`Notification.mail_checked_at`). For a batch of them those notifications are marked
with the time of this turn first, then read in one statement, with who did it, the post and the
words of a reply or mention, as far as the recipient may still see them
(`notifications.still_shown`, the rule of the notifications page). Each is looked at once, mailed
or not (read already, of a kind not chosen, no longer shown); one committed while the turn runs is
not marked, and comes in the next mail. `notified_by_mail_at` is set only when a mail goes out, and
starts the hour. All of it happens in the caller's transaction, in which the caller queues the
mails: a crash undoes both.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, update
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
    """The bundles to mail now, with their notifications marked as looked at; accounts with
    nothing to mail (only likes, say, when likes are not chosen) get theirs marked and no bundle."""
    now = now or utcnow()
    recipients = await _due(session, now)
    if not recipients:
        return []
    ids = [recipient.id for recipient in recipients if recipient.id is not None]
    await _check(session, ids, now)
    found: dict[int, list[NotificationView]] = defaultdict(list)
    for view in await _views(session, ids, now):
        found[view.notification.recipient_id].append(view)
    bundles = []
    for recipient in recipients:
        assert recipient.id is not None
        wanted = mail_choices.chosen_kinds(recipient)
        items = [view for view in found[recipient.id] if view.notification.kind in wanted]
        if items:
            recipient.notified_by_mail_at = now
            bundles.append(Bundle(recipient, items))
    return bundles


async def _due(session: AsyncSession, now: datetime) -> Sequence[Account]:
    waiting = exists().where(
        col(Notification.recipient_id) == col(Account.id),
        col(Notification.mail_checked_at).is_(None),
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


async def _check(session: AsyncSession, ids: list[int], now: datetime) -> None:
    """Mark the batch's notifications not yet looked at with this turn's time: those, and only
    those, are what `_views` reads. One committed after this statement stays unmarked."""
    await session.exec(
        update(Notification)
        .where(
            col(Notification.recipient_id).in_(ids),
            col(Notification.mail_checked_at).is_(None),
        )
        .values(mail_checked_at=now)
    )


async def _views(session: AsyncSession, ids: list[int], now: datetime) -> list[NotificationView]:
    """The batch's unread notifications marked in this turn, that they may still see, with what
    the notifications page says of each: one statement, whatever the batch holds."""
    recipient, actor, item = aliased(Account), aliased(Account), aliased(Post)
    # `Post` itself is the post a reply answers: the visibility policy is a condition on `Post`.
    answered = and_(
        col(Notification.kind) == NotificationKind.REPLY,
        col(Post.id) == col(item.in_reply_to_id),
        visibility.visible_to_viewer(col(recipient.id), col(recipient.neighbourhood_id)),
    )
    query = (
        select(Notification, actor, item, Post)
        .add_columns(col(Event.title))  # an activity's title: SQLModel's select takes four
        .join(recipient, col(recipient.id) == col(Notification.recipient_id))
        .join(actor, col(actor.id) == col(Notification.actor_id))
        .outerjoin(item, col(item.id) == col(Notification.post_id))
        .outerjoin(Post, answered)
        .outerjoin(Event, col(Event.post_id) == col(Notification.post_id))
        .where(
            col(Notification.recipient_id).in_(ids),
            col(Notification.mail_checked_at) == now,
            col(Notification.read_at).is_(None),
            col(Notification.created_at) >= now - FRESH,
            notifications.still_shown(col(recipient.id), col(recipient.neighbourhood_id)),
        )
        .order_by(col(Notification.id).desc())
    )
    views = []
    rows = (await session.exec(query)).all()  # type: ignore[call-overload]
    for notification, who, post, parent, title in rows:
        about, quote = notifications.in_words(notification.kind, post, parent, title)
        views.append(NotificationView(notification, who, post, about=about, quote=quote))
    return views
