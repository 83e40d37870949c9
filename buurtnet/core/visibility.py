"""Who may see a post: the one policy, as one SQL condition on `Post` that every page, feed,
thread, hashtag page, search, notification, export, served ActivityPub object and collection
applies. A single post is checked by running the same condition on it (`posts.get_visible`), so
the two can never disagree. Where a post is *listed* (which feed, which page) is each listing's
own choice, made among the posts this condition lets through.

A viewer is nobody (a visitor, or a server fetching without a signature), a resident, or someone
elsewhere whose server signed its fetch. A post is seen, while its author's account is active,

- by its author;
- by everyone when it is public or unlisted (unlisted: not on public pages, see `feeds`);
- by the residents of its neighbourhood when it is for the neighbourhood;
- by the author's followers (here or elsewhere) when it is for followers;
- by the people it names or addresses;

and by nobody at all, whatever the above, between two people of whom one blocks the other. A
post for the neighbourhood never leaves the instance: nobody elsewhere sees it, named or not.

Moderation takes posts out of view: one removed by a moderator is seen by nobody (its author
learns why from the notice, and the evidence stays for the appeal); one held for review by a word
filter is seen by its author only, marked "waiting for a moderator". A suspended author's posts
are seen by nobody, as those of an account that is not active. Moderators read reported and held
posts through moderation's own pages, never through this condition.
"""

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlalchemy.orm import Mapped, aliased
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.models import (
    Account,
    AccountStatus,
    Block,
    Follow,
    Mention,
    ModerationState,
    Mute,
    Post,
    Visibility,
)

# An account's id: a value, the column that holds one, or a parameter of a statement built once.
AccountId = int | Mapped[int] | Mapped[int | None] | BindParameter[int]
NeighbourhoodId = int | Mapped[int | None] | BindParameter[int]

# Who may open a post by its link, without any relation to its author.
OPEN = (Visibility.PUBLIC, Visibility.UNLISTED)


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
    """The condition on `Post` for what `viewer` (None: nobody in particular) may see."""
    if viewer is None:
        return visible_to_viewer(None, None)
    assert viewer.id is not None
    if viewer.domain is not None:
        return visible_to_viewer(viewer.id, None, elsewhere=True)
    return visible_to_viewer(viewer.id, viewer.neighbourhood_id)


def visible_to_viewer(
    viewer_id: AccountId | None,
    neighbourhood_id: NeighbourhoodId | None,
    *,
    elsewhere: bool = False,
) -> ColumnElement[bool]:
    """`visible_to` by the viewer's id and neighbourhood (a resident's; None for someone
    `elsewhere`), which may be parameters of a statement built once (the home feed)."""
    author = aliased(Account)  # the viewer may be an `Account` of the query around this
    author_active = (
        exists()
        .where(col(author.id) == col(Post.author_id), col(author.status) == AccountStatus.ACTIVE)
        .correlate_except(author)
    )
    is_open = col(Post.visibility).in_(OPEN)
    published = col(Post.moderation).is_(None)
    if viewer_id is None:
        return and_(is_open, published, author_active)
    in_neighbourhood = (
        false() if neighbourhood_id is None else col(Post.neighbourhood_id) == neighbourhood_id
    )
    follows_author = (
        exists()
        .where(col(Follow.follower_id) == viewer_id, col(Follow.followed_id) == col(Post.author_id))
        .correlate_except(Follow)
    )
    named = (
        exists()
        .where(col(Mention.post_id) == col(Post.id), col(Mention.account_id) == viewer_id)
        .correlate_except(Mention)
    )
    may_see = or_(
        col(Post.author_id) == viewer_id,
        is_open,
        and_(col(Post.visibility) == Visibility.NEIGHBOURHOOD, in_neighbourhood),
        and_(col(Post.visibility) == Visibility.FOLLOWERS, follows_author),
        named,
    )
    held_for_author = and_(
        col(Post.moderation) == ModerationState.HELD, col(Post.author_id) == viewer_id
    )
    seen = and_(
        may_see,
        or_(published, held_for_author),
        author_active,
        ~blocks_either_way(col(Post.author_id), viewer_id),
    )
    if elsewhere:
        return and_(seen, published, col(Post.visibility) != Visibility.NEIGHBOURHOOD)
    return seen


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
