"""The jobs that `core.outbound` enqueues: each local change becomes an activity for the inboxes of
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

from buurtnet.core import outbound
from buurtnet.core.audience import Audience, audience_of
from buurtnet.core.post_details import details_of
from buurtnet.federation import keys, notes
from buurtnet.federation.as2 import activities, objects
from buurtnet.federation.as2.objects import JsonObject
from buurtnet.federation.context import Federation
from buurtnet.federation.delivery import deliver_later
from buurtnet.federation.recipients import audience_inboxes, group_inboxes
from buurtnet.job_queue import Payload, PermanentFailure
from buurtnet.models import Account, Neighbourhood, Post

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
    """The post as a Note, and where it goes; None when it is gone, stays here, or was taken
    out of view by moderation since the job was written."""
    post = await session.get(Post, post_id)
    if post is None or post.uri is not None or post.moderation is not None:
        return None
    author = await session.get(Account, post.author_id)
    if author is None or author.domain is not None:
        return None
    [details] = await details_of(session, [(post, author)])
    audience = audience_of(post, author, details.named)
    if not audience.leaves_the_instance:
        return None
    note = objects.note_to_as2(details, federation.uris, host=federation.host)
    group = details.neighbourhood if audience.group_id is not None else None
    inboxes = await audience_inboxes(session, audience)
    return PostNews(post, note, author, group, inboxes)


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
    assert group is not None and group.id is not None and news.post.id is not None
    inboxes = await group_inboxes(session, group.id)
    for shared in (create, news.note):
        announce = notes.group_announce(group, shared, news.post.id, federation.uris)
        deliver_later(session, keys.neighbourhood_owner(group.id), announce, inboxes)


async def post_edited(federation: Federation, payload: Payload) -> None:
    async with federation.database.transaction() as session:
        news = await news_of_post(federation, session, number(payload, "post_id"))
        changed = objects.changed_at(news.post) if news is not None else None
        if news is not None and changed is not None:
            await _send_update(federation, session, news, activities.stamp(changed))


async def event_changed(federation: Federation, payload: Payload) -> None:
    """An activity cancelled: the Update says so (`status`), as Mobilizon sends it."""
    async with federation.database.transaction() as session:
        news = await news_of_post(federation, session, number(payload, "post_id"))
        if news is not None:
            stamp = f"event-{number(payload, 'sequence')}"
            await _send_update(federation, session, news, stamp)


async def _send_update(
    federation: Federation, session: AsyncSession, news: PostNews, stamp: str
) -> None:
    """The post as it is now, to whom it went and its group's followers."""
    note = news.note
    actor = federation.uris.actor(news.author.username)
    update_id = federation.uris.activity(note["id"], "updates", stamp)
    update = activities.update_note_to_as2(note, actor, update_id)
    inboxes = news.inboxes
    if news.group is not None:
        assert news.group.id is not None
        inboxes = inboxes | await group_inboxes(session, news.group.id)
    deliver_later(session, _key_of(news.author), update, inboxes)


async def post_deleted(federation: Federation, payload: Payload) -> None:
    """From the facts written at deletion: the post and its mentions are gone by now."""
    try:
        audience = Audience.from_payload(payload)
    except ValueError as error:
        raise PermanentFailure(f"malformed payload: {error}") from error
    if not audience.leaves_the_instance:
        return
    uris = federation.uris
    username = text(payload, "author_username")
    async with federation.database.transaction() as session:
        named = await session.exec(select(Account).where(col(Account.id).in_(audience.named_ids)))
        people = [uris.actor_of(person) for person in named.all()]
        to, cc = objects.addressing(audience.visibility, uris.followers(username), people)
        note_id = uris.post(username, number(payload, "post_id"))
        delete = activities.delete_note_to_as2(note_id, uris.actor(username), to, cc)
        inboxes = await audience_inboxes(session, audience)
        if audience.group_id is not None:
            inboxes |= await group_inboxes(session, audience.group_id)
        deliver_later(session, keys.account_owner(audience.author_id), delete, inboxes)


def handlers(federation: Federation) -> dict[str, Handler]:
    """The jobs of `core.outbound` that concern posts, by name."""
    return {
        outbound.POST_CREATED: partial(post_created, federation),
        outbound.POST_EDITED: partial(post_edited, federation),
        outbound.EVENT_CHANGED: partial(event_changed, federation),
        outbound.POST_DELETED: partial(post_deleted, federation),
    }
