"""Posts (and events, which are posts with their details) as they arrive from elsewhere
(`Create`, `Update`, `Announce`): read by their type, checked for origin, then stored.

A post is taken in only when it concerns someone here: its author is followed by a resident, it
names a resident, or it answers a post we have. The rest of the fediverse is not our business to
store. A post embedded by its own author's server is trusted as sent; one that names another
origin is fetched from that origin (the CVE-2024-23832 class), never believed on someone's word.
A reply to a post we do not have brings that post in first (fetched from its origin, up to
`MAX_ANCESTORS` posts up), so the answer joins its conversation here. A vote (a named Note that
answers a poll) is taken as a vote here, never as a post; a Question keeps its poll
(`questions`), an Event its time and place (`incoming_events`).
"""

import logging
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import mentions, remote_posts, remote_relations
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.core.media import MAX_IMAGES_PER_POST
from buurtnet.core.remote_posts import IncomingPost
from buurtnet.federation import incoming_events, questions, remote_media
from buurtnet.federation.as2 import parse, parse_values
from buurtnet.federation.as2.parse import ParseError
from buurtnet.federation.as2.parse_objects import RemoteObject, as2_to_object
from buurtnet.federation.context import Federation
from buurtnet.federation.local_ids import local_id, local_post_id
from buurtnet.federation.remote_actors import ActorUnavailable, actor_by_uri, fetch_document
from buurtnet.models import Account, Visibility
from buurtnet.sanitise import plain_text

log = logging.getLogger(__name__)

VISIBILITY = {
    "public": Visibility.PUBLIC,
    "unlisted": Visibility.UNLISTED,
    "followers": Visibility.FOLLOWERS,
    "direct": Visibility.DIRECT,
}
MAX_ANCESTORS = 5


class Unwelcome(Exception):
    """A post that does not concern anyone here, or whose origin does not check out."""


class ParentUnknown(Exception):
    """A post that concerns us answers one from elsewhere that we do not have: it is to be
    fetched first, which needs the network (a job's, not the inbox's)."""

    def __init__(self, uri: str) -> None:
        super().__init__(uri)
        self.uri = uri


async def object_from(federation: Federation, sender: Account, raw: Any) -> RemoteObject:
    """The post or event an activity carries: as embedded, if the sender's server is its
    origin; else fetched from its own origin."""
    assert sender.actor_uri is not None
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        if parse_values.same_origin(raw["id"], sender.actor_uri):
            return as2_to_object(raw)
        raw = raw["id"]
    if not isinstance(raw, str):
        raise ParseError("the object must be a post or its id")
    try:
        return as2_to_object(await fetch_document(federation, raw))
    except ActorUnavailable as error:
        raise Unwelcome(f"the post could not be fetched: {error}") from error


def check_authorship(found: RemoteObject, author: Account) -> None:
    """The post's author must be the account, and the post must live on the author's server."""
    assert author.actor_uri is not None
    if found.attributed_to != author.actor_uri:
        raise Unwelcome("the post is attributed to someone else than its sender")
    if not parse_values.same_origin(found.id, author.actor_uri):
        raise Unwelcome("the post's id is on another server than its author")


async def incoming_post(
    federation: Federation, session: AsyncSession, found: RemoteObject, author: Account
) -> IncomingPost:
    """The post in our terms: the post here that it answers (None also when we do not have
    it) and the residents it names."""
    parent_id = await _parent_id(federation, session, found)
    people = (local_id(federation.uris, mention.href) for mention in found.mentions)
    named = [person.name for person in people if person is not None and person.kind == "person"]
    # Images beyond what a post here may show stay links; the others are fetched by a job.
    content = found.content + remote_media.image_links(found.attachments[MAX_IMAGES_PER_POST:])
    return IncomingPost(
        uri=found.id,
        url=found.url,
        content_html=content,
        text=plain_text(content),
        summary=(found.summary or "") if isinstance(found, parse.RemoteNote) else "",
        visibility=VISIBILITY[parse.visibility_of(found.to, found.cc, author.followers_url)],
        language=found.language,
        published=found.published,
        parent_id=parent_id,
        mentioned_ids=await mentions.local_ids_by_username(session, named),
        hashtags=found.hashtags,
    )


def _answers(found: RemoteObject) -> str | None:
    return found.in_reply_to if isinstance(found, parse.RemoteNote) else None


async def _parent_id(
    federation: Federation, session: AsyncSession, found: RemoteObject
) -> int | None:
    answered = _answers(found)
    if answered is None:
        return None
    if (ours := local_post_id(federation.uris, answered)) is not None:
        return ours
    stored = await remote_posts.by_uri(session, answered)
    return stored.id if stored is not None else None


async def concerns_us(
    session: AsyncSession, incoming: IncomingPost, author: Account, followed: bool | None = None
) -> bool:
    """Followed by someone here (when the caller knows already: `followed`), naming someone
    here, or answering a post here."""
    if incoming.mentioned_ids or incoming.parent_id is not None:
        return True
    if followed is None:
        followed = await remote_relations.is_followed_here(session, author)
    return followed


async def store_note(
    federation: Federation,
    found: RemoteObject,
    author: Account,
    *,
    wanted: bool = False,
    ancestors: int = MAX_ANCESTORS,
) -> int | None:
    """Store a checked post when it concerns someone here, or is `wanted` (the caller knows it
    does: it was written or shared by someone followed here); the post's id, or None. A post it
    answers that we do not have is brought in first, up to `ancestors` posts up."""
    if ancestors > 0:
        try:
            async with federation.database.transaction() as session:
                return await store_note_in(session, federation, found, author, wanted=wanted)
        except ParentUnknown as missing:
            await _bring_in(federation, missing.uri, ancestors - 1)
    async with federation.database.transaction() as session:
        return await store_note_in(
            session, federation, found, author, wanted=wanted, parent_needed=False
        )


async def store_note_in(
    session: AsyncSession,
    federation: Federation,
    found: RemoteObject,
    author: Account,
    *,
    wanted: bool = False,
    followed: bool | None = None,
    parent_needed: bool = True,
) -> int | None:
    """`store_note` in the caller's transaction (the inbox's, for a post that needs no fetch,
    which knows whether its author is `followed` here). `ParentUnknown` when the post answers
    one we do not have, unless that is no longer `parent_needed`."""
    check_authorship(found, author)
    if await questions.take_vote(session, federation, found, author):
        return None
    incoming = await incoming_post(federation, session, found, author)
    if not wanted and not await concerns_us(session, incoming, author, followed):
        return None
    answered = _answers(found)
    if parent_needed and incoming.parent_id is None and answered is not None:
        raise ParentUnknown(answered)
    assert author.id is not None
    stored = await remote_posts.store_remote_post(session, author, incoming)
    if stored.new:
        remote_media.queue_images(session, stored.post_id, author.id, found.attachments)
    await questions.keep_question(session, stored.post_id, found)
    await incoming_events.keep_event(session, stored.post_id, found)
    return stored.post_id


async def _bring_in(federation: Federation, uri: str, ancestors: int) -> None:
    """A post that another answers, fetched from its own origin and stored as wanted: when it
    cannot be had, the answer is kept without it."""
    try:
        parent = as2_to_object(await fetch_document(federation, uri))
        await store_note(
            federation,
            parent,
            await author_of(federation, parent),
            wanted=True,
            ancestors=ancestors,
        )
    except (ActorUnavailable, ParseError, Unwelcome, NotAllowed, NotFound) as error:
        log.info("the post %s answers could not be brought in: %s", uri, error)


async def author_of(federation: Federation, found: RemoteObject) -> Account:
    try:
        return await actor_by_uri(federation, found.attributed_to)
    except ActorUnavailable as error:
        raise Unwelcome(f"the author could not be fetched: {error}") from error
