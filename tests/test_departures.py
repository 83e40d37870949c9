"""Members leaving their neighbourhood are counted for the liveability figures (members who
left, and members at the end of earlier periods), on the instance's calendar day, without
anything that names them; accounts that never were members leave no count."""

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from buurtnet.config import Settings
from buurtnet.core import account_deletion, accounts, remote_accounts
from buurtnet.core.local_times import local_day
from buurtnet.db import Database
from buurtnet.models import Account, AccountStatus, Neighbourhood, NeighbourhoodDeparture, utcnow
from buurtnet.moderation import approvals
from tests.conftest import PASSWORD, csrf_token, log_in, make_account, make_settings
from tests.moderation_kit import moderator, person_elsewhere, rows

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# 14 hours ahead of UTC and 11 behind: at any moment one of them has another date than Amsterdam.
FAR_AWAY = (ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Pago_Pago"))


def zone_on_another_day() -> ZoneInfo:
    """A time zone whose date now differs from Amsterdam's, so the tests see which was used."""
    now = utcnow()
    return next(zone for zone in FAR_AWAY if local_day(now, zone) != local_day(now, AMSTERDAM))


@pytest.fixture
def zone() -> ZoneInfo:
    return zone_on_another_day()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, zone: ZoneInfo) -> Settings:
    return make_settings(database_url, tmp_path, time_zone=zone.key)


def days_around(before: datetime, zone: ZoneInfo) -> set[date]:
    """The calendar day in `zone` at `before` and now (the same, unless midnight passed)."""
    return {local_day(before, zone), local_day(utcnow(), zone)}


async def departures(database: Database) -> list[tuple[int, date]]:
    found = await rows(database, NeighbourhoodDeparture)
    assert all(departure.joined_on <= departure.left_on for departure in found)
    return [(departure.neighbourhood_id, departure.left_on) for departure in found]


async def delete(database: Database, account: Account, zone: ZoneInfo | None = None) -> None:
    async with database.transaction() as session:
        await account_deletion.delete_account(session, account, zone=zone)


async def test_a_member_who_deletes_their_account_is_counted_on_the_local_day(
    database: Database, resident: Account, neighbourhood: Neighbourhood, zone: ZoneInfo
) -> None:
    before = utcnow()
    await delete(database, resident, zone)
    [(neighbourhood_id, left_on)] = await departures(database)
    assert neighbourhood_id == neighbourhood.id
    assert left_on in days_around(before, zone)


async def test_a_suspended_member_counts_too(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    async with database.transaction() as session:
        stored = await session.get(Account, resident.id)
        assert stored is not None
        stored.status = AccountStatus.SUSPENDED
    before = utcnow()
    await delete(database, resident)  # on the default calendar, Amsterdam's
    assert [day for _, day in await departures(database)] in [
        [day] for day in days_around(before, AMSTERDAM)
    ]


async def test_who_never_was_a_member_leaves_no_count(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    nowhere = await make_account(database, "zwerver")  # no neighbourhood
    await delete(database, nowhere)
    bob, _ = await person_elsewhere(database)
    async with database.transaction() as session:
        stored = await session.get(Account, bob.id)
        assert stored is not None
        await remote_accounts.remove_remote_account(session, stored)
    mila, roles = await moderator(database, "mila", neighbourhood)
    new = accounts.NewAccount("karin", "karin@example.org", PASSWORD, status=AccountStatus.PENDING)
    async with database.transaction() as session:
        karin = await accounts.create_account(
            session, replace(new, neighbourhood_id=neighbourhood.id)
        )
        await approvals.refuse_sign_up(session, mila, roles, karin.id or 0)
    assert await departures(database) == []


async def test_deleting_on_the_web_counts_on_the_instances_calendar(
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    neighbourhood: Neighbourhood,
    zone: ZoneInfo,
) -> None:
    """The instance's zone (the settings') is another day than Amsterdam's, the default."""
    await log_in(client, "anna")
    token = await csrf_token(client, "/settings/delete")
    before = utcnow()
    done = await client.post("/settings/delete", data={"csrf_token": token, "password": PASSWORD})
    assert done.status_code == 303
    [(neighbourhood_id, left_on)] = await departures(database)
    assert neighbourhood_id == neighbourhood.id
    assert left_on in days_around(before, zone)
