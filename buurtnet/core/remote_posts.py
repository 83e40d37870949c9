"""Posts written on other servers: stored when they reach us, changed and removed by their authors.

The federation layer has checked who sent them and sanitised their HTML; this module decides what
they mean here: a reply joins its thread here and tells the author, a mention tells the person
named, and only the author (by the id of their account) can change or remove a post.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import Insert, bindparam, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import hashtags, mentions, post_removal, posts, replies
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.core.text import clean_line
from buurtnet.models import (
    Account,
    AccountStatus,
    Post,
    Visibility,
    utcnow,
)


@dataclass(frozen=True)
class IncomingPost:
    """A post from another server, in our terms."""

    uri: str
    url: str | None
    content_html: str  # sanitised
    text: str  # the same as plain text, for search
    summary: str
    visibility: Visibility
    language: str | None
    published: datetime | None
    parent_id: int | None  # the post here that it answers
    mentioned_ids: Sequence[int]  # local accounts it names
    hashtags: Sequence[str]


_BY_URI = select(Post).where(col(Post.uri) == bindparam("uri"))
_ID_BY_URI = sa.select(col(Post.id)).where(col(Post.uri) == bindparam("uri"))


async def by_uri(session: AsyncSession, uri: str) -> Post | None:
    return (await session.exec(_BY_URI, params={"uri": uri})).first()


class Stored(NamedTuple):
    post_id: int
    new: bool  # False: it was stored before (delivered twice, or shared meanwhile)


async def store_remote_post(
    session: AsyncSession, author: Account, incoming: IncomingPost
) -> Stored:
    """Store a post once, however often it is delivered; a reply must answer what its author
    may see, and a post cannot be about a local person who blocks its author."""
    assert author.id is not None and author.domain is not None
    if author.status != AccountStatus.ACTIVE:
        raise NotAllowed
    parent = None
    if incoming.parent_id is not None:
        parent = await posts.get_visible(session, author, incoming.parent_id)
    row = dict(
        author_id=author.id,
        neighbourhood_id=parent.neighbourhood_id if parent else None,
        visibility=incoming.visibility,
        in_reply_to_id=parent.id if parent else None,
        thread_root_id=(parent.thread_root_id or parent.id) if parent else None,
        summary=clean_line(incoming.summary, posts.SUMMARY_LENGTH),
        language=incoming.language if incoming.language in posts.LANGUAGES else None,
        source=incoming.text[: posts.MAX_LENGTH * 4],
        content_html=incoming.content_html,
        uri=incoming.uri,
        url=incoming.url,
        created_at=_not_in_future(incoming.published),
    )
    connection = await session.connection()
    insert = _insert_statement(connection.dialect.name == "postgresql")
    post_id = (await connection.execute(insert, row)).scalar()
    if post_id is None:  # delivered before, or meanwhile by another way (a share of it)
        existing = (await connection.execute(_ID_BY_URI, {"uri": incoming.uri})).scalar_one()
        assert existing is not None
        return Stored(existing, new=False)
    await _address(session, post_id, author, incoming, parent)
    await hashtags.tag_post(session, post_id, list(incoming.hashtags))
    if parent is not None:
        await replies.count_reply(session, parent, post_id, author.id, incoming.visibility)
    return Stored(post_id, new=True)


async def update_remote_post(
    session: AsyncSession, author: Account, incoming: IncomingPost
) -> Post:
    """The author changed the post: keep the earlier version, as for posts written here."""
    post = await own_remote_post(session, author, incoming.uri)
    assert post.id is not None
    posts.keep_earlier_version(session, post)
    post.content_html = incoming.content_html
    post.source = incoming.text[: posts.MAX_LENGTH * 4]
    post.summary = clean_line(incoming.summary, posts.SUMMARY_LENGTH)
    post.edited_at = utcnow()
    parent = await session.get(Post, post.in_reply_to_id) if post.in_reply_to_id else None
    await _address(session, post.id, author, incoming, parent)
    await hashtags.retag_post(session, post.id, list(incoming.hashtags))
    return post


async def _address(
    session: AsyncSession,
    post_id: int,
    author: Account,
    incoming: IncomingPost,
    parent: Post | None,
) -> None:
    """A post from elsewhere addresses whom its server names, and in a private conversation the
    author it answers, who may then read the answer."""
    assert author.id is not None
    addressed = set(incoming.mentioned_ids)
    answered = parent.author_id if parent is not None else None
    if answered is not None and incoming.visibility in mentions.PRIVATE:
        addressed.add(answered)
    await mentions.address(session, post_id, author.id, addressed, answered=answered)


async def add_to_content(session: AsyncSession, post_id: int, html: str) -> None:
    """Sanitised HTML at the end of a post from elsewhere (a link to an image that could not be
    fetched), once: an edit that brings the image again does not repeat it. One statement, as
    two image jobs of one post run side by side: neither may write over what the other added."""
    content = col(Post.content_html)
    await session.exec(
        update(Post)
        .where(col(Post.id) == post_id, ~content.contains(html, autoescape=True))
        .values(content_html=content + html)
    )


async def delete_remote_post(session: AsyncSession, author: Account, uri: str) -> None:
    """Remove a post at its author's request; deleting what is not there is not an error."""
    try:
        post = await own_remote_post(session, author, uri)
    except NotFound:
        return
    await post_removal.remove_posts(session, [post])


async def own_remote_post(session: AsyncSession, author: Account, uri: str) -> Post:
    """The post with this id, if this author wrote it; someone else's is `NotAllowed`."""
    post = await by_uri(session, uri)
    if post is None:
        raise NotFound(uri)
    if post.author_id != author.id:
        raise NotAllowed
    return post


@functools.cache
def _insert_statement(postgresql: bool) -> Insert:
    """A post's INSERT, skipped when its id is known; built once per database, as it runs on
    every arrival."""
    insert = postgresql_insert if postgresql else sqlite_insert
    return insert(Post).on_conflict_do_nothing(index_elements=["uri"]).returning(col(Post.id))


def _not_in_future(published: datetime | None) -> datetime:
    now = utcnow()
    return now if published is None or published > now else published
