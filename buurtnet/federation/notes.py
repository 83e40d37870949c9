"""Our public posts as `Note`s (and the `Create`s that published them), as other servers fetch them.

Only public posts by active local people are served. Followers-only and direct posts would need
a signed fetch by someone allowed to see them (not yet: they are 404 to every fetch), and
neighbourhood posts never leave the instance at all. A page of posts takes a fixed number of
queries (tags, mentions, images and parents each in one), however many posts it holds.
"""

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import feeds, names
from buurtnet.core.errors import NotFound
from buurtnet.federation import vocab
from buurtnet.federation.uris import Uris
from buurtnet.models import (
    Account,
    AccountStatus,
    Hashtag,
    Mention,
    Post,
    PostHashtag,
    Visibility,
)

Authored = tuple[Post, Account]


def is_served(post: Post, author: Account) -> bool:
    """Whether a post may be fetched as ActivityPub JSON by anyone."""
    return (
        post.visibility == Visibility.PUBLIC
        and author.domain is None
        and author.status == AccountStatus.ACTIVE
    )


async def public_post(session: AsyncSession, post_id: int, username: str | None = None) -> Authored:
    """A public post with its author; NotFound for anything else, or under another author's URL."""
    query = (
        select(Post, Account)
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(col(Post.id) == post_id)
    )
    found = (await session.exec(query)).first()
    if found is None or not is_served(*found):
        raise NotFound(post_id)
    if username is not None and found[1].username_key != names.name_key(username):
        raise NotFound(post_id)
    return found


async def notes_of(
    session: AsyncSession, rows: Sequence[Authored], uris: Uris, host: str
) -> list[vocab.JsonObject]:
    """The posts as `Note`s, in the order given."""
    ids = [post.id for post, _author in rows if post.id is not None]
    hashtags = await _hashtags(session, ids)
    mentions = await _local_mentions(session, ids)
    attachments = await feeds.images_of(session, ids)
    parents = await _parent_ids(session, [post.in_reply_to_id for post, _ in rows], uris)
    return [
        vocab.note_to_as2(
            post,
            author,
            uris,
            host=host,
            in_reply_to=parents.get(post.in_reply_to_id or 0),
            hashtags=hashtags.get(post.id or 0, []),
            mentioned_usernames=mentions.get(post.id or 0, []),
            attachments=attachments.get(post.id or 0, []),
        )
        for post, author in rows
    ]


def create_of(note: vocab.JsonObject, post: Post, author: Account, uris: Uris) -> vocab.JsonObject:
    """The `Create` that published a post, with the note inside."""
    assert post.id is not None
    activity_id = uris.post_activity(author.username, post.id)
    return vocab.create_to_as2(note, uris.actor(author.username), activity_id)


async def creates_of(
    session: AsyncSession, rows: Sequence[Authored], uris: Uris, host: str
) -> list[vocab.JsonObject]:
    notes = await notes_of(session, rows, uris, host)
    return [
        create_of(note, post, author, uris)
        for note, (post, author) in zip(notes, rows, strict=True)
    ]


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


async def _local_mentions(session: AsyncSession, post_ids: list[int]) -> dict[int, list[str]]:
    """Mentioned neighbours by username. People on other servers are left out until the
    note builder knows their actor ids (a `Mention` needs the right `href`)."""
    query = (
        select(Mention.post_id, Account.username)
        .join(Account, col(Account.id) == col(Mention.account_id))
        .where(col(Mention.post_id).in_(post_ids), col(Account.domain).is_(None))
        .order_by(col(Account.username_key))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for post_id, username in (await session.exec(query)).all():
        found[post_id].append(username)
    return found


async def _parent_ids(
    session: AsyncSession, parent_ids: Sequence[int | None], uris: Uris
) -> dict[int, str]:
    """The ActivityPub id of each post answered: its own `uri` when it came from elsewhere."""
    wanted = [parent_id for parent_id in parent_ids if parent_id is not None]
    if not wanted:
        return {}
    author = aliased(Account)
    query = (
        select(Post.id, Post.uri, author.username, author.domain)
        .join(author, col(author.id) == col(Post.author_id))
        .where(col(Post.id).in_(wanted))
    )
    found: dict[int, str] = {}
    for post_id, uri, username, domain in (await session.exec(query)).all():
        assert post_id is not None
        if uri is not None:
            found[post_id] = uri
        elif domain is None:
            found[post_id] = uris.post(username, post_id)
    return found
