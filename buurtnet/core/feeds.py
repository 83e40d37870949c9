"""Feeds: pages of posts, newest first, with keyset pagination (`before` a post id, never OFFSET).

Every feed costs the same few statements whatever its length: the ids of the page, the posts with
their authors, their images, and what the viewer liked and shared.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, union
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from buurtnet.core import interactions, visibility
from buurtnet.models import (
    Account,
    AccountStatus,
    Follow,
    Hashtag,
    MediaAttachment,
    Mention,
    Neighbourhood,
    Post,
    PostHashtag,
    Visibility,
)

PAGE_SIZE = 20


@dataclass(frozen=True)
class PostView:
    """A post as a page shows it: with its author, its images and the viewer's own reactions."""

    post: Post
    author: Account
    images: list[MediaAttachment] = field(default_factory=list)
    liked: bool = False
    shared: bool = False
    depth: int = 0  # in a thread: how far below the post in focus


@dataclass(frozen=True)
class Page:
    items: list[PostView]
    next_before: int | None  # the cursor for the next (older) page, if there is one


async def home_feed(session: AsyncSession, viewer: Account, before: int | None = None) -> Page:
    """The viewer's neighbourhood, the people they follow, their own posts and what names them.

    Each source is read on its own index, newest first and only one page deep, and the union of
    those few ids is the page: a single OR over the whole table would make the database scan.
    """
    assert viewer.id is not None
    followed = select(Follow.followed_id).where(Follow.follower_id == viewer.id)
    mentioning = select(Mention.post_id).where(Mention.account_id == viewer.id)
    sources = [
        col(Post.author_id).in_(followed),
        col(Post.author_id) == viewer.id,
        col(Post.id).in_(mentioning),
    ]
    if viewer.neighbourhood_id is not None:
        sources.append(
            and_(
                col(Post.neighbourhood_id) == viewer.neighbourhood_id,
                col(Post.visibility).in_([Visibility.PUBLIC, Visibility.NEIGHBOURHOOD]),
            )
        )
    candidates = [
        _newest_ids(viewer, before, source, col(Post.in_reply_to_id).is_(None)).subquery()
        for source in sources
    ]
    ids = union(*(select(candidate.c.id) for candidate in candidates))
    return await _page(session, viewer, col(Post.id).in_(ids), before)


async def neighbourhood_feed(
    session: AsyncSession,
    neighbourhood: Neighbourhood,
    viewer: Account | None,
    before: int | None = None,
) -> Page:
    """A neighbourhood's own posts: public ones for visitors, all of them for its members."""
    return await _page(
        session,
        viewer,
        and_(
            col(Post.neighbourhood_id) == neighbourhood.id,
            col(Post.in_reply_to_id).is_(None),
            col(Post.visibility).in_([Visibility.PUBLIC, Visibility.NEIGHBOURHOOD]),
        ),
        before,
    )


async def profile_feed(
    session: AsyncSession, author: Account, viewer: Account | None, before: int | None = None
) -> Page:
    condition = and_(col(Post.author_id) == author.id, col(Post.in_reply_to_id).is_(None))
    return await _page(session, viewer, condition, before, hide_muted=False)


async def hashtag_feed(
    session: AsyncSession, hashtag: Hashtag, viewer: Account | None, before: int | None = None
) -> Page:
    tagged = select(PostHashtag.post_id).where(PostHashtag.hashtag_id == hashtag.id)
    return await _page(session, viewer, col(Post.id).in_(tagged), before)


async def views_of(
    session: AsyncSession, viewer: Account | None, rows: Sequence[tuple[Post, Account]]
) -> list[PostView]:
    """Posts with their images and the viewer's reactions, in two or three statements in all."""
    ids = [post.id for post, _author in rows if post.id is not None]
    images: dict[int, list[MediaAttachment]] = defaultdict(list)
    if ids:
        found = await session.exec(
            select(MediaAttachment)
            .where(col(MediaAttachment.post_id).in_(ids))
            .order_by(col(MediaAttachment.position))
        )
        for image in found.all():
            assert image.post_id is not None
            images[image.post_id].append(image)
    liked, shared = await interactions.liked_and_shared(session, viewer, ids)
    return [
        PostView(
            post,
            author,
            images=images.get(post.id, []) if post.id is not None else [],
            liked=post.id in liked,
            shared=post.id in shared,
        )
        for post, author in rows
    ]


def _newest_ids(
    viewer: Account | None, before: int | None, *conditions: ColumnElement[bool]
) -> SelectOfScalar[int | None]:
    query = (
        select(col(Post.id))
        .where(*conditions, visibility.visible_to(viewer), visibility.not_muted_by(viewer))
        .order_by(col(Post.id).desc())
        .limit(PAGE_SIZE + 1)
    )
    return query.where(col(Post.id) < before) if before is not None else query


async def _page(
    session: AsyncSession,
    viewer: Account | None,
    condition: ColumnElement[bool],
    before: int | None,
    *,
    hide_muted: bool = True,
) -> Page:
    query = (
        select(Post, Account)
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(
            condition, visibility.visible_to(viewer), col(Account.status) == AccountStatus.ACTIVE
        )
        .order_by(col(Post.id).desc())
        .limit(PAGE_SIZE + 1)
    )
    if hide_muted:
        query = query.where(visibility.not_muted_by(viewer))
    if before is not None:
        query = query.where(col(Post.id) < before)
    rows = [(post, author) for post, author in (await session.exec(query)).all()]
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_before = rows[-1][0].id if more and rows else None
    return Page(await views_of(session, viewer, rows), next_before)
