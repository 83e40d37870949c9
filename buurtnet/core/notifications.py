"""Telling people what others did: mentions, replies, likes, shares and new followers; and what
moderation decided about them (written by `moderation/notices`)."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, ScalarSelect, and_, exists, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import visibility
from buurtnet.core.excerpts import excerpt
from buurtnet.models import (
    Account,
    Appeal,
    Event,
    ModerationAction,
    Mute,
    Notification,
    NotificationKind,
    Post,
    Report,
    utcnow,
)

PAGE_SIZE = 30
# News of one's own post that nobody else made: the author hears of it too.
ABOUT_ONES_OWN = frozenset({NotificationKind.POLL_ENDED})
# Moderation's news shows whoever the person blocks or mutes: a measure never goes unexplained.
FROM_MODERATION = (
    NotificationKind.MODERATED,
    NotificationKind.REPORT_CLOSED,
    NotificationKind.APPEAL_DECIDED,
)


@dataclass(frozen=True)
class NotificationView:
    notification: Notification
    actor: Account
    post: Post | None
    action: ModerationAction | None = None  # moderation's news: what was done, and why
    report: Report | None = None  # the report whose outcome this tells
    appeal: Appeal | None = None  # the appeal against `action`, once made
    # In a line each, as plain text: the post the news is about (one's own post that was
    # replied to, liked or shared; an activity's title) and the words of a reply or mention.
    about: str = ""
    quote: str = ""


async def notify(
    session: AsyncSession,
    recipient_id: int,
    actor_id: int,
    kind: NotificationKind,
    post_id: int | None = None,
) -> None:
    """Add a notification, unless it is about oneself (but for `ABOUT_ONES_OWN`), between
    people who block or mute, or for someone on another server (their own server tells them)."""
    about_oneself = recipient_id == actor_id and kind not in ABOUT_ONES_OWN
    if about_oneself or await _is_silenced(session, recipient_id, actor_id):
        return
    session.add(
        Notification(recipient_id=recipient_id, actor_id=actor_id, kind=kind, post_id=post_id)
    )


async def notify_many(
    session: AsyncSession,
    recipient_ids: Sequence[int],
    actor_id: int,
    kind: NotificationKind,
    post_id: int | None = None,
) -> None:
    """`notify` for many people at once (everyone who signed up for an activity, everyone who
    voted): who is to hear of it is found in one statement, however many there are."""
    wanted = {
        recipient_id
        for recipient_id in recipient_ids
        if recipient_id != actor_id or kind in ABOUT_ONES_OWN
    }
    if not wanted:
        return
    muted = exists().where(col(Mute.muter_id) == col(Account.id), col(Mute.muted_id) == actor_id)
    query = select(col(Account.id)).where(
        col(Account.id).in_(sorted(wanted)),
        col(Account.domain).is_(None),  # their own server tells them
        ~visibility.blocks_either_way(col(Account.id), actor_id),
        ~muted,
    )
    session.add_all(
        Notification(recipient_id=recipient_id, actor_id=actor_id, kind=kind, post_id=post_id)
        for recipient_id in (await session.exec(query.order_by(col(Account.id)))).all()
        if recipient_id is not None
    )


async def _is_silenced(session: AsyncSession, recipient_id: int, actor_id: int) -> bool:
    muted = exists().where(col(Mute.muter_id) == recipient_id, col(Mute.muted_id) == actor_id)
    elsewhere = exists().where(col(Account.id) == recipient_id, col(Account.domain).is_not(None))
    either = or_(visibility.blocks_either_way(recipient_id, actor_id), muted, elsewhere)
    return bool((await session.exec(select(either))).one())


def still_shown(
    recipient_id: visibility.AccountId, neighbourhood_id: visibility.NeighbourhoodId | None
) -> ColumnElement[bool]:
    """A block made later hides what the blocked person did before it, too; and a notification
    about a post shows only while the recipient may see that post. Moderation's news always
    shows (it names no post)."""
    post_seen = (
        exists()
        .where(
            col(Post.id) == col(Notification.post_id),
            visibility.visible_to_viewer(recipient_id, neighbourhood_id),
        )
        .correlate_except(Post)
    )
    return or_(
        col(Notification.kind).in_(FROM_MODERATION),
        and_(
            ~visibility.blocks_either_way(col(Notification.actor_id), recipient_id),
            or_(col(Notification.post_id).is_(None), post_seen),
        ),
    )


def unread_count_of(
    recipient_id: visibility.AccountId, neighbourhood_id: visibility.NeighbourhoodId | None
) -> ScalarSelect[int]:
    """How many notifications the recipient has not seen, as a value inside another query."""
    return (
        select(func.count())
        .where(
            col(Notification.recipient_id) == recipient_id,
            col(Notification.read_at).is_(None),
            still_shown(recipient_id, neighbourhood_id),
        )
        .scalar_subquery()
    )


async def unread_count(session: AsyncSession, recipient: Account) -> int:
    assert recipient.id is not None
    query = select(unread_count_of(recipient.id, recipient.neighbourhood_id))
    return (await session.exec(query)).one()


async def newest(
    session: AsyncSession, recipient: Account, *, before: int | None = None
) -> list[NotificationView]:
    """A page of notifications, newest first, with who did it and the post it is about (or the
    action, report and appeal that moderation's news is about), in a fixed number of queries."""
    assert recipient.id is not None
    query = (
        select(Notification, Account, Post, col(Event.title))
        .join(Account, col(Account.id) == col(Notification.actor_id))
        .outerjoin(Post, col(Post.id) == col(Notification.post_id))
        .outerjoin(Event, col(Event.post_id) == col(Notification.post_id))
        .where(
            col(Notification.recipient_id) == recipient.id,
            still_shown(recipient.id, recipient.neighbourhood_id),
        )
        .order_by(col(Notification.id).desc())
        .limit(PAGE_SIZE)
    )
    if before is not None:
        query = query.where(col(Notification.id) < before)
    rows = (await session.exec(query)).all()
    notes = [notification for notification, _, _, _ in rows]
    actions = await _actions_of(session, notes)
    reports = await _reports_of(session, notes)
    replies = [post for note, _, post, _ in rows if note.kind == NotificationKind.REPLY]
    replied_to = await _replied_to(session, recipient, replies)
    views = []
    for notification, actor, post, title in rows:
        action, appeal = actions.get(notification.action_id or 0, (None, None))
        report = reports.get(notification.report_id or 0)
        parent = replied_to.get(post.in_reply_to_id or 0) if post else None
        about, quote = in_words(notification.kind, post, parent, title)
        views.append(
            NotificationView(notification, actor, post, action, report, appeal, about, quote)
        )
    return views


def in_words(
    kind: str, post: Post | None, parent: Post | None, title: str | None
) -> tuple[str, str]:
    """What the news is about, and the words said to the recipient (a reply, a mention)."""
    if post is None:
        return "", ""
    if kind == NotificationKind.REPLY:
        return excerpt(parent) if parent else "", excerpt(post)
    if kind == NotificationKind.MENTION:
        return "", excerpt(post)
    return title or excerpt(post), ""


async def _replied_to(
    session: AsyncSession, recipient: Account, posts: Sequence[Post | None]
) -> dict[int, Post]:
    """The posts that the page's replies answer, in one query, as far as the recipient may
    still see them (one's own post, removed by a moderator since, is no longer named)."""
    wanted = sorted({post.in_reply_to_id for post in posts if post and post.in_reply_to_id})
    if not wanted:
        return {}
    found = await session.exec(
        select(Post).where(col(Post.id).in_(wanted), visibility.visible_to(recipient))
    )
    return {post.id: post for post in found.all() if post.id}


async def _actions_of(
    session: AsyncSession, notes: Sequence[Notification]
) -> dict[int, tuple[ModerationAction, Appeal | None]]:
    """Moderation's actions that notifications tell of, with their appeals: one query, and
    only for a page that has any."""
    wanted = sorted({note.action_id for note in notes if note.action_id is not None})
    if not wanted:
        return {}
    found = await session.exec(
        select(ModerationAction, Appeal)
        .outerjoin(Appeal, col(Appeal.action_id) == col(ModerationAction.id))
        .where(col(ModerationAction.id).in_(wanted))
    )
    return {action.id: (action, appeal) for action, appeal in found.all() if action.id}


async def _reports_of(session: AsyncSession, notes: Sequence[Notification]) -> dict[int, Report]:
    wanted = sorted({note.report_id for note in notes if note.report_id is not None})
    if not wanted:
        return {}
    found = await session.exec(select(Report).where(col(Report.id).in_(wanted)))
    return {report.id: report for report in found.all() if report.id}


async def mark_read(session: AsyncSession, recipient_id: int, up_to_id: int) -> None:
    """Mark as read what the person has seen: everything up to the newest shown."""
    await session.exec(
        update(Notification)
        .where(
            col(Notification.recipient_id) == recipient_id,
            col(Notification.id) <= up_to_id,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=utcnow())
    )
