"""Which replies count: a reply is counted on the post it answers, for everyone who sees that
post to see, unless it is direct (then only its own people know of it). One rule, for counting
a reply in and, when it is deleted, out again."""

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm import Mapped
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import notifications
from buurtnet.models import NotificationKind, Post, Visibility


def is_counted(visibility: str) -> bool:
    return visibility != Visibility.DIRECT


def counted(visibility: Mapped[str] | ColumnElement[str]) -> ColumnElement[bool]:
    """`is_counted`, as a condition on a column."""
    return col(visibility) != Visibility.DIRECT


async def count_reply(
    session: AsyncSession, parent: Post, reply_id: int, author_id: int, visibility: str
) -> None:
    """Tell the parent's author of the reply (by `author_id`, seen by `visibility`); count it
    where everyone who sees the post may."""
    assert parent.id is not None
    if is_counted(visibility):
        await session.exec(
            update(Post)
            .where(col(Post.id) == parent.id)
            .values(reply_count=col(Post.reply_count) + 1)
        )
    await notifications.notify(
        session, parent.author_id, author_id, NotificationKind.REPLY, reply_id
    )
