"""The jobs that `core.outbox` enqueues: each local change becomes an activity for the inboxes of
the people elsewhere it concerns, handed to `delivery`.

Who hears of what (INTEROP.md section 3): a public or followers-only post goes to the author's
followers elsewhere, the people elsewhere it names and the author it answers; a direct post only to
the people it names; a public post in a neighbourhood also to the neighbourhood's followers, as
the group's Announce of the Create and of the Note (FEP-1b12, as Lemmy does, so that Mastodon
shows it as a share). Neighbourhood-only posts go nowhere, whatever a payload says.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import outbox
from buurtnet.federation import activities, keys, notes, vocab
from buurtnet.federation.context import Federation
from buurtnet.federation.delivery import deliver_later
from buurtnet.federation.recipients import account_inboxes, follower_inboxes, group_inboxes
from buurtnet.federation.vocab import JsonObject
from buurtnet.jobs import Payload, PermanentFailure
from buurtnet.models import (
    Account,
    Mention,
    Neighbourhood,
    Post,
    Visibility,
)

Handler = Callable[[Payload], Awaitable[None]]


@dataclass(frozen=True)
class PostNews:
    """A post as it goes out: its Note, its author, its group (if any) and whom it reaches."""

    post: Post
    note: JsonObject
    author: Account
    group: Neighbourhood | None
    inboxes: set[str]


def number(payload: Payload, key: str) -> int:
    value = payload.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PermanentFailure(f"malformed payload: {key} is {value!r}")
    return value


def text(payload: Payload, key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise PermanentFailure(f"malformed payload: {key} is {value!r}")
    return value


def moment(payload: Payload, key: str) -> datetime:
    try:
        return datetime.fromisoformat(text(payload, key))
    except ValueError as error:
        raise PermanentFailure(f"malformed payload: {key}") from error


def _key_of(account: Account) -> str:
    assert account.id is not None
    return keys.account_owner(account.id)


async def news_of_post(
    federation: Federation, session: AsyncSession, post_id: int
) -> PostNews | None:
    """The post as a Note, with everything it names; None when it is gone or stays here."""
    post = await session.get(Post, post_id)
    if post is None or post.uri is not None or post.visibility == Visibility.NEIGHBOURHOOD:
        return None
    author = await session.get(Account, post.author_id)
    if author is None or author.domain is not None:
        return None
    uris = federation.uris
    [note] = await notes.notes_of(session, [(post, author)], uris, federation.host)
    named_elsewhere = await session.exec(
        select(Account)
        .join(Mention)
        .where(col(Mention.post_id) == post_id, col(Account.domain).is_not(None))
        .order_by(col(Account.id))
    )
    elsewhere = [person for person in named_elsewhere.all() if person.actor_uri]
    people = [(person.actor_uri or "", person.handle) for person in elsewhere]
    group = await _group_of(session, post)
    audience = uris.neighbourhood(group.slug) if group else None
    note = activities.with_remote_people(note, post.visibility, people, audience=audience)
    addressed = {person.id for person in elsewhere} | {await _parent_author(session, post)}
    inboxes = await account_inboxes(session, [found for found in addressed if found])
    if post.visibility != Visibility.DIRECT:
        inboxes |= await follower_inboxes(session, post.author_id)
    return PostNews(post, note, author, group, inboxes)


async def _parent_author(session: AsyncSession, post: Post) -> int | None:
    """The author of the post answered, who is told of the answer wherever they are."""
    if post.in_reply_to_id is None:
        return None
    parent = await session.get(Post, post.in_reply_to_id)
    return parent.author_id if parent is not None else None


async def _group_of(session: AsyncSession, post: Post) -> Neighbourhood | None:
    """The neighbourhood that announces a public post written in it."""
    if post.visibility != Visibility.PUBLIC or post.neighbourhood_id is None:
        return None
    return await session.get(Neighbourhood, post.neighbourhood_id)


async def post_created(federation: Federation, payload: Payload) -> None:
    async with federation.database.transaction() as session:
        news = await news_of_post(federation, session, number(payload, "post_id"))
        if news is None:
            return
        create = notes.create_of(news.note, news.post, news.author, federation.uris)
        deliver_later(session, _key_of(news.author), create, news.inboxes)
        if news.group is not None:
            await _announce_in_group(federation, session, news, create)


async def _announce_in_group(
    federation: Federation, session: AsyncSession, news: PostNews, create: JsonObject
) -> None:
    """The group passes its member's post on: the Create for Lemmy and the like, the Note for
    Mastodon, which shows only the latter as a share."""
    group = news.group
    assert group is not None and group.id is not None
    uris = federation.uris
    group_id, followers = uris.neighbourhood(group.slug), uris.neighbourhood_followers(group.slug)
    inboxes = await group_inboxes(session, group.id)
    for kind, shared in (("create", create), ("note", news.note)):
        announce = activities.announce_to_as2(
            uris.activity(group_id, "announces", f"{kind}-{news.post.id}"),
            group_id,
            shared,
            followers=followers,
            author=create["actor"],
            published=news.note["published"],
        )
        deliver_later(session, keys.neighbourhood_owner(group.id), announce, inboxes)


async def post_edited(federation: Federation, payload: Payload) -> None:
    async with federation.database.transaction() as session:
        news = await news_of_post(federation, session, number(payload, "post_id"))
        if news is None or news.post.edited_at is None:
            return
        note = news.note
        actor = federation.uris.actor(news.author.username)
        stamp = activities.stamp(news.post.edited_at)
        update_id = federation.uris.activity(note["id"], "updates", stamp)
        update = activities.update_note_to_as2(note, actor, update_id)
        inboxes = news.inboxes
        if news.group is not None:
            assert news.group.id is not None
            inboxes = inboxes | await group_inboxes(session, news.group.id)
        deliver_later(session, _key_of(news.author), update, inboxes)


async def post_deleted(federation: Federation, payload: Payload) -> None:
    """From the facts written at deletion: the post and its mentions are gone by now."""
    visibility = text(payload, "visibility")
    if visibility == Visibility.NEIGHBOURHOOD:
        return
    uris = federation.uris
    username, author_id = text(payload, "author_username"), number(payload, "author_id")
    mentioned = payload.get("mentioned_ids", [])
    if not isinstance(mentioned, list) or not all(isinstance(item, int) for item in mentioned):
        raise PermanentFailure("malformed payload: mentioned_ids")
    async with federation.database.transaction() as session:
        named = (await session.exec(select(Account).where(col(Account.id).in_(mentioned)))).all()
        people = [
            person.actor_uri if person.domain else uris.actor(person.username) for person in named
        ]
        to, cc = vocab.addressing(visibility, username, uris, mentioned=[p for p in people if p])
        note_id = uris.post(username, number(payload, "post_id"))
        delete = activities.delete_note_to_as2(note_id, uris.actor(username), to, cc)
        inboxes = await account_inboxes(session, mentioned)
        if visibility != Visibility.DIRECT:
            inboxes |= await follower_inboxes(session, author_id)
        neighbourhood_id = payload.get("neighbourhood_id")
        if visibility == Visibility.PUBLIC and isinstance(neighbourhood_id, int):
            inboxes |= await group_inboxes(session, neighbourhood_id)
        deliver_later(session, keys.account_owner(author_id), delete, inboxes)


def handlers(federation: Federation) -> dict[str, Handler]:
    """The jobs of `core.outbox` that concern posts, by name."""
    return {
        outbox.POST_CREATED: partial(post_created, federation),
        outbox.POST_EDITED: partial(post_edited, federation),
        outbox.POST_DELETED: partial(post_deleted, federation),
    }
