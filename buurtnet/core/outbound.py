"""Core's side of federation: one named job per change that other servers should hear of.

Each function enqueues in the caller's transaction (the outbox pattern), so the change and the
news of it commit together: a crash can delay a delivery, never lose it. Core knows nothing of
ActivityPub, so a payload holds plain facts (ids, names, times); `federation.deliver_posts` and
`deliver_relations` turn them into activities and inboxes. What is gone once the change commits
(a deleted post's mentions, a deleted account's follows) is written into the payload here.

Neighbourhood-only posts are for the neighbourhood: nothing about them is ever enqueued. Nor is
anything that concerns nobody elsewhere, so an instance that does not federate has no jobs for it.
"""

import secrets

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.audience import (
    Audience,
    audience_for,
    elsewhere,
    followed_from_elsewhere,
    reaches_elsewhere,
)
from buurtnet.job_queue import enqueue
from buurtnet.models import (
    Account,
    Block,
    Follow,
    FollowRequest,
    Like,
    NeighbourhoodFollower,
    Post,
    Report,
    Share,
    Visibility,
)

POST_CREATED = "outbox.post_created"
POST_EDITED = "outbox.post_edited"
POST_DELETED = "outbox.post_deleted"
EVENT_CHANGED = "outbox.event_changed"
LIKED = "outbox.liked"
UNLIKED = "outbox.unliked"
SHARED = "outbox.shared"
UNSHARED = "outbox.unshared"
FOLLOWED = "outbox.followed"
UNFOLLOWED = "outbox.unfollowed"
BLOCKED = "outbox.blocked"
UNBLOCKED = "outbox.unblocked"
ACCOUNT_DELETED = "outbox.account_deleted"
PROFILE_UPDATED = "outbox.profile_updated"
NEIGHBOURHOOD_FOLLOW_ANSWERED = "outbox.neighbourhood_follow_answered"
REPORT_FORWARDED = "outbox.report_forwarded"

# A follow request's id until its Follow is sent: core cannot make our URLs, federation can.
PENDING_FOLLOW = "urn:buurtnet:pending-follow:"


def is_federated(post: Post) -> bool:
    return post.visibility != Visibility.NEIGHBOURHOOD


def _is_ours(post: Post) -> bool:
    """Written here (a post from elsewhere has the id its server gave it)."""
    return post.uri is None


async def _news_of(session: AsyncSession, post: Post) -> Audience | None:
    """The post's audience, when it is ours, published, and someone elsewhere is in it. A post
    held for review or removed is news to nobody elsewhere: it was never sent, or its `Delete`
    was (moderation sends what changes when it publishes or removes one)."""
    if not _is_ours(post) or post.moderation is not None:
        return None
    found = await audience_for(session, post)
    return found if await reaches_elsewhere(session, found) else None


async def post_created(session: AsyncSession, post: Post) -> None:
    if await _news_of(session, post) is not None:
        enqueue(session, POST_CREATED, {"post_id": post.id})


async def post_edited(session: AsyncSession, post: Post) -> None:
    if await _news_of(session, post) is not None:
        enqueue(session, POST_EDITED, {"post_id": post.id})


async def event_changed(session: AsyncSession, post: Post, sequence: int) -> None:
    """An activity changed without an edit of its post (it was cancelled): an Update of it,
    told apart from others by the event's `sequence`."""
    if await _news_of(session, post) is not None:
        enqueue(session, EVENT_CHANGED, {"post_id": post.id, "sequence": sequence})


async def post_deleted(session: AsyncSession, post: Post) -> None:
    """Call before the post goes: the Delete is addressed as the post was, to whom it named."""
    found = await _news_of(session, post)
    if found is None:
        return
    author = await session.get(Account, post.author_id)
    assert author is not None
    payload = {"post_id": post.id, "author_username": author.username, **found.payload()}
    enqueue(session, POST_DELETED, payload)


async def liked(session: AsyncSession, account: Account, post: Post) -> None:
    """A like is news only for a post from elsewhere: its author is told."""
    if _like_is_news(account, post):
        await _reaction(session, LIKED, Like, account, post)


async def unliked(session: AsyncSession, account: Account, post_id: int) -> None:
    """Call before the like goes, so its Undo names the Like that was sent."""
    post = await session.get(Post, post_id)
    if post is not None and _like_is_news(account, post):
        await _reaction(session, UNLIKED, Like, account, post)


def _like_is_news(account: Account, post: Post) -> bool:
    return account.domain is None and not _is_ours(post) and is_federated(post)


async def shared(session: AsyncSession, account: Account, post: Post) -> None:
    if await _share_reaches_elsewhere(session, account, post):
        await _reaction(session, SHARED, Share, account, post)


async def unshared(session: AsyncSession, account: Account, post_id: int) -> None:
    """Call before the share goes."""
    post = await session.get(Post, post_id)
    if post is not None and await _share_reaches_elsewhere(session, account, post):
        await _reaction(session, UNSHARED, Share, account, post)


async def _share_reaches_elsewhere(session: AsyncSession, account: Account, post: Post) -> bool:
    """A share goes to the sharer's followers elsewhere and to the post's author if elsewhere;
    a share by someone elsewhere is their own server's to send."""
    if account.domain is not None or not is_federated(post):
        return False
    followers = followed_from_elsewhere(account.id)
    return bool((await session.exec(select(or_(followers, elsewhere(post.author_id))))).one())


async def _reaction(
    session: AsyncSession,
    name: str,
    table: type[Like] | type[Share],
    account: Account,
    post: Post,
) -> None:
    """The like or share as stored: its time makes its activity's id, the same for its Undo."""
    found = await session.exec(
        select(table.created_at).where(
            col(table.account_id) == account.id, col(table.post_id) == post.id
        )
    )
    created_at = found.first()
    if created_at is None:
        return
    payload = {
        "account_id": account.id,
        "post_id": post.id,
        "post_uri": post.uri,
        "author_id": post.author_id,
        "at": created_at.isoformat(),
    }
    enqueue(session, name, payload)


def pending_follow_uri() -> str:
    return PENDING_FOLLOW + secrets.token_hex(16)


def followed(session: AsyncSession, follower_id: int, followed_id: int, uri: str) -> None:
    """A follow request of someone elsewhere: their server is sent a Follow."""
    enqueue(session, FOLLOWED, {"follower_id": follower_id, "followed_id": followed_id, "uri": uri})


async def name_follow_request(
    session: AsyncSession, follower_id: int, followed_id: int, pending: str, uri: str
) -> bool:
    """Give a follow request the id of the Follow about to be sent; False if it is gone (or was
    named already), and then nothing should be sent."""
    renamed = await session.exec(
        update(FollowRequest)
        .where(
            col(FollowRequest.follower_id) == follower_id,
            col(FollowRequest.followed_id) == followed_id,
            col(FollowRequest.uri) == pending,
        )
        .values(uri=uri)
    )
    return renamed.rowcount == 1


def unfollowed(session: AsyncSession, follower_id: int, followed_id: int, uri: str) -> None:
    """A follow (or request) of someone elsewhere ended; one never sent needs no Undo."""
    if not uri.startswith(PENDING_FOLLOW):
        payload = {"follower_id": follower_id, "followed_id": followed_id, "uri": uri}
        enqueue(session, UNFOLLOWED, payload)


async def blocked(session: AsyncSession, blocker: Account, blocked: Account) -> None:
    if blocked.domain is not None:
        await _block(session, BLOCKED, blocker, blocked)


async def unblocked(session: AsyncSession, blocker: Account, blocked_id: int) -> None:
    """Call before the block goes."""
    blocked = await session.get(Account, blocked_id)
    if blocked is not None and blocked.domain is not None:
        await _block(session, UNBLOCKED, blocker, blocked)


async def _block(session: AsyncSession, name: str, blocker: Account, blocked: Account) -> None:
    row = await session.get(Block, (blocker.id, blocked.id))
    if row is not None:
        payload = {
            "blocker_id": blocker.id,
            "blocked_id": blocked.id,
            "at": row.created_at.isoformat(),
        }
        enqueue(session, name, payload)


async def account_deleted(session: AsyncSession, account: Account) -> None:
    """Call before the follows go: everyone elsewhere who follows the person, or whom they
    follow (or asked to), hears of the deletion."""
    if account.domain is not None:
        return
    others = [
        select(Follow.follower_id).where(Follow.followed_id == account.id),
        select(Follow.followed_id).where(Follow.follower_id == account.id),
        select(FollowRequest.followed_id).where(FollowRequest.follower_id == account.id),
    ]
    remote = select(Account.id).where(
        col(Account.domain).is_not(None),
        or_(*(col(Account.id).in_(query) for query in others)),
    )
    recipients = sorted(found for found in (await session.exec(remote)).all() if found)
    if not recipients:
        return
    payload = {"account_id": account.id, "username": account.username, "recipient_ids": recipients}
    enqueue(session, ACCOUNT_DELETED, payload)


async def profile_updated(session: AsyncSession, account: Account) -> None:
    """Followers elsewhere show the new name, bio or photo, once their server hears of it."""
    if account.domain is not None:
        return
    if (await session.exec(select(followed_from_elsewhere(account.id)))).one():
        enqueue(session, PROFILE_UPDATED, {"account_id": account.id})


def neighbourhood_follow_answered(
    session: AsyncSession, follower: NeighbourhoodFollower, *, accepted: bool
) -> None:
    """A moderator let a follower elsewhere in (Accept) or not (Reject): their server is told."""
    payload = {
        "neighbourhood_id": follower.neighbourhood_id,
        "account_id": follower.account_id,
        "uri": follower.uri,
        "accepted": accepted,
    }
    enqueue(session, NEIGHBOURHOOD_FOLLOW_ANSWERED, payload)


def report_forwarded(session: AsyncSession, report: Report) -> None:
    """A moderator sends a report on to the reported person's server (a `Flag` from the
    instance; the payload names no reporter, so no delivery can)."""
    enqueue(session, REPORT_FORWARDED, {"report_id": report.id})
