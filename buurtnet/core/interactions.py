"""Likes and shares: each at most once per person and post, with the post's counts kept in step."""

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import notifications, outbound, posts
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.db import insert_new
from buurtnet.models import Account, Like, NotificationKind, Post, Share, utcnow


async def like(session: AsyncSession, account: Account, post_id: int) -> None:
    post = await posts.get_visible(session, account, post_id)
    if await _add(session, Like, account, post_id, col(Post.like_count)):
        await _notify(session, post, account, NotificationKind.LIKE)
        await outbound.liked(session, account, post)


async def unlike(session: AsyncSession, account: Account, post_id: int) -> None:
    await outbound.unliked(session, account, post_id)
    await _remove(session, Like, account, post_id, col(Post.like_count))


async def share(session: AsyncSession, account: Account, post_id: int) -> None:
    """Pass a post on; only posts meant for the public or the neighbourhood can be shared."""
    post = await posts.get_visible(session, account, post_id)
    if not posts.is_shareable(post):
        raise NotAllowed
    if await _add(session, Share, account, post_id, col(Post.share_count)):
        await _notify(session, post, account, NotificationKind.SHARE)
        await outbound.shared(session, account, post)


async def unshare(session: AsyncSession, account: Account, post_id: int) -> None:
    await outbound.unshared(session, account, post_id)
    await _remove(session, Share, account, post_id, col(Post.share_count))


async def _add(
    session: AsyncSession,
    table: type[Like] | type[Share],
    account: Account,
    post_id: int,
    counter: Mapped[int],
) -> bool:
    """Store the like or share unless it is there already; True when it is new."""
    row = {"account_id": account.id, "post_id": post_id, "created_at": utcnow()}
    try:
        if not await insert_new(session, table, [row], unique=["account_id", "post_id"]):
            return False
    except IntegrityError as error:  # the post was deleted a moment ago
        raise NotFound(post_id) from error
    await session.exec(update(Post).where(col(Post.id) == post_id).values({counter: counter + 1}))
    return True


async def _remove(
    session: AsyncSession,
    table: type[Like] | type[Share],
    account: Account,
    post_id: int,
    counter: Mapped[int],
) -> None:
    result = await session.exec(
        delete(table).where(col(table.account_id) == account.id, col(table.post_id) == post_id)
    )
    if result.rowcount:
        await session.exec(
            update(Post).where(col(Post.id) == post_id).values({counter: counter - 1})
        )


async def _notify(
    session: AsyncSession, post: Post, account: Account, kind: NotificationKind
) -> None:
    assert post.id is not None and account.id is not None
    await notifications.notify(session, post.author_id, account.id, kind, post.id)
