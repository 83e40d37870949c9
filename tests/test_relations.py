"""Following, blocking and muting: the rules of core/relations.py, on a real database."""

import pytest
from sqlmodel import col, func, select

from buurtnet.core import notifications, relations
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    Follow,
    Neighbourhood,
    Notification,
    NotificationKind,
)
from tests.conftest import make_account


@pytest.fixture
async def bram(database: Database, neighbourhood: Neighbourhood) -> Account:
    return await make_account(database, "bram", neighbourhood=neighbourhood)


async def follow(database: Database, follower: Account, followed: Account) -> None:
    assert followed.id is not None
    async with database.transaction() as session:
        await relations.follow(session, follower, followed.id)


async def block(database: Database, blocker: Account, blocked: Account) -> None:
    assert blocked.id is not None
    async with database.transaction() as session:
        await relations.block(session, blocker, blocked.id)


async def relationship(
    database: Database, viewer: Account, other: Account
) -> relations.Relationship:
    assert viewer.id is not None and other.id is not None
    async with database.reading() as session:
        return await relations.relationship_between(session, viewer.id, other.id)


async def notification_kinds(database: Database, recipient: Account) -> list[str]:
    async with database.reading() as session:
        query = select(Notification.kind).where(Notification.recipient_id == recipient.id)
        return list((await session.exec(query)).all())


async def test_following_is_accepted_at_once_and_told_once(
    database: Database, resident: Account, bram: Account
) -> None:
    await follow(database, resident, bram)
    await follow(database, resident, bram)  # a double click changes nothing
    assert await relationship(database, resident, bram) == relations.Relationship(following=True)
    assert await relationship(database, bram, resident) == relations.Relationship(followed_by=True)
    assert await notification_kinds(database, bram) == [NotificationKind.FOLLOW]
    assert bram.id is not None and resident.id is not None
    async with database.reading() as session:
        assert await relations.counts(session, bram.id) == relations.Counts(1, 0)
        assert await relations.counts(session, resident.id) == relations.Counts(0, 1)


async def test_unfollowing_ends_it_and_may_be_repeated(
    database: Database, resident: Account, bram: Account
) -> None:
    await follow(database, resident, bram)
    assert bram.id is not None
    for _ in range(2):
        async with database.transaction() as session:
            await relations.unfollow(session, resident, bram.id)
    assert await relationship(database, resident, bram) == relations.Relationship()


async def test_nobody_follows_themselves(database: Database, resident: Account) -> None:
    with pytest.raises(InvalidInput) as refused:
        await follow(database, resident, resident)
    assert refused.value.errors == {"form": "follow_self"}


async def test_only_active_people_can_be_followed(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    for status in (AccountStatus.PENDING, AccountStatus.DELETED):
        other = await make_account(database, f"x{status}", neighbourhood=neighbourhood)
        async with database.transaction() as session:
            stored = await session.get(Account, other.id)
            assert stored is not None
            stored.status = status
        with pytest.raises(NotFound):
            await follow(database, resident, other)


async def test_blocking_ends_follows_both_ways_and_stops_new_ones(
    database: Database, resident: Account, bram: Account
) -> None:
    await follow(database, resident, bram)
    await follow(database, bram, resident)
    await block(database, resident, bram)
    await block(database, resident, bram)  # idempotent
    assert await relationship(database, resident, bram) == relations.Relationship(blocking=True)
    assert await relationship(database, bram, resident) == relations.Relationship(blocked_by=True)
    async with database.reading() as session:
        assert (await session.exec(select(func.count()).select_from(Follow))).one() == 0
    for follower, followed in ((bram, resident), (resident, bram)):
        with pytest.raises(InvalidInput) as refused:
            await follow(database, follower, followed)
        assert refused.value.errors == {"form": "follow_blocked"}


async def test_after_unblocking_one_may_follow_again(
    database: Database, resident: Account, bram: Account
) -> None:
    await block(database, resident, bram)
    assert bram.id is not None
    async with database.transaction() as session:
        await relations.unblock(session, resident, bram.id)
    await follow(database, bram, resident)
    assert await relationship(database, bram, resident) == relations.Relationship(following=True)


async def test_nobody_blocks_or_mutes_themselves(database: Database, resident: Account) -> None:
    assert resident.id is not None
    async with database.transaction() as session:
        with pytest.raises(InvalidInput):
            await relations.block(session, resident, resident.id)
        with pytest.raises(InvalidInput):
            await relations.mute(session, resident, resident.id)


async def test_muting_is_private_and_silences_notifications(
    database: Database, resident: Account, bram: Account
) -> None:
    assert bram.id is not None and resident.id is not None
    async with database.transaction() as session:
        await relations.mute(session, resident, bram.id)
        await relations.mute(session, resident, bram.id)
    assert await relationship(database, resident, bram) == relations.Relationship(muting=True)
    assert await relationship(database, bram, resident) == relations.Relationship()
    assert await notification_kinds(database, bram) == []  # the muted person is not told
    await follow(database, bram, resident)  # a follow by someone muted: no notification
    assert await notification_kinds(database, resident) == []
    async with database.transaction() as session:
        await relations.unmute(session, resident, bram.id)
    assert await relationship(database, resident, bram) == relations.Relationship(followed_by=True)


async def test_profile_is_hidden_from_people_the_person_blocks(
    database: Database, resident: Account, bram: Account
) -> None:
    await block(database, resident, bram)
    async with database.reading() as session:
        with pytest.raises(NotFound):
            await relations.load_profile(session, "anna", bram)
        own_view = await relations.load_profile(session, "BRAM", resident)
        visitor_view = await relations.load_profile(session, "anna", None)
    assert own_view.relationship.blocking
    assert visitor_view.account.id == resident.id
    assert visitor_view.neighbourhood is not None and visitor_view.neighbourhood.slug == "vogelwijk"


async def test_profiles_of_deleted_and_pending_people_are_not_found(
    database: Database, resident: Account
) -> None:
    async with database.transaction() as session:
        stored = await session.get(Account, resident.id)
        assert stored is not None
        stored.status = AccountStatus.DELETED
    async with database.reading() as session:
        with pytest.raises(NotFound):
            await relations.load_profile(session, "anna", None)


async def test_counts_come_from_the_database(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    for name in ("c1", "c2", "c3"):
        await follow(database, await make_account(database, name), resident)
    assert resident.id is not None
    async with database.reading() as session:
        assert (await relations.counts(session, resident.id)).followers == 3
        unread = await notifications.unread_count(session, resident)
        follows = await session.exec(
            select(func.count()).select_from(Follow).where(col(Follow.followed_id) == resident.id)
        )
    assert unread == 3 and follows.one() == 3
