"""Feeds: pages of posts, newest first, with keyset pagination (`before` a post id, never OFFSET).

Every feed costs the same two statements whatever its length: the posts of the page with their
authors and what the viewer liked and shared, and their images. The home feed, read on every
visit, is built once and run with the viewer's values as parameters.
"""

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    literal,
    literal_column,
    or_,
    true,
    union,
)
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select as ModelSelect
from sqlmodel.sql.expression import SelectOfScalar

from buurtnet.core import duty_badges, event_summaries, poll_views, visibility
from buurtnet.db import is_postgresql
from buurtnet.models import (
    Account,
    Follow,
    Hashtag,
    Like,
    MediaAttachment,
    Mention,
    Neighbourhood,
    Post,
    PostHashtag,
    Share,
    Visibility,
)

PAGE_SIZE = 20
PINNED_AT_MOST = 3  # announcements atop a neighbourhood's page and its residents' home feeds
# Where posts are listed, among those the viewer may see (`visibility`): unlisted posts are for
# those who follow their author or have the link, not for the pages of a place or a hashtag.
FOR_THE_NEIGHBOURHOOD = (Visibility.PUBLIC, Visibility.NEIGHBOURHOOD)
ON_NEIGHBOURHOOD_PAGE = col(Post.visibility).in_(FOR_THE_NEIGHBOURHOOD)
NOT_UNLISTED = col(Post.visibility) != Visibility.UNLISTED


def listed_in_neighbourhood(viewer_id: visibility.AccountId | None) -> ColumnElement[bool]:
    """A limited author's posts are listed on a neighbourhood's pages (and in the home feed's
    neighbourhood part) only for their followers and themselves; everyone else's for all."""
    author = aliased(Account)
    limited = (
        exists()
        .where(col(author.id) == col(Post.author_id), col(author.limited))
        .correlate_except(author)
    )
    if viewer_id is None:
        return ~limited
    follows = (
        exists()
        .where(col(Follow.follower_id) == viewer_id, col(Follow.followed_id) == col(Post.author_id))
        .correlate_except(Follow)
    )
    return or_(~limited, col(Post.author_id) == viewer_id, follows)


# One page and one more post, to tell whether there is a next page; written into the SQL rather
# than passed as a parameter, so that PostgreSQL can plan the home feed once for every viewer (a
# plan made without knowing the limit expects thousands of rows and is never chosen).
PAGE_LIMIT: ColumnClause[int] = literal_column(str(PAGE_SIZE + 1))
FeedRow = tuple[Post, Account, bool, bool]  # a post, its author, liked and shared by the viewer
FeedQuery = ModelSelect[Post, Account, bool, bool]


@dataclass(frozen=True)
class PostView:
    """A post as a page shows it: with its author, its images and the viewer's own reactions."""

    post: Post
    author: Account
    images: list[MediaAttachment] = field(default_factory=list)
    liked: bool = False
    shared: bool = False
    depth: int = 0  # in a thread: how far below the post in focus
    poll: poll_views.PollView | None = None
    event: event_summaries.EventView | None = None  # an activity's details
    duties: duty_badges.Duties = ()  # the author's duties in the post's neighbourhood: badges


@dataclass(frozen=True)
class Page:
    items: list[PostView]
    next_before: int | None  # the cursor for the next (older) page, if there is one


async def home_feed(session: AsyncSession, viewer: Account, before: int | None = None) -> Page:
    """The viewer's neighbourhood, the people they follow, their own posts and what names them."""
    assert viewer.id is not None
    statement = _home_feed_statement(await is_postgresql(session), paged=before is not None)
    parameters = {
        "viewer_id": viewer.id,
        "neighbourhood_id": viewer.neighbourhood_id,
        "before": before,
    }
    return await _page(session, statement, parameters, viewer)


@functools.cache
def _home_feed_statement(postgresql: bool, *, paged: bool) -> FeedQuery:
    """The home feed as one statement, built once per shape and run with the viewer's values.

    Each source is read on its own index, newest first and only one page deep, and the union of
    those few ids is the page: a single OR over the whole table would make the database scan.
    Every source lets through only what `visibility` lets the viewer see; a resident without a
    neighbourhood has `neighbourhood_id` NULL, which matches no post.
    """
    viewer_id = bindparam("viewer_id", type_=Integer)
    neighbourhood_id = bindparam("neighbourhood_id", type_=Integer)
    before = bindparam("before", type_=Integer) if paged else None
    visible = visibility.visible_to_viewer(viewer_id, neighbourhood_id)
    not_muted = visibility.not_muted_by_id(viewer_id)
    mentioning = select(Mention.post_id).where(Mention.account_id == viewer_id)
    in_my_neighbourhood = col(Post.neighbourhood_id) == neighbourhood_id
    candidates = [
        _newest_ids(before, col(Post.author_id) == viewer_id, visible),
        _newest_ids(before, col(Post.id).in_(mentioning), visible, not_muted),
        _newest_ids(
            before,
            in_my_neighbourhood,
            ON_NEIGHBOURHOOD_PAGE,
            visible,
            not_muted,
            listed_in_neighbourhood(viewer_id),
        ),
    ]
    # Muted people are left out of the followed ones, so their posts need no check of their own.
    followed: Select[tuple[int]] = select(col(Follow.followed_id).label("author_id")).where(
        col(Follow.follower_id) == viewer_id,
        visibility.not_muted_by_id(viewer_id, col(Follow.followed_id)),
    )
    # What followed people and groups pass on (a group's announces of its members' posts),
    # placed by the post's id: for a post from elsewhere, that is when it reached us.
    passed_on = select(Share.post_id).where(col(Share.account_id).in_(followed))
    candidates.append(_newest_ids(before, col(Post.id).in_(passed_on), visible, not_muted))
    if postgresql:
        # PostgreSQL would walk all posts newest first looking for followed authors; a page's
        # worth per author, side by side (LATERAL), is a few index reads. SQLite has no LATERAL,
        # and needs none: it reads each followed author's posts on the author index.
        people = followed.subquery()
        newest_of_each = _newest_ids(
            before, col(Post.author_id) == people.c.author_id, visible
        ).lateral()
        candidates.append(
            select(newest_of_each.c.id).select_from(people.join(newest_of_each, true()))
        )
    else:
        candidates.append(_newest_ids(before, col(Post.author_id).in_(followed), visible))
    every = union(*(select(candidate.subquery().c.id) for candidate in candidates)).subquery()
    page_ids = select(every.c.id).order_by(every.c.id.desc()).limit(PAGE_LIMIT)
    return _posts_with_authors(viewer_id).where(col(Post.id).in_(page_ids))


async def neighbourhood_feed(
    session: AsyncSession,
    neighbourhood: Neighbourhood,
    viewer: Account | None,
    before: int | None = None,
) -> Page:
    """A neighbourhood's own posts: public ones for visitors, all of them for its members."""
    condition = and_(col(Post.neighbourhood_id) == neighbourhood.id, _listed_there(viewer))
    return await _page(session, _visible_page(viewer, condition, before), viewer=viewer)


async def pinned_posts(
    session: AsyncSession, neighbourhood_id: int | None, viewer: Account | None, today: date
) -> list[PostView]:
    """The announcements pinned in a neighbourhood (`core/pins`) until today or later, newest
    first: atop its page and its residents' home feeds, listed as its page lists posts."""
    if neighbourhood_id is None:
        return []
    rows = list((await session.exec(pinned_query(neighbourhood_id, viewer, today))).all())
    return await views_of(session, rows, viewer.id if viewer is not None else None)


def pinned_query(neighbourhood_id: int, viewer: Account | None, today: date) -> FeedQuery:
    """The statement of `pinned_posts`: the pinned ids come from the partial index
    `ix_post_pinned`, not from a walk through all of the neighbourhood's posts."""
    pinned = aliased(Post)
    pinned_there = select(pinned.id).where(
        col(pinned.neighbourhood_id) == neighbourhood_id, col(pinned.pinned_until) >= today
    )
    condition = and_(col(Post.id).in_(pinned_there), _listed_there(viewer))
    return _visible_page(viewer, condition, None).limit(PINNED_AT_MOST)


def apart_from(page: Page, pinned: Sequence[PostView]) -> Page:
    """The page without the posts pinned above it, so that no post is shown twice."""
    shown = {view.post.id for view in pinned}
    return replace(page, items=[view for view in page.items if view.post.id not in shown])


def _listed_there(viewer: Account | None) -> ColumnElement[bool]:
    """What a neighbourhood's page lists of its posts that the viewer may see: not the
    replies, and those public or for the neighbourhood."""
    return and_(
        col(Post.in_reply_to_id).is_(None),
        ON_NEIGHBOURHOOD_PAGE,
        listed_in_neighbourhood(None if viewer is None else viewer.id),
    )


async def profile_feed(
    session: AsyncSession, author: Account, viewer: Account | None, before: int | None = None
) -> Page:
    condition = and_(col(Post.author_id) == author.id, col(Post.in_reply_to_id).is_(None))
    query = _visible_page(viewer, condition, before, hide_muted=False)
    return await _page(session, query, viewer=viewer)


async def hashtag_feed(
    session: AsyncSession, hashtag: Hashtag, viewer: Account | None, before: int | None = None
) -> Page:
    """Posts with a hashtag, as far as they are for more than a link: unlisted ones are not."""
    tagged = select(PostHashtag.post_id).where(PostHashtag.hashtag_id == hashtag.id)
    if before is not None:  # read only the older part of the tag's index, not all of it
        tagged = tagged.where(col(PostHashtag.post_id) < before)
    viewer_id = None if viewer is None else viewer.id
    condition = and_(col(Post.id).in_(tagged), NOT_UNLISTED, listed_in_neighbourhood(viewer_id))
    return await _page(session, _visible_page(viewer, condition, before), viewer=viewer)


def reaction_columns(
    viewer_id: visibility.AccountId | None,
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Whether the viewer liked and shared each post, as two columns of the query itself."""
    if viewer_id is None:
        return literal(False).label("liked"), literal(False).label("shared")
    liked = exists().where(col(Like.post_id) == col(Post.id), col(Like.account_id) == viewer_id)
    shared = exists().where(col(Share.post_id) == col(Post.id), col(Share.account_id) == viewer_id)
    # Correlated with `Post` however deep the query sits, as the checks in `visibility` are.
    return (
        liked.correlate_except(Like).label("liked"),
        shared.correlate_except(Share).label("shared"),
    )


async def views_of(
    session: AsyncSession, rows: Sequence[FeedRow], viewer_id: int | None = None
) -> list[PostView]:
    """Posts with their images, polls (as the viewer sees them) and their authors' badges, in
    a few more statements however many there are."""
    images = await images_of(session, [post.id for post, *_rest in rows if post.id is not None])
    found_polls = await poll_views.polls_of(session, [post for post, *_rest in rows], viewer_id)
    events = await event_summaries.events_of(session, [post for post, *_rest in rows], viewer_id)
    duties = await duty_badges.duties_of_authors(session, [post for post, *_rest in rows])
    return [
        PostView(
            post,
            author,
            images=images.get(post.id, []) if post.id is not None else [],
            liked=bool(liked),
            shared=bool(shared),
            poll=found_polls.get(post.id) if post.id is not None else None,
            event=events.get(post.id) if post.id is not None else None,
            duties=duties.get(post.id, ()) if post.id is not None else (),
        )
        for post, author, liked, shared in rows
    ]


async def images_of(session: AsyncSession, post_ids: list[int]) -> dict[int, list[MediaAttachment]]:
    """The images of each post, in their order, in one statement for all of them."""
    images: dict[int, list[MediaAttachment]] = defaultdict(list)
    if post_ids:
        found = await session.exec(_IMAGES_OF_POSTS, params={"post_ids": post_ids})
        for image in found.all():
            assert image.post_id is not None
            images[image.post_id].append(image)
    return images


_IMAGES_OF_POSTS = (
    select(MediaAttachment)
    .where(col(MediaAttachment.post_id).in_(bindparam("post_ids", expanding=True)))
    .order_by(col(MediaAttachment.position))
)


def _newest_ids(
    before: ColumnElement[int] | int | None, *conditions: ColumnElement[bool]
) -> SelectOfScalar[int | None]:
    query = (
        select(col(Post.id))
        .where(*conditions, col(Post.in_reply_to_id).is_(None))
        .order_by(col(Post.id).desc())
        .limit(PAGE_LIMIT)
    )
    return query.where(col(Post.id) < before) if before is not None else query


def _posts_with_authors(viewer_id: visibility.AccountId | None) -> FeedQuery:
    """Posts with their authors and the viewer's reactions, newest first."""
    return (
        select(Post, Account, *reaction_columns(viewer_id))
        .join(Account, col(Account.id) == col(Post.author_id))
        .order_by(col(Post.id).desc())
        .limit(PAGE_LIMIT)
    )


def _visible_page(
    viewer: Account | None,
    condition: ColumnElement[bool],
    before: int | None,
    *,
    hide_muted: bool = True,
) -> FeedQuery:
    """The page of posts meeting `condition` that the viewer may see."""
    query = _posts_with_authors(viewer.id if viewer else None).where(
        condition, visibility.visible_to(viewer)
    )
    if hide_muted:
        query = query.where(visibility.not_muted_by(viewer))
    if before is not None:
        query = query.where(col(Post.id) < before)
    return query


async def _page(
    session: AsyncSession,
    query: FeedQuery,
    parameters: dict[str, Any] | None = None,
    viewer: Account | None = None,
) -> Page:
    rows = list((await session.exec(query, params=parameters)).all())
    return await page_of(session, rows, viewer)


async def page_of(session: AsyncSession, rows: Sequence[FeedRow], viewer: Account | None) -> Page:
    """A page of posts from up to `PAGE_LIMIT` rows, newest first (also of `post_search`, which
    reads them its own way): the rows of `reaction_columns`, shown as every feed shows them."""
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_before = rows[-1][0].id if more and rows else None
    views = await views_of(session, rows, viewer.id if viewer is not None else None)
    return Page(views, next_before)
