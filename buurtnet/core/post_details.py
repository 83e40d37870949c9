"""What a post's document needs besides the post itself: whom it names, its hashtags, images, the
post it answers, where it was written, its poll and an activity's details. Read for many posts
at once, in a fixed number of queries however many there are, for the Notes that other servers
fetch and are sent, and for the download of one's own data: all of them build on these facts.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import feeds, poll_views
from buurtnet.models import (
    Account,
    Event,
    Hashtag,
    MediaAttachment,
    Mention,
    Neighbourhood,
    Post,
    PostHashtag,
    PostKind,
)

Authored = tuple[Post, Account]


@dataclass(frozen=True)
class PostDetails:
    post: Post
    author: Account
    named: list[Account]  # everyone it addresses by name, here and elsewhere, by name key
    hashtags: list[str]
    images: list[MediaAttachment]
    parent: Authored | None  # the post it answers, with its author, while there is one
    neighbourhood: Neighbourhood | None  # where it was written
    poll: poll_views.PollFacts | None = None  # with it, the post is a `Question`
    event: Event | None = None  # with it, the post is an `Event`


async def details_of(session: AsyncSession, rows: Sequence[Authored]) -> list[PostDetails]:
    """The details of each post, in the order given."""
    ids = [post.id for post, _author in rows if post.id is not None]
    named = await _named(session, ids)
    hashtags = await _hashtags(session, ids)
    images = await feeds.images_of(session, ids)
    parents = await _parents(session, [post.in_reply_to_id for post, _ in rows])
    places = await _neighbourhoods(session, [post.neighbourhood_id for post, _ in rows])
    found_polls = await poll_views.facts_of(session, ids)
    events = await _events(session, [post.id for post, _ in rows if post.kind == PostKind.EVENT])
    return [
        PostDetails(
            post=post,
            author=author,
            named=named.get(post.id or 0, []),
            hashtags=hashtags.get(post.id or 0, []),
            images=images.get(post.id or 0, []),
            parent=parents.get(post.in_reply_to_id or 0),
            neighbourhood=places.get(post.neighbourhood_id or 0),
            poll=found_polls.get(post.id or 0),
            event=events.get(post.id or 0),
        )
        for post, author in rows
    ]


async def _named(session: AsyncSession, post_ids: list[int]) -> dict[int, list[Account]]:
    query = (
        select(Mention.post_id, Account)
        .join(Account, col(Account.id) == col(Mention.account_id))
        .where(col(Mention.post_id).in_(post_ids))
        .order_by(col(Account.username_key))
    )
    found: dict[int, list[Account]] = defaultdict(list)
    for post_id, account in (await session.exec(query)).all():
        found[post_id].append(account)
    return found


async def _hashtags(session: AsyncSession, post_ids: list[int]) -> dict[int, list[str]]:
    query = (
        select(PostHashtag.post_id, Hashtag.name)
        .join(Hashtag, col(Hashtag.id) == col(PostHashtag.hashtag_id))
        .where(col(PostHashtag.post_id).in_(post_ids))
        .order_by(col(Hashtag.name))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for post_id, name in (await session.exec(query)).all():
        found[post_id].append(name)
    return found


async def _parents(session: AsyncSession, parent_ids: Sequence[int | None]) -> dict[int, Authored]:
    wanted = [parent_id for parent_id in parent_ids if parent_id is not None]
    if not wanted:
        return {}
    author = aliased(Account)
    query = (
        select(Post, author)
        .join(author, col(author.id) == col(Post.author_id))
        .where(col(Post.id).in_(wanted))
    )
    return {post.id: (post, found) for post, found in (await session.exec(query)).all() if post.id}


async def _neighbourhoods(
    session: AsyncSession, neighbourhood_ids: Sequence[int | None]
) -> dict[int, Neighbourhood]:
    wanted = sorted({found for found in neighbourhood_ids if found is not None})
    if not wanted:
        return {}
    query = select(Neighbourhood).where(col(Neighbourhood.id).in_(wanted))
    return {place.id: place for place in (await session.exec(query)).all() if place.id}


async def _events(session: AsyncSession, post_ids: Sequence[int | None]) -> dict[int, Event]:
    wanted = [post_id for post_id in post_ids if post_id is not None]
    if not wanted:
        return {}
    query = select(Event).where(col(Event.post_id).in_(wanted))
    return {event.post_id: event for event in (await session.exec(query)).all()}
