"""The jobs of `core.outbound` about people rather than posts: likes and shares, follows and blocks
of people elsewhere, a profile edited and an account deleted.

A like goes to the author of the post liked; a share to the sharer's followers elsewhere and the
post's author; a follow or block to the person followed or blocked; a deletion to everyone the
account had a follow with. Each Undo embeds the activity it takes back, whose id is made again
from the same facts (the like's or block's time), so it names what was sent.
"""

from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import outbound
from buurtnet.federation import actors
from buurtnet.federation.as2 import activities, objects
from buurtnet.federation.as2.objects import JsonObject
from buurtnet.federation.context import Federation
from buurtnet.federation.deliver_posts import Handler, moment, number, text
from buurtnet.federation.delivery import deliver_later
from buurtnet.federation.keys import account_owner
from buurtnet.federation.recipients import account_inboxes, follower_inboxes
from buurtnet.job_queue import Payload, PermanentFailure
from buurtnet.models import Account, Post, Visibility, utcnow


async def _local(session: AsyncSession, account_id: int) -> Account | None:
    account = await session.get(Account, account_id)
    return account if account is not None and account.domain is None else None


async def _reaction(
    federation: Federation, session: AsyncSession, payload: Payload, kind: str
) -> JsonObject | None:
    """The Like or Announce as it was sent; None when it concerns nothing that federates."""
    account = await _local(session, number(payload, "account_id"))
    post = await session.get(Post, number(payload, "post_id"))
    if account is None or (post is not None and post.visibility == Visibility.NEIGHBOURHOOD):
        return None
    author = await session.get(Account, number(payload, "author_id"))
    if author is None or (author.domain is not None and author.actor_uri is None):
        return None
    uris, post_id = federation.uris, number(payload, "post_id")
    actor = uris.actor(account.username)
    author_id = author.actor_uri or uris.actor(author.username)
    post_uri = payload.get("post_uri") or uris.post(author.username, post_id)
    at = moment(payload, "at")
    activity_id = uris.activity(actor, kind, f"{post_id}-{activities.stamp(at)}")
    if kind == "likes":
        return activities.like_to_as2(activity_id, actor, str(post_uri), author_id)
    return activities.announce_to_as2(
        activity_id,
        actor,
        str(post_uri),
        followers=uris.followers(account.username),
        author=author_id,
        published=objects.timestamp(at),
    )


async def _send_reaction(federation: Federation, payload: Payload, kind: str, undo: bool) -> None:
    async with federation.database.transaction() as session:
        activity = await _reaction(federation, session, payload, kind)
        if activity is None:
            return
        account_id = number(payload, "account_id")
        inboxes = await account_inboxes(session, [number(payload, "author_id")])
        if kind == "shares":
            inboxes |= await follower_inboxes(session, account_id)
        sent = activities.undo_to_as2(activity) if undo else activity
        deliver_later(session, account_owner(account_id), sent, inboxes)


async def followed(federation: Federation, payload: Payload, *, undo: bool = False) -> None:
    """A Follow of someone elsewhere, or its Undo; the request gets its Follow's id first."""
    follower_id, followed_id = number(payload, "follower_id"), number(payload, "followed_id")
    async with federation.database.transaction() as session:
        if (pair := await _pair(federation, session, follower_id, followed_id)) is None:
            return
        actor, other_uri = pair
        uri = text(payload, "uri")
        if not undo:
            pending, uri = (
                uri,
                federation.uris.activity(
                    actor, "follows", uri.removeprefix(outbound.PENDING_FOLLOW)
                ),
            )
            if not await outbound.name_follow_request(
                session, follower_id, followed_id, pending, uri
            ):
                return  # taken back before it went out
        follow = activities.follow_to_as2(uri, actor, other_uri)
        await _send(session, follower_id, follow, followed_id, undo=undo)


async def blocked(federation: Federation, payload: Payload, *, undo: bool = False) -> None:
    blocker_id, blocked_id = number(payload, "blocker_id"), number(payload, "blocked_id")
    async with federation.database.transaction() as session:
        if (pair := await _pair(federation, session, blocker_id, blocked_id)) is None:
            return
        actor, other_uri = pair
        local_id = f"{blocked_id}-{activities.stamp(moment(payload, 'at'))}"
        block_id = federation.uris.activity(actor, "blocks", local_id)
        block = activities.block_to_as2(block_id, actor, other_uri)
        await _send(session, blocker_id, block, blocked_id, undo=undo)


async def _pair(
    federation: Federation, session: AsyncSession, local_id: int, other_id: int
) -> tuple[str, str] | None:
    """Our resident's actor id and the other person's, when both are still there."""
    local = await _local(session, local_id)
    other = await session.get(Account, other_id)
    if local is None or other is None or other.actor_uri is None:
        return None
    return federation.uris.actor(local.username), other.actor_uri


async def _send(
    session: AsyncSession, sender_id: int, activity: JsonObject, to_id: int, *, undo: bool
) -> None:
    """The activity (or its Undo) from our resident to the other person's inbox."""
    sent = activities.undo_to_as2(activity) if undo else activity
    inboxes = await account_inboxes(session, [to_id])
    deliver_later(session, account_owner(sender_id), sent, inboxes)


async def account_deleted(federation: Federation, payload: Payload) -> None:
    """From the facts written at deletion: the follows are gone by now, the keys are not."""
    account_id, username = number(payload, "account_id"), text(payload, "username")
    recipients = payload.get("recipient_ids")
    if not isinstance(recipients, list) or not all(isinstance(item, int) for item in recipients):
        raise PermanentFailure("malformed payload: recipient_ids")
    delete = activities.delete_actor_to_as2(federation.uris.actor(username))
    async with federation.database.transaction() as session:
        inboxes = await account_inboxes(session, recipients)
        deliver_later(session, account_owner(account_id), delete, inboxes)


async def profile_updated(federation: Federation, payload: Payload) -> None:
    account_id = number(payload, "account_id")
    key_pem = await federation.keys.public_key_pem(account_owner(account_id))
    async with federation.database.transaction() as session:
        account = await _local(session, account_id)
        if account is None:
            return
        uris = federation.uris
        actor = actors.person_as2(account, uris, key_pem)
        update_id = uris.activity(actor["id"], "updates", activities.stamp(utcnow()))
        update = activities.update_actor_to_as2(actor, update_id, uris.followers(account.username))
        inboxes = await follower_inboxes(session, account_id)
        deliver_later(session, account_owner(account_id), update, inboxes)


def handlers(federation: Federation) -> dict[str, Handler]:
    """The jobs of `core.outbound` that concern people, by name."""
    return {
        outbound.LIKED: partial(_send_reaction, federation, kind="likes", undo=False),
        outbound.UNLIKED: partial(_send_reaction, federation, kind="likes", undo=True),
        outbound.SHARED: partial(_send_reaction, federation, kind="shares", undo=False),
        outbound.UNSHARED: partial(_send_reaction, federation, kind="shares", undo=True),
        outbound.FOLLOWED: partial(followed, federation),
        outbound.UNFOLLOWED: partial(followed, federation, undo=True),
        outbound.BLOCKED: partial(blocked, federation),
        outbound.UNBLOCKED: partial(blocked, federation, undo=True),
        outbound.ACCOUNT_DELETED: partial(account_deleted, federation),
        outbound.PROFILE_UPDATED: partial(profile_updated, federation),
    }
