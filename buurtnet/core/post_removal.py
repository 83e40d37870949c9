"""Removing posts with what hangs on them: their images and an activity's outcome photo (by a
job), the reply counts of the posts they answered, and the news for whoever signed up for an
activity that will now not happen. For a deleted post, and for all posts of a deleted account."""

from collections.abc import Sequence

from sqlalchemy import case, delete, func, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import event_access, media, notifications, replies
from buurtnet.models import (
    Event,
    MediaAttachment,
    NotificationKind,
    Participation,
    Post,
    utcnow,
)


async def remove_posts(session: AsyncSession, posts: Sequence[Post]) -> None:
    """Delete posts with what hangs on them; also used when an account is deleted."""
    ids = [post.id for post in posts if post.id is not None]
    if not ids:
        return
    files = await session.exec(
        select(MediaAttachment.storage_key, MediaAttachment.thumbnail_key).where(
            col(MediaAttachment.post_id).in_(ids)
        )
    )
    keys = [key for pair in files.all() for key in pair]
    outcome_photos = await session.exec(
        select(Event.outcome_image_key, Event.outcome_thumbnail_key).where(
            col(Event.post_id).in_(ids)
        )
    )
    keys += [key for pair in outcome_photos.all() for key in pair if key]
    if keys:
        media.enqueue_removal(session, keys)
    await uncount_replies(session, posts, ids)
    await _tell_who_signed_up(session, ids)
    await session.exec(delete(Post).where(col(Post.id).in_(ids)))


async def _tell_who_signed_up(session: AsyncSession, ids: list[int]) -> None:
    """An activity still to come that goes away is cancelled for whoever signed up: they are
    told so, without a link to what is no longer there."""
    query = (
        select(Participation.account_id, Post.author_id)
        .join(Event, col(Event.post_id) == col(Participation.post_id))
        .join(Post, col(Post.id) == col(Participation.post_id))
        .where(
            col(Participation.post_id).in_(ids),
            col(Participation.status).in_(event_access.TOLD_OF_CHANGES),
            col(Event.cancelled_at).is_(None),
            col(Event.ends_at) > utcnow(),
        )
    )
    by_organiser: dict[int, list[int]] = {}
    for account_id, organiser_id in (await session.exec(query)).all():
        by_organiser.setdefault(organiser_id, []).append(account_id)
    for organiser_id, people in by_organiser.items():
        await notifications.notify_many(
            session, people, organiser_id, NotificationKind.EVENT_CANCELLED
        )


async def uncount_replies(session: AsyncSession, posts: Sequence[Post], ids: list[int]) -> None:
    """Lower the reply counts of the posts these answered, in one statement however many. Only
    counted replies are taken back: of a counted visibility, and published (a held reply was
    never counted, a removed one was taken back when it was removed)."""
    parents = {
        post.in_reply_to_id
        for post in posts
        if replies.is_counted(post.visibility)
        and post.moderation is None
        and post.in_reply_to_id is not None
        and post.in_reply_to_id not in ids
    }
    if not parents:
        return
    reply = aliased(Post)
    going = (
        select(func.count())
        .where(
            col(reply.in_reply_to_id) == col(Post.id),
            col(reply.id).in_(ids),
            replies.counted(col(reply.visibility)),
            col(reply.moderation).is_(None),
        )
        .scalar_subquery()
    )
    count = col(Post.reply_count)
    await session.exec(
        update(Post)
        .where(col(Post.id).in_(parents))
        .values(reply_count=case((count > going, count - going), else_=0))
    )
