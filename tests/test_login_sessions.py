"""The look-up that starts every request of a logged-in person: the login, the account, its
neighbourhood and the number of unread notifications, in one statement."""

from datetime import timedelta

from sqlmodel import select

from buurtnet.core import login_sessions, relations
from buurtnet.db import Database
from buurtnet.models import Account, LoginSession, Neighbourhood
from tests.conftest import make_account


async def log_in(database: Database, account: Account) -> str:
    async with database.transaction() as session:
        return await login_sessions.start_session(session, account)


async def look_up(database: Database, token: str) -> login_sessions.LiveLogin | None:
    async with database.reading() as session:
        return await login_sessions.find_login(session, token)


async def test_the_login_brings_the_account_and_its_neighbourhood(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    found = await look_up(database, await log_in(database, resident))
    assert found is not None
    assert found.account.id == resident.id
    assert found.neighbourhood is not None and found.neighbourhood.name == "Vogelwijk"
    assert found.unread_notifications == 0


async def test_an_account_without_a_neighbourhood_logs_in_too(database: Database) -> None:
    admin = await make_account(database, "beheer")
    found = await look_up(database, await log_in(database, admin))
    assert found is not None and found.account.id == admin.id and found.neighbourhood is None


async def test_unknown_and_expired_logins_are_not_found(
    database: Database, resident: Account
) -> None:
    token = await log_in(database, resident)
    assert await look_up(database, "not-a-token") is None
    async with database.transaction() as session:
        stored = (await session.exec(select(LoginSession))).one()
        stored.expires_at = stored.created_at - timedelta(seconds=1)
    assert await look_up(database, token) is None


async def test_the_unread_count_leaves_out_only_whom_the_resident_blocks_or_is_blocked_by(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    carla = await make_account(database, "carla", neighbourhood=neighbourhood)
    dirk = await make_account(database, "dirk", neighbourhood=neighbourhood)
    assert resident.id is not None and neighbour.id is not None and carla.id is not None
    async with database.transaction() as session:
        await relations.follow(session, neighbour, resident.id)  # one notification for anna
        await relations.follow(session, carla, resident.id)  # and a second one
    token = await log_in(database, resident)
    async with database.transaction() as session:
        await relations.block(session, dirk, neighbour.id)  # between others: changes nothing
    found = await look_up(database, token)
    assert found is not None and found.unread_notifications == 2
    async with database.transaction() as session:
        await relations.block(session, resident, carla.id)
    found = await look_up(database, token)
    assert found is not None and found.unread_notifications == 1
