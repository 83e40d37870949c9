"""Who follows, blocks and mutes whom, and what a profile page needs to know about two people.

Every change is idempotent: following someone twice, or unblocking someone who is not blocked,
does nothing, so a double click or a repeated form post is harmless. Local follows are accepted at
once. A block between two people, in either direction, rules out following; blocking removes the
follows both ways. Muting is private: the muted person is never told.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, delete, exists, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import accounts, names, outbound, visibility
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.core.notifications import notify
from buurtnet.db import insert_new
from buurtnet.models import (
    Account,
    AccountStatus,
    Block,
    Follow,
    FollowRequest,
    Mute,
    Neighbourhood,
    NotificationKind,
    utcnow,
)


@dataclass(frozen=True)
class Relationship:
    """How the viewer and another person stand to each other, as the viewer may know it."""

    following: bool = False  # the viewer follows them
    followed_by: bool = False  # they follow the viewer
    blocking: bool = False  # the viewer blocks them
    blocked_by: bool = False  # they block the viewer
    muting: bool = False  # the viewer mutes them
    requested: bool = False  # the viewer asked to follow them (elsewhere) and waits for a yes


@dataclass(frozen=True)
class Counts:
    followers: int
    following: int


@dataclass(frozen=True)
class Profile:
    """Everything a profile page shows about a person, besides their posts."""

    account: Account
    neighbourhood: Neighbourhood | None
    counts: Counts
    relationship: Relationship  # all False for visitors and for oneself


async def active_account(session: AsyncSession, account_id: int) -> Account:
    """An active account by id; deleted, pending and refused accounts count as not there."""
    account = await session.get(Account, account_id)
    if account is None or account.status != AccountStatus.ACTIVE:
        raise NotFound
    return account


async def active_account_by_username(session: AsyncSession, username: str) -> Account:
    if not names.may_be_stored(username):
        raise NotFound
    query = select(Account).where(
        col(Account.username_key) == names.name_key(username),
        col(Account.status) == AccountStatus.ACTIVE,
    )
    account = (await session.exec(query)).first()
    if account is None:
        raise NotFound
    return account


async def load_profile(session: AsyncSession, username: str, viewer: Account | None) -> Profile:
    """The profile of an active person; NotFound when they block the viewer, as if not there."""
    account = await active_account_by_username(session, username)
    assert account.id is not None
    relationship = Relationship()
    if viewer is not None and viewer.id != account.id:
        assert viewer.id is not None
        relationship = await relationship_between(session, viewer.id, account.id)
        if relationship.blocked_by:
            raise NotFound
    neighbourhood = await accounts.home_neighbourhood(session, account)
    return Profile(account, neighbourhood, await counts(session, account.id), relationship)


async def relationship_between(
    session: AsyncSession, viewer_id: int, other_id: int
) -> Relationship:
    """The six relations between two people, read in one query."""
    # SQLAlchemy's own select on the connection: SQLModel's takes at most four columns.
    query = sa.select(
        _follows(viewer_id, other_id),
        _follows(other_id, viewer_id),
        _blocks(viewer_id, other_id),
        _blocks(other_id, viewer_id),
        exists().where(col(Mute.muter_id) == viewer_id, col(Mute.muted_id) == other_id),
        exists().where(
            col(FollowRequest.follower_id) == viewer_id, col(FollowRequest.followed_id) == other_id
        ),
    )
    connection = await session.connection()
    found = (await connection.execute(query)).one()
    following, followed_by, blocking, blocked_by, muting, requested = (bool(x) for x in found)
    return Relationship(following, followed_by, blocking, blocked_by, muting, requested)


async def counts(session: AsyncSession, account_id: int) -> Counts:
    """Followers and followed, counted by the database in one query."""
    followers = (
        select(func.count())
        .select_from(Follow)
        .where(col(Follow.followed_id) == account_id)
        .scalar_subquery()
    )
    following = (
        select(func.count())
        .select_from(Follow)
        .where(col(Follow.follower_id) == account_id)
        .scalar_subquery()
    )
    found_followers, found_following = (await session.exec(select(followers, following))).one()
    return Counts(followers=found_followers, following=found_following)


async def follow(session: AsyncSession, follower: Account, followed_id: int) -> None:
    """Follow someone, accepted at once; they get a notification the first time.

    Someone elsewhere is asked instead: a `FollowRequest` waits for their server's Accept.
    """
    assert follower.id is not None
    if follower.id == followed_id:
        raise InvalidInput.single("form", "follow_self")
    followed = await active_account(session, followed_id)
    if await visibility.is_blocked_between(session, follower.id, followed_id):
        raise InvalidInput.single("form", "follow_blocked")
    if followed.domain is not None:
        await _ask_to_follow(session, follower.id, followed_id)
    elif await _add_once(session, Follow, {"follower_id": follower.id, "followed_id": followed_id}):
        await notify(session, followed_id, follower.id, NotificationKind.FOLLOW)


async def _ask_to_follow(session: AsyncSession, follower_id: int, followed_id: int) -> None:
    """A request (once), unless the follow is there already; its Follow goes out by a job."""
    if (await session.get(Follow, (follower_id, followed_id))) is not None:
        return
    uri = outbound.pending_follow_uri()
    row = {"follower_id": follower_id, "followed_id": followed_id, "uri": uri}
    if await insert_new(
        session, FollowRequest, [{**row, "created_at": utcnow()}], unique=list(row)[:2]
    ):
        outbound.followed(session, follower_id, followed_id, uri)


async def unfollow(session: AsyncSession, follower: Account, followed_id: int) -> None:
    """Stop following, or take back a request; the server of someone elsewhere is told."""
    assert follower.id is not None
    ended = []
    for table in (Follow, FollowRequest):
        removed = await session.exec(
            delete(table)
            .where(col(table.follower_id) == follower.id, col(table.followed_id) == followed_id)
            .returning(col(table.uri))
        )
        ended += [uri for uri in removed.scalars().all() if uri]
    for uri in ended:
        outbound.unfollowed(session, follower.id, followed_id, uri)


async def block(session: AsyncSession, blocker: Account, blocked_id: int) -> None:
    """Block someone: the follows between the two end, both ways, and so do the requests to
    follow that wait for a yes (one not yet sent is then never sent); none can start again. The
    other side's server hears of the block itself, and drops its side of them."""
    assert blocker.id is not None
    if blocker.id == blocked_id:
        raise InvalidInput.single("form", "block_self")
    blocked = await session.get(Account, blocked_id)
    if blocked is None:
        raise NotFound
    if await _add_once(session, Block, {"blocker_id": blocker.id, "blocked_id": blocked_id}):
        await outbound.blocked(session, blocker, blocked)
    for table in (Follow, FollowRequest):
        await session.exec(delete(table).where(_between(table, blocker.id, blocked_id)))


async def unblock(session: AsyncSession, blocker: Account, blocked_id: int) -> None:
    await outbound.unblocked(session, blocker, blocked_id)
    await session.exec(
        delete(Block).where(
            col(Block.blocker_id) == blocker.id, col(Block.blocked_id) == blocked_id
        )
    )


async def mute(session: AsyncSession, muter: Account, muted_id: int) -> None:
    """Stop seeing someone's posts and notifications, without them knowing."""
    assert muter.id is not None
    if muter.id == muted_id:
        raise InvalidInput.single("form", "mute_self")
    if await session.get(Account, muted_id) is None:
        raise NotFound
    await _add_once(session, Mute, {"muter_id": muter.id, "muted_id": muted_id})


async def unmute(session: AsyncSession, muter: Account, muted_id: int) -> None:
    await session.exec(
        delete(Mute).where(col(Mute.muter_id) == muter.id, col(Mute.muted_id) == muted_id)
    )


def _between(
    table: type[Follow] | type[FollowRequest], a_id: int, b_id: int
) -> ColumnElement[bool]:
    """The rows of a follow (or request) between two people, whichever follows whom."""
    return or_(
        and_(col(table.follower_id) == a_id, col(table.followed_id) == b_id),
        and_(col(table.follower_id) == b_id, col(table.followed_id) == a_id),
    )


def _follows(follower_id: int, followed_id: int) -> ColumnElement[bool]:
    return exists().where(
        col(Follow.follower_id) == follower_id, col(Follow.followed_id) == followed_id
    )


def _blocks(blocker_id: int, blocked_id: int) -> ColumnElement[bool]:
    return exists().where(col(Block.blocker_id) == blocker_id, col(Block.blocked_id) == blocked_id)


async def _add_once(
    session: AsyncSession, table: type[Follow] | type[Block] | type[Mute], row: dict[str, int]
) -> bool:
    """Add a relation row unless it is there; False when it was (or a parallel request won)."""
    added = await insert_new(session, table, [{**row, "created_at": utcnow()}], unique=list(row))
    return added > 0
