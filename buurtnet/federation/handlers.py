"""One handler per incoming activity type, run by the `inbox.process` job after the inbox checked
the signature. Each checks that the activity's actor may do what it asks (the signer is the actor:
the inbox made sure) and that origins match, then calls core. Unknown types are kept harmlessly:
they are dropped without an error, so the sender does not try again.
"""

import contextlib
import logging
from collections.abc import Awaitable, Callable

from buurtnet.core import interactions, relations, remote_accounts, remote_posts, remote_relations
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.federation import (
    event_joins,
    follows,
    incoming_events,
    incoming_flags,
    incoming_posts,
    questions,
    remote_media,
)
from buurtnet.federation.as2 import parse, parse_actor, parse_values
from buurtnet.federation.as2.parse import Activity, ParseError
from buurtnet.federation.as2.parse_objects import OBJECT_TYPES
from buurtnet.federation.context import Federation
from buurtnet.federation.incoming_posts import Unwelcome
from buurtnet.federation.local_ids import local_id, local_post_id
from buurtnet.federation.remote_actors import profile_of
from buurtnet.models import Account

log = logging.getLogger(__name__)

Handler = Callable[[Federation, Activity, Account], Awaitable[None]]


async def handle_create(federation: Federation, activity: Activity, sender: Account) -> None:
    found = await incoming_posts.object_from(
        federation, sender, activity.embedded or parse.object_id(activity)
    )
    await incoming_posts.store_note(federation, found, sender)


async def handle_update(federation: Federation, activity: Activity, sender: Account) -> None:
    """A changed post or profile; only its own author (or the actor itself) may change it."""
    if activity.embedded_type in parse_actor.ACTOR_TYPES and activity.embedded is not None:
        if activity.embedded.get("id") != sender.actor_uri:
            raise Unwelcome("an actor may only update itself")
        profile = profile_of(parse_actor.as2_to_actor(activity.embedded))
        async with federation.database.transaction() as session:
            await remote_accounts.store_remote_account(session, profile)
        return
    if activity.embedded_type not in OBJECT_TYPES:
        return
    found = await incoming_posts.object_from(federation, sender, activity.embedded)
    incoming_posts.check_authorship(found, sender)
    async with federation.database.transaction() as session:
        incoming = await incoming_posts.incoming_post(federation, session, found, sender)
        if await questions.only_counts(session, found, incoming, sender):
            return  # a poll's new counts: no edit
        with contextlib.suppress(NotFound):  # an update of a post we never stored: no change
            post = await remote_posts.update_remote_post(session, sender, incoming)
            # Its images again: those that could not be had become links once more.
            assert post.id is not None and sender.id is not None
            remote_media.queue_images(session, post.id, sender.id, found.attachments)
            await questions.keep_question(session, post.id, found)
            await incoming_events.keep_event(session, post.id, found)


async def handle_delete(federation: Federation, activity: Activity, sender: Account) -> None:
    """A deleted post (matched by id and author) or the actor's own account."""
    async with federation.database.transaction() as session:
        if parse.is_actor_deletion(activity):
            await remote_accounts.remove_remote_account(session, sender)
        else:
            await remote_posts.delete_remote_post(session, sender, parse.object_id(activity))


async def handle_like(federation: Federation, activity: Activity, sender: Account) -> None:
    post_id = local_post_id(federation.uris, parse.object_id(activity))
    if post_id is None:
        return  # a like of someone else's post elsewhere: not ours to count
    async with federation.database.transaction() as session:
        await interactions.like(session, sender, post_id)


async def handle_announce(federation: Federation, activity: Activity, sender: Account) -> None:
    """A share of one of our posts is counted; a share of another post, by someone followed here
    (a person, or a group announcing its members' posts), brings that post into their feeds."""
    object_id = parse.object_id(activity)
    post_id = local_post_id(federation.uris, object_id)
    if post_id is None:
        post_id = await _announced_post_id(federation, activity, sender)
    if post_id is None:
        return
    async with federation.database.transaction() as session:
        await interactions.share(session, sender, post_id)


def announced_id(activity: Activity) -> str:
    """The id of the post an Announce shares; Lemmy's groups announce the Create around it."""
    if activity.embedded_type == "Create" and activity.embedded is not None:
        inner = parse_values.id_of(parse_values.first(activity.embedded.get("object")), "object")
        if inner is not None:
            return inner
    return parse.object_id(activity)


async def _announced_post_id(
    federation: Federation, activity: Activity, sender: Account
) -> int | None:
    shared_id = announced_id(activity)
    async with federation.database.reading() as session:
        if not await remote_relations.is_followed_here(session, sender):
            return None
        known = await remote_posts.by_uri(session, shared_id)
    if known is not None:
        return known.id
    # Shared posts are someone else's: always fetched from their own origin.
    found = await incoming_posts.object_from(federation, sender, shared_id)
    author = await incoming_posts.author_of(federation, found)
    return await incoming_posts.store_note(federation, found, author, wanted=True)


async def handle_block(federation: Federation, activity: Activity, sender: Account) -> None:
    target = local_id(federation.uris, parse.object_id(activity))
    if target is None or target.kind != "person":
        return
    async with federation.database.transaction() as session:
        blocked = await relations.active_account_by_username(session, target.name)
        assert blocked.id is not None
        await relations.block(session, sender, blocked.id)


async def handle_undo(federation: Federation, activity: Activity, sender: Account) -> None:
    """Undo of a Follow, Like, Announce, Block or Join, which must be the sender's own."""
    if activity.embedded is None:
        await follows.undo_follow_by_id(federation, sender, parse.object_id(activity))
        return
    undone = parse.embedded_activity(activity)
    if undone.actor != sender.actor_uri:
        raise Unwelcome("only its actor can undo an activity")
    if undone.type == "Follow":
        await follows.undo_follow(federation, undone, sender)
    elif undone.type in ("Like", "Announce"):
        await _undo_reaction(federation, undone, sender)
    elif undone.type == "Join":  # as a Leave: its object is the activity
        await event_joins.handle_leave(federation, undone, sender)
    elif undone.type == "Block":
        target = local_id(federation.uris, parse.object_id(undone))
        if target is None or target.kind != "person":
            return
        async with federation.database.transaction() as session:
            blocked = await relations.active_account_by_username(session, target.name)
            assert blocked.id is not None
            await relations.unblock(session, sender, blocked.id)


async def _undo_reaction(federation: Federation, undone: Activity, sender: Account) -> None:
    """A like or share taken back: of one of our posts, or a share of a post from elsewhere."""
    post_id = local_post_id(federation.uris, parse.object_id(undone))
    if post_id is None:
        if undone.type == "Announce":
            await _unshare_remote(federation, announced_id(undone), sender)
        return
    async with federation.database.transaction() as session:
        if undone.type == "Like":
            await interactions.unlike(session, sender, post_id)
        else:
            await interactions.unshare(session, sender, post_id)


async def _unshare_remote(federation: Federation, post_uri: str, sender: Account) -> None:
    async with federation.database.transaction() as session:
        post = await remote_posts.by_uri(session, post_uri)
        if post is not None and post.id is not None:
            await interactions.unshare(session, sender, post.id)


async def handle_accept(federation: Federation, activity: Activity, sender: Account) -> None:
    """A yes to something we sent, found by its id: a resident's Join, or a follow."""
    if not await event_joins.join_answered(federation, activity, sender, accepted=True):
        await follows.handle_accept(federation, activity, sender)


async def handle_reject(federation: Federation, activity: Activity, sender: Account) -> None:
    if not await event_joins.join_answered(federation, activity, sender, accepted=False):
        await follows.handle_reject(federation, activity, sender)


HANDLERS: dict[str, Handler] = {
    "Follow": follows.handle_follow,
    "Accept": handle_accept,
    "Reject": handle_reject,
    "Join": event_joins.handle_join,
    "Leave": event_joins.handle_leave,
    "Undo": handle_undo,
    "Create": handle_create,
    "Update": handle_update,
    "Delete": handle_delete,
    "Like": handle_like,
    "Announce": handle_announce,
    "Block": handle_block,
    "Flag": incoming_flags.handle_flag,
}


async def handle(federation: Federation, activity: Activity, sender: Account) -> None:
    """Run the activity's handler; what is refused or gone is dropped, not retried."""
    handler = HANDLERS.get(activity.type)
    if handler is None:
        log.debug("ignored an activity of type %s from %s", activity.type, sender.actor_uri)
        return
    try:
        await handler(federation, activity, sender)
    except (ParseError, Unwelcome, NotAllowed, NotFound) as error:
        log.info("dropped %s %s: %s", activity.type, activity.id, error or type(error).__name__)
