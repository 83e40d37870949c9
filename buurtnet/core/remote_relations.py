"""Follows that cross servers: people elsewhere following residents and neighbourhoods, and the
answers (`Accept`, `Reject`) to our residents' follows of people elsewhere."""

from collections.abc import Sequence

from sqlalchemy import bindparam, delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import visibility
from buurtnet.core.errors import NotAllowed
from buurtnet.core.notifications import notify
from buurtnet.db import insert_new
from buurtnet.models import (
    Account,
    AccountStatus,
    Follow,
    FollowRequest,
    Neighbourhood,
    NeighbourhoodFollower,
    NotificationKind,
    utcnow,
)


async def add_remote_follower(
    session: AsyncSession, follower: Account, followed: Account, follow_uri: str
) -> None:
    """Someone elsewhere follows a resident; residents accept followers at once, as here.

    `NotAllowed` when the resident blocks them (or is gone): the caller answers with `Reject`.
    """
    assert follower.id is not None and followed.id is not None
    if followed.status != AccountStatus.ACTIVE or followed.domain is not None:
        raise NotAllowed
    if await visibility.is_blocked_between(session, follower.id, followed.id):
        raise NotAllowed
    row = {
        "follower_id": follower.id,
        "followed_id": followed.id,
        "uri": follow_uri,
        "created_at": utcnow(),
    }
    if await insert_new(session, Follow, [row], unique=["follower_id", "followed_id"]):
        await notify(session, followed.id, follower.id, NotificationKind.FOLLOW)


async def remove_remote_follower(session: AsyncSession, follower_id: int, followed_id: int) -> None:
    await session.exec(
        delete(Follow).where(
            col(Follow.follower_id) == follower_id, col(Follow.followed_id) == followed_id
        )
    )


async def remove_follows_by_uri(session: AsyncSession, follower_id: int, follow_uri: str) -> None:
    """Undo a Follow named by its id: of a resident or of a neighbourhood, whichever it was."""
    await session.exec(
        delete(Follow).where(col(Follow.follower_id) == follower_id, col(Follow.uri) == follow_uri)
    )
    await session.exec(
        delete(NeighbourhoodFollower).where(
            col(NeighbourhoodFollower.account_id) == follower_id,
            col(NeighbourhoodFollower.uri) == follow_uri,
        )
    )


async def follow_accepted(session: AsyncSession, followed: Account, follow_uri: str) -> bool:
    """Their server said yes to our resident's follow: it becomes a follow like any other. (A
    block meanwhile took the request away: then there is nothing to say yes to.)"""
    request = await _request(session, followed, follow_uri)
    if request is None:
        return False
    await session.delete(request)
    row = {
        "follower_id": request.follower_id,
        "followed_id": request.followed_id,
        "uri": request.uri,
        "created_at": utcnow(),
    }
    await insert_new(session, Follow, [row], unique=["follower_id", "followed_id"])
    return True


async def follow_rejected(session: AsyncSession, followed: Account, follow_uri: str) -> None:
    """They said no, now or later: the request and any follow it became are gone."""
    assert followed.id is not None
    if (request := await _request(session, followed, follow_uri)) is not None:
        await session.delete(request)
    await session.exec(
        delete(Follow).where(col(Follow.followed_id) == followed.id, col(Follow.uri) == follow_uri)
    )


async def _request(
    session: AsyncSession, followed: Account, follow_uri: str
) -> FollowRequest | None:
    """The pending follow of this remote account; matched by both, so no one else's answer."""
    found = await session.exec(
        select(FollowRequest).where(
            col(FollowRequest.uri) == follow_uri, col(FollowRequest.followed_id) == followed.id
        )
    )
    return found.first()


async def add_neighbourhood_follower(
    session: AsyncSession, neighbourhood: Neighbourhood, follower: Account, follow_uri: str
) -> bool:
    """Someone elsewhere follows a neighbourhood; True when they are let in at once."""
    assert neighbourhood.id is not None and follower.id is not None
    accepted = not neighbourhood.approves_remote_followers
    row = {
        "neighbourhood_id": neighbourhood.id,
        "account_id": follower.id,
        "uri": follow_uri,
        "accepted": accepted,
        "created_at": utcnow(),
    }
    if not await insert_new(
        session, NeighbourhoodFollower, [row], unique=["neighbourhood_id", "account_id"]
    ):
        stored = await session.get(NeighbourhoodFollower, (neighbourhood.id, follower.id))
        return stored is not None and stored.accepted
    return accepted


async def remove_neighbourhood_follower(
    session: AsyncSession, neighbourhood_id: int, follower_id: int
) -> None:
    await session.exec(
        delete(NeighbourhoodFollower).where(
            col(NeighbourhoodFollower.neighbourhood_id) == neighbourhood_id,
            col(NeighbourhoodFollower.account_id) == follower_id,
        )
    )


_FOLLOWED_AMONG = (
    select(Follow.followed_id)
    .where(col(Follow.followed_id).in_(bindparam("ids", expanding=True)))
    .distinct()
)


async def is_followed_here(session: AsyncSession, account: Account) -> bool:
    """Whether anyone here follows this account: what it sends then concerns us."""
    assert account.id is not None
    return account.id in await followed_here(session, [account.id])


async def followed_here(session: AsyncSession, account_ids: Sequence[int]) -> set[int]:
    """Those of the accounts whom someone here follows; one look-up for a batch of arrivals."""
    connection = await session.connection()  # Core, not the ORM: on every arrival
    found = await connection.execute(_FOLLOWED_AMONG, {"ids": list(account_ids)})
    return set(found.scalars())
