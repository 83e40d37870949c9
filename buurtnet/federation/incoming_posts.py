"""Remote posts as they arrive (`Create`, `Update`, `Announce`): checked for origin, then stored.

A post is taken in only when it concerns someone here: its author is followed by a resident, it
names a resident, or it answers a post of ours. The rest of the fediverse is not our business to
store. A post embedded by its own author's server is trusted as sent; one that names another
origin is fetched from that origin (the CVE-2024-23832 class), never believed on someone's word.
"""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import mentions, remote_posts, remote_relations
from buurtnet.core.media import MAX_IMAGES_PER_POST
from buurtnet.core.remote_posts import IncomingPost
from buurtnet.federation import remote_media
from buurtnet.federation.as2 import parse, parse_values
from buurtnet.federation.as2.parse import ParseError, RemoteNote
from buurtnet.federation.context import Federation
from buurtnet.federation.local_ids import local_id, local_post_id
from buurtnet.federation.remote_actors import ActorUnavailable, actor_by_uri, fetch_document
from buurtnet.models import Account, Visibility
from buurtnet.sanitise import plain_text

VISIBILITY = {
    "public": Visibility.PUBLIC,
    "unlisted": Visibility.UNLISTED,
    "followers": Visibility.FOLLOWERS,
    "direct": Visibility.DIRECT,
}


class Unwelcome(Exception):
    """A post that does not concern anyone here, or whose origin does not check out."""


async def note_from(federation: Federation, sender: Account, raw: Any) -> RemoteNote:
    """The note an activity carries: as embedded, if the sender's server is its origin; else
    fetched from its own origin."""
    assert sender.actor_uri is not None
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        if parse_values.same_origin(raw["id"], sender.actor_uri):
            return parse.as2_to_note(raw)
        raw = raw["id"]
    if not isinstance(raw, str):
        raise ParseError("the object must be a post or its id")
    try:
        return parse.as2_to_note(await fetch_document(federation, raw))
    except ActorUnavailable as error:
        raise Unwelcome(f"the post could not be fetched: {error}") from error


def check_authorship(note: RemoteNote, author: Account) -> None:
    """The note's author must be the account, and the note must live on the author's server."""
    assert author.actor_uri is not None
    if note.attributed_to != author.actor_uri:
        raise Unwelcome("the post is attributed to someone else than its sender")
    if not parse_values.same_origin(note.id, author.actor_uri):
        raise Unwelcome("the post's id is on another server than its author")


async def incoming_post(
    federation: Federation, session: AsyncSession, note: RemoteNote, author: Account
) -> IncomingPost:
    """The note in our terms: the local post it answers and the local people it names."""
    uris = federation.uris
    parent_id = None
    if note.in_reply_to is not None:
        parent_id = local_post_id(uris, note.in_reply_to)
        if parent_id is None and (parent := await remote_posts.by_uri(session, note.in_reply_to)):
            parent_id = parent.id
    people = (local_id(uris, mention.href) for mention in note.mentions)
    named = [found.name for found in people if found is not None and found.kind == "person"]
    mentioned_ids = await mentions.local_ids_by_username(session, named)
    # Images beyond what a post here may show stay links; the others are fetched by a job.
    content = note.content + remote_media.image_links(note.attachments[MAX_IMAGES_PER_POST:])
    return IncomingPost(
        uri=note.id,
        url=note.url,
        content_html=content,
        text=plain_text(content),
        summary=note.summary or "",
        visibility=VISIBILITY[parse.visibility_of(note.to, note.cc, author.followers_url)],
        language=note.language,
        published=note.published,
        parent_id=parent_id,
        mentioned_ids=mentioned_ids,
        hashtags=note.hashtags,
    )


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
    federation: Federation, note: RemoteNote, author: Account, *, wanted: bool = False
) -> int | None:
    """Store a checked note when it concerns someone here, or is `wanted` (the caller knows it
    does: it was written or shared by someone followed here); the post's id, or None."""
    async with federation.database.transaction() as session:
        return await store_note_in(session, federation, note, author, wanted=wanted)


async def store_note_in(
    session: AsyncSession,
    federation: Federation,
    note: RemoteNote,
    author: Account,
    *,
    wanted: bool = False,
    followed: bool | None = None,
) -> int | None:
    """`store_note` in the caller's transaction (the inbox's, for a post that needs no fetch,
    which knows whether its author is `followed` here)."""
    check_authorship(note, author)
    incoming = await incoming_post(federation, session, note, author)
    if not wanted and not await concerns_us(session, incoming, author, followed):
        return None
    assert author.id is not None
    stored = await remote_posts.store_remote_post(session, author, incoming)
    if stored.new:
        remote_media.queue_images(session, stored.post_id, author.id, note.attachments)
    return stored.post_id


async def author_of(federation: Federation, note: RemoteNote) -> Account:
    try:
        return await actor_by_uri(federation, note.attributed_to)
    except ActorUnavailable as error:
        raise Unwelcome(f"the author could not be fetched: {error}") from error
