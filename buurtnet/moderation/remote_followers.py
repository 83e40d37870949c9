"""Followers of a neighbourhood on other servers, for neighbourhoods whose moderators let such
followers in one by one; and the choice between that and letting everyone in at once. Every
decision goes into the audit log."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import outbound
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.core.permissions import Roles, can_moderate, moderated
from buurtnet.models import Account, ActionKind, Neighbourhood, NeighbourhoodFollower
from buurtnet.moderation import audit


@dataclass(frozen=True)
class WaitingFollower:
    account: Account
    neighbourhood: Neighbourhood


async def moderated_neighbourhoods(session: AsyncSession, roles: Roles) -> list[Neighbourhood]:
    """The neighbourhoods this moderator decides for: their own, or every one for an admin."""
    query = select(Neighbourhood).where(moderated(roles, col(Neighbourhood.id)))
    return list((await session.exec(query.order_by(col(Neighbourhood.name)))).all())


async def waiting_followers(
    session: AsyncSession, neighbourhoods: Sequence[Neighbourhood]
) -> list[WaitingFollower]:
    """Who waits for a yes in these (moderated) neighbourhoods, oldest first."""
    ids = [neighbourhood.id for neighbourhood in neighbourhoods]
    query = (
        select(Account, Neighbourhood)
        .select_from(NeighbourhoodFollower)
        .join(Account, col(Account.id) == NeighbourhoodFollower.account_id)
        .join(Neighbourhood, col(Neighbourhood.id) == NeighbourhoodFollower.neighbourhood_id)
        .where(col(NeighbourhoodFollower.neighbourhood_id).in_(ids))
        .where(col(NeighbourhoodFollower.accepted).is_(False))
        .order_by(col(NeighbourhoodFollower.created_at))
    )
    return [WaitingFollower(*row) for row in (await session.exec(query)).all()]


async def set_approval(
    session: AsyncSession,
    moderator: Account,
    roles: Roles,
    neighbourhood_id: int,
    *,
    approves: bool,
) -> None:
    """Whether followers elsewhere wait for a moderator (True) or are let in at once."""
    neighbourhood = await _decidable(session, roles, neighbourhood_id)
    if neighbourhood.approves_remote_followers == approves:
        return  # nothing changed, nothing to log
    neighbourhood.approves_remote_followers = approves
    await audit.record(
        session,
        ActionKind.CHANGE_SETTING,
        moderator,
        neighbourhood_id=neighbourhood_id,
        reason=f"approves_remote_followers={str(approves).lower()}",
    )


async def accept_follower(
    session: AsyncSession, moderator: Account, roles: Roles, neighbourhood_id: int, account_id: int
) -> None:
    follower = await _waiting(session, roles, neighbourhood_id, account_id)
    follower.accepted = True
    outbound.neighbourhood_follow_answered(session, follower, accepted=True)
    await _log(session, ActionKind.ACCEPT_FOLLOWER, moderator, follower)


async def refuse_follower(
    session: AsyncSession, moderator: Account, roles: Roles, neighbourhood_id: int, account_id: int
) -> None:
    follower = await _waiting(session, roles, neighbourhood_id, account_id)
    outbound.neighbourhood_follow_answered(session, follower, accepted=False)
    await _log(session, ActionKind.REFUSE_FOLLOWER, moderator, follower)
    await session.delete(follower)


async def _log(
    session: AsyncSession, kind: ActionKind, moderator: Account, follower: NeighbourhoodFollower
) -> None:
    await audit.record(
        session,
        kind,
        moderator,
        target_account_id=follower.account_id,
        neighbourhood_id=follower.neighbourhood_id,
    )


async def _decidable(session: AsyncSession, roles: Roles, neighbourhood_id: int) -> Neighbourhood:
    if not can_moderate(roles, neighbourhood_id):
        raise NotAllowed
    neighbourhood = await session.get(Neighbourhood, neighbourhood_id, with_for_update=True)
    if neighbourhood is None:
        raise NotFound(neighbourhood_id)
    return neighbourhood


async def _waiting(
    session: AsyncSession, roles: Roles, neighbourhood_id: int, account_id: int
) -> NeighbourhoodFollower:
    await _decidable(session, roles, neighbourhood_id)
    follower = await session.get(NeighbourhoodFollower, (neighbourhood_id, account_id))
    if follower is None or follower.accepted:
        raise NotFound(account_id)
    return follower
