"""Gathering everything that belongs to one person, for the download of their own data.

Plain rows and values in a fixed number of queries, however many posts there are (one per kind of
thing, joined to the person's posts, never one per post). How it is written down (ActivityStreams
in a zip) is for `federation.archive` to decide.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import accounts
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
)


@dataclass(frozen=True)
class PostRef:
    """Another post by its author's username and id: enough to build its URI."""

    author_username: str
    post_id: int


@dataclass(frozen=True)
class ExportedPost:
    post: Post
    in_reply_to: PostRef | None = None
    hashtags: list[str] = field(default_factory=list)
    mentioned_usernames: list[str] = field(default_factory=list)
    attachments: list[MediaAttachment] = field(default_factory=list)


@dataclass(frozen=True)
class AccountExport:
    account: Account
    neighbourhood: Neighbourhood | None
    posts: list[ExportedPost]  # newest first
    likes: list[PostRef]
    following: list[str]  # usernames
    followers: list[str]

    @property
    def media_keys(self) -> list[str]:
        """Every file to put in the archive: the avatar and the original of each image."""
        keys = [self.account.avatar_key] if self.account.avatar_key else []
        keys += [item.storage_key for post in self.posts for item in post.attachments]
        return list(dict.fromkeys(keys))


async def gather_export(session: AsyncSession, account: Account) -> AccountExport:
    """One person's profile, posts (with tags, mentions, images and what they answer), likes
    and follows, in a fixed number of queries."""
    assert account.id is not None
    stored = await session.get(Account, account.id)
    assert stored is not None
    neighbourhood = await accounts.home_neighbourhood(session, stored)
    posts = await _posts_with_parents(session, account.id)
    hashtags = await _hashtags(session, account.id)
    mentions = await _mentions(session, account.id)
    attachments = await _attachments(session, account.id)
    exported = [
        ExportedPost(
            post=post,
            in_reply_to=parent,
            hashtags=hashtags.get(post.id or 0, []),
            mentioned_usernames=mentions.get(post.id or 0, []),
            attachments=attachments.get(post.id or 0, []),
        )
        for post, parent in posts
    ]
    return AccountExport(
        account=stored,
        neighbourhood=neighbourhood,
        posts=exported,
        likes=await _likes(session, account.id),
        following=await _usernames(session, account.id, following=True),
        followers=await _usernames(session, account.id, following=False),
    )


async def _posts_with_parents(
    session: AsyncSession, author_id: int
) -> list[tuple[Post, PostRef | None]]:
    parent = aliased(Post)
    parent_author = aliased(Account)
    query = (
        select(Post, col(parent.id), col(parent_author.username))
        .outerjoin(parent, col(parent.id) == col(Post.in_reply_to_id))
        .outerjoin(parent_author, col(parent_author.id) == col(parent.author_id))
        .where(col(Post.author_id) == author_id)
        .order_by(col(Post.id).desc())
    )
    rows = (await session.exec(query)).all()
    return [
        (post, PostRef(username, parent_id) if parent_id is not None and username else None)
        for post, parent_id, username in rows
    ]


async def _hashtags(session: AsyncSession, author_id: int) -> dict[int, list[str]]:
    query = (
        select(PostHashtag.post_id, Hashtag.name)
        .join(Hashtag, col(Hashtag.id) == col(PostHashtag.hashtag_id))
        .join(Post, col(Post.id) == col(PostHashtag.post_id))
        .where(col(Post.author_id) == author_id)
        .order_by(col(Hashtag.name))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for post_id, name in (await session.exec(query)).all():
        found[post_id].append(name)
    return found


async def _mentions(session: AsyncSession, author_id: int) -> dict[int, list[str]]:
    query = (
        select(Mention.post_id, Account.username)
        .join(Account, col(Account.id) == col(Mention.account_id))
        .join(Post, col(Post.id) == col(Mention.post_id))
        .where(col(Post.author_id) == author_id)
        .order_by(col(Account.username_key))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for post_id, username in (await session.exec(query)).all():
        found[post_id].append(username)
    return found


async def _attachments(session: AsyncSession, author_id: int) -> dict[int, list[MediaAttachment]]:
    query = (
        select(MediaAttachment)
        .join(Post, col(Post.id) == col(MediaAttachment.post_id))
        .where(col(Post.author_id) == author_id)
        .order_by(col(MediaAttachment.post_id), col(MediaAttachment.position))
    )
    found: dict[int, list[MediaAttachment]] = defaultdict(list)
    for attachment in (await session.exec(query)).all():
        assert attachment.post_id is not None
        found[attachment.post_id].append(attachment)
    return found


async def _likes(session: AsyncSession, account_id: int) -> list[PostRef]:
    query = (
        select(Account.username, Post.id)
        .select_from(Like)
        .join(Post, col(Post.id) == col(Like.post_id))
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(col(Like.account_id) == account_id)
        .order_by(col(Like.created_at).desc())
    )
    return [
        PostRef(username, post_id)
        for username, post_id in (await session.exec(query)).all()
        if post_id is not None
    ]


async def _usernames(session: AsyncSession, account_id: int, *, following: bool) -> list[str]:
    """The people someone follows (following=True) or who follow them."""
    mine, theirs = (
        (Follow.follower_id, Follow.followed_id)
        if following
        else (Follow.followed_id, Follow.follower_id)
    )
    query = (
        select(Account.username)
        .select_from(Follow)
        .join(Account, col(Account.id) == col(theirs))
        .where(col(mine) == account_id)
        .order_by(col(Follow.created_at).desc())
    )
    return list((await session.exec(query)).all())
