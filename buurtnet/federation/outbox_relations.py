"""The jobs of `core.outbox` about people rather than posts: likes and shares, follows and blocks
of people elsewhere, a profile edited and an account deleted.

A like goes to the author of the post liked; a share to the sharer's followers elsewhere and the
post's author; a follow or block to the person followed or blocked; a deletion to everyone the
account had a follow with. Each Undo embeds the activity it takes back, whose id is made again
from the same facts (the like's or block's time), so it names what was sent.
"""

from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import outbox
from buurtnet.federation import activities, vocab
from buurtnet.federation.context import Federation
from buurtnet.federation.delivery import deliver_later
from buurtnet.federation.keys import account_owner
from buurtnet.federation.outbox import Handler, moment, number, text
from buurtnet.federation.recipients import account_inboxes, follower_inboxes
from buurtnet.federation.vocab import JsonObject
from buurtnet.jobs import Payload, PermanentFailure
from buurtnet.models import Account, Post, Visibility, utcnow
from buurtnet.storage import content_type_of


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
        published=vocab.timestamp(at),
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
        follower = await _local(session, follower_id)
        other = await session.get(Account, followed_id)
        if follower is None or other is None or other.actor_uri is None:
            return
        actor = federation.uris.actor(follower.username)
        uri = text(payload, "uri")
        if not undo:
            pending, uri = (
                uri,
                federation.uris.activity(actor, "follows", uri.removeprefix(outbox.PENDING_FOLLOW)),
            )
            if not await outbox.name_follow_request(
                session, follower_id, followed_id, pending, uri
            ):
                return  # taken back before it went out
        follow = activities.follow_to_as2(uri, actor, other.actor_uri)
        sent = activities.undo_to_as2(follow) if undo else follow
        inboxes = await account_inboxes(session, [followed_id])
        deliver_later(session, account_owner(follower_id), sent, inboxes)


async def blocked(federation: Federation, payload: Payload, *, undo: bool = False) -> None:
    blocker_id, blocked_id = number(payload, "blocker_id"), number(payload, "blocked_id")
    async with federation.database.transaction() as session:
        blocker = await _local(session, blocker_id)
        other = await session.get(Account, blocked_id)
        if blocker is None or other is None or other.actor_uri is None:
            return
        actor = federation.uris.actor(blocker.username)
        local_id = f"{blocked_id}-{activities.stamp(moment(payload, 'at'))}"
        block_id = federation.uris.activity(actor, "blocks", local_id)
        block = activities.block_to_as2(block_id, actor, other.actor_uri)
        sent = activities.undo_to_as2(block) if undo else block
        inboxes = await account_inboxes(session, [blocked_id])
        deliver_later(session, account_owner(blocker_id), sent, inboxes)


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
        uris, avatar = federation.uris, account.avatar_key
        actor = vocab.actor_to_as2(
            account,
            uris,
            icon_url=uris.media(avatar) if avatar else None,
            icon_type=content_type_of(avatar) if avatar else "image/jpeg",
            public_key_pem=key_pem,
        )
        update_id = uris.activity(actor["id"], "updates", activities.stamp(utcnow()))
        update = activities.update_actor_to_as2(actor, update_id, uris.followers(account.username))
        inboxes = await follower_inboxes(session, account_id)
        deliver_later(session, account_owner(account_id), update, inboxes)


def handlers(federation: Federation) -> dict[str, Handler]:
    """The jobs of `core.outbox` that concern people, by name."""
    return {
        outbox.LIKED: partial(_send_reaction, federation, kind="likes", undo=False),
        outbox.UNLIKED: partial(_send_reaction, federation, kind="likes", undo=True),
        outbox.SHARED: partial(_send_reaction, federation, kind="shares", undo=False),
        outbox.UNSHARED: partial(_send_reaction, federation, kind="shares", undo=True),
        outbox.FOLLOWED: partial(followed, federation),
        outbox.UNFOLLOWED: partial(followed, federation, undo=True),
        outbox.BLOCKED: partial(blocked, federation),
        outbox.UNBLOCKED: partial(blocked, federation, undo=True),
        outbox.ACCOUNT_DELETED: partial(account_deleted, federation),
        outbox.PROFILE_UPDATED: partial(profile_updated, federation),
    }
