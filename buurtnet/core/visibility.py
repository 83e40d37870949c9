"""Who may see a post, as SQL conditions, so that feeds filter in the database and never in Python.

A post is seen by its author; by everyone when public; by the members of its neighbourhood when it
is for the neighbourhood; by the author's followers when it is for followers; and by the people it
mentions. A block hides everything both ways, whatever the visibility.
"""

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.models import Account, Block, Follow, Mention, Mute, Post, Visibility

# An account's id: a value, the column that holds one, or a parameter of a statement built once.
AccountId = int | Mapped[int] | Mapped[int | None] | BindParameter[int]


def blocks_either_way(a_id: AccountId, b_id: AccountId) -> ColumnElement[bool]:
    # Every other table named here belongs to the query around it, however deep this sits:
    # left to itself, SQLAlchemy looks one level up only and would add them to this FROM.
    return (
        exists()
        .where(
            or_(
                and_(col(Block.blocker_id) == a_id, col(Block.blocked_id) == b_id),
                and_(col(Block.blocker_id) == b_id, col(Block.blocked_id) == a_id),
            )
        )
        .correlate_except(Block)
    )


def visible_to(viewer: Account | None) -> ColumnElement[bool]:
    """The condition on `Post` for what `viewer` (None: a visitor) may see."""
    if viewer is None:
        return col(Post.visibility) == Visibility.PUBLIC
    assert viewer.id is not None
    same_neighbourhood = (
        col(Post.neighbourhood_id) == viewer.neighbourhood_id
        if viewer.neighbourhood_id is not None
        else false()
    )
    follows_author = (
        exists()
        .where(col(Follow.follower_id) == viewer.id, col(Follow.followed_id) == col(Post.author_id))
        .correlate_except(Follow)
    )
    mentioned = (
        exists()
        .where(col(Mention.post_id) == col(Post.id), col(Mention.account_id) == viewer.id)
        .correlate_except(Mention)
    )
    may_see = or_(
        col(Post.author_id) == viewer.id,
        col(Post.visibility) == Visibility.PUBLIC,
        and_(col(Post.visibility) == Visibility.NEIGHBOURHOOD, same_neighbourhood),
        and_(col(Post.visibility) == Visibility.FOLLOWERS, follows_author),
        mentioned,
    )
    return and_(may_see, ~blocks_either_way(col(Post.author_id), viewer.id))


def not_muted_by(viewer: Account | None) -> ColumnElement[bool]:
    """Feeds leave out the people the viewer muted; a link to one of their posts still works."""
    if viewer is None or viewer.id is None:
        return true()
    return not_muted_by_id(viewer.id)


def not_muted_by_id(
    viewer_id: AccountId, author_id: AccountId = col(Post.author_id)
) -> ColumnElement[bool]:
    """That the viewer has not muted the author (by default: the author of `Post`)."""
    muted = exists().where(col(Mute.muter_id) == viewer_id, col(Mute.muted_id) == author_id)
    return ~muted.correlate_except(Mute)


async def is_blocked_between(session: AsyncSession, a_id: int, b_id: int) -> bool:
    return bool((await session.exec(select(blocks_either_way(a_id, b_id)))).one())
