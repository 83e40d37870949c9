"""What directors, moderators and admins may do, and that others may not."""

from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import select

from buurtnet.core import neighbourhoods, permissions, site
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    Duty,
    InviteCode,
    Neighbourhood,
    RegistrationMode,
    Role,
)
from tests.conftest import log_in, make_account, post_form


@pytest.fixture
async def other_neighbourhood(database: Database) -> Neighbourhood:
    async with database.transaction() as session:
        return await neighbourhoods.create_neighbourhood(session, "rivierenbuurt", "Rivierenbuurt")


async def test_director_makes_and_stops_invite_codes(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "dirk", duty=Duty.DIRECTOR, neighbourhood=neighbourhood)
    await log_in(client, "dirk")
    assert "Bewoners uitnodigen" in (await client.get("/n/vogelwijk")).text
    made = await post_form(
        client,
        "/n/vogelwijk/invites",
        "/n/vogelwijk/invites",
        {"max_uses": "25", "valid_days": "14"},
    )
    assert made.status_code == 303
    async with database.reading() as session:
        invite = (await session.exec(select(InviteCode))).one()
    assert invite.max_uses == 25
    page = await client.get("/n/vogelwijk/invites")
    assert invite.code in page.text
    assert f"/register?code={invite.code}" in page.text
    stopped = await post_form(
        client, "/n/vogelwijk/invites", f"/n/vogelwijk/invites/{invite.id}/revoke", {}
    )
    assert stopped.status_code == 303
    assert "Kan niet meer gebruikt worden" in (await client.get("/n/vogelwijk/invites")).text


async def test_invite_form_errors(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "dirk", duty=Duty.DIRECTOR, neighbourhood=neighbourhood)
    await log_in(client, "dirk")
    response = await post_form(
        client, "/n/vogelwijk/invites", "/n/vogelwijk/invites", {"max_uses": "0", "valid_days": "x"}
    )
    assert response.status_code == 400
    assert "Kies een getal van 1 tot en met 1000." in response.text
    assert "Kies van 1 tot en met 365 dagen." in response.text


async def test_director_of_another_neighbourhood_and_residents_may_not_invite(
    client: httpx.AsyncClient,
    database: Database,
    neighbourhood: Neighbourhood,
    other_neighbourhood: Neighbourhood,
) -> None:
    await make_account(database, "dirk", duty=Duty.DIRECTOR, neighbourhood=other_neighbourhood)
    await make_account(database, "anna", neighbourhood=neighbourhood)
    for username in ("dirk", "anna"):
        await log_in(client, username)
        assert (await client.get("/n/vogelwijk/invites")).status_code == 403
        refused = await post_form(
            client, "/settings", "/n/vogelwijk/invites", {"max_uses": "5", "valid_days": "5"}
        )
        assert refused.status_code == 403
        await post_form(client, "/settings", "/logout", {})
    async with database.reading() as session:
        assert (await session.exec(select(InviteCode))).all() == []


async def test_moderators_decide_only_for_their_own_neighbourhood(
    client: httpx.AsyncClient,
    database: Database,
    neighbourhood: Neighbourhood,
    other_neighbourhood: Neighbourhood,
) -> None:
    await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    stranger = await make_account(database, "otto", neighbourhood=other_neighbourhood)
    async with database.transaction() as session:
        stored = await session.get(Account, stranger.id)
        assert stored is not None
        stored.status = AccountStatus.PENDING
    await log_in(client, "mila")
    assert "@otto" not in (await client.get("/moderation/sign-ups")).text
    for action in ("approve", "refuse"):
        response = await post_form(
            client, "/moderation/sign-ups", f"/moderation/sign-ups/{stranger.id}/{action}", {}
        )
        assert response.status_code == 403
    assert (await client.get(f"/moderation/sign-ups/{stranger.id}/refuse")).status_code == 403
    async with database.reading() as session:
        unchanged = await session.get(Account, stranger.id)
    assert unchanged is not None and unchanged.status == AccountStatus.PENDING


def test_only_admins_moderate_where_no_neighbourhood_is_set() -> None:
    moderator = permissions.Roles(moderates=frozenset({1}))
    assert not permissions.can_moderate(permissions.NO_ROLES, 1)
    assert permissions.can_moderate(moderator, 1)
    assert not permissions.can_moderate(moderator, None)
    assert not permissions.can_moderate(moderator, 2)
    assert permissions.can_moderate(permissions.Roles(admin=True), None)


async def test_someone_without_a_duty_decides_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    await make_account(database, "mila")
    drifter = await make_account(database, "otto")
    async with database.transaction() as session:
        stored = await session.get(Account, drifter.id)
        assert stored is not None
        stored.status = AccountStatus.PENDING
    await log_in(client, "mila")
    assert "@otto" not in (await client.get("/moderation/sign-ups")).text
    response = await post_form(
        client, "/moderation/sign-ups", f"/moderation/sign-ups/{drifter.id}/approve", {}
    )
    assert response.status_code == 403
    async with database.reading() as session:
        unchanged = await session.get(Account, drifter.id)
    assert unchanged is not None and unchanged.status == AccountStatus.PENDING


async def test_residents_do_not_see_moderation_or_admin(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "anna", neighbourhood=neighbourhood)
    await log_in(client, "anna")
    assert (await client.get("/moderation/sign-ups")).status_code == 403
    page = await client.get("/admin")
    assert page.status_code == 403
    assert "U mag deze pagina niet zien" in page.text
    refused = await post_form(
        client, "/settings", "/admin/registration", {"registration_mode": "closed"}
    )
    assert refused.status_code == 403


async def test_admin_chooses_registration_mode_and_adds_neighbourhoods(
    client: httpx.AsyncClient, database: Database
) -> None:
    await make_account(database, "beheerder", role=Role.ADMIN)
    await log_in(client, "beheerder")
    saved = await post_form(
        client, "/admin", "/admin/registration", {"registration_mode": "approval"}
    )
    assert saved.status_code == 303
    async with database.reading() as session:
        assert await site.registration_mode(session) == RegistrationMode.APPROVAL
    bad = await post_form(client, "/admin", "/admin/registration", {"registration_mode": "open"})
    assert bad.status_code == 400
    assert "Kies hoe mensen zich kunnen aanmelden." in bad.text

    added = await post_form(
        client, "/admin", "/admin/neighbourhoods", {"name": "De Hoven", "slug": "de-hoven"}
    )
    assert added.status_code == 303
    assert (await client.get("/n/de-hoven")).status_code == 200
    duplicate = await post_form(
        client, "/admin", "/admin/neighbourhoods", {"name": "Ander", "slug": "DE-HOVEN"}
    )
    assert duplicate.status_code == 400
    assert "Dit adres wordt al gebruikt." in duplicate.text
    assert 'value="Ander"' in duplicate.text


async def test_visitors_see_a_neighbourhood_but_not_its_members(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "anna", neighbourhood=neighbourhood)
    page = await client.get("/n/vogelwijk")
    assert page.status_code == 200
    assert "Minder dan 10 bewoners zijn op Buurtnet." in page.text  # never an exact, live count
    assert "@anna" not in page.text
    await log_in(client, "anna")
    assert "@anna" in (await client.get("/n/vogelwijk")).text


async def test_invite_dates_are_shown_in_the_instance_time_zone(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "dirk", duty=Duty.DIRECTOR, neighbourhood=neighbourhood)
    await log_in(client, "dirk")
    await post_form(
        client, "/n/vogelwijk/invites", "/n/vogelwijk/invites", {"max_uses": "5", "valid_days": "9"}
    )
    async with database.transaction() as session:
        invite = (await session.exec(select(InviteCode))).one()
        invite.expires_at = datetime(2026, 12, 23, 23, 30, tzinfo=UTC)  # 00:30 in Amsterdam
    page = (await client.get("/n/vogelwijk/invites")).text
    assert "24-12-2026" in page
    assert "23-12-2026" not in page


async def test_the_count_of_residents_is_rounded_down_to_fives(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    for number in range(14):
        await make_account(database, f"buur{number}", neighbourhood=neighbourhood)
    page = await client.get("/n/vogelwijk")
    assert "Minstens 10 bewoners zijn op Buurtnet." in page.text
    await make_account(database, "buur14", neighbourhood=neighbourhood)
    assert "Minstens 15 bewoners zijn op Buurtnet." in (await client.get("/n/vogelwijk")).text
