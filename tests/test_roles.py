"""Admins appoint moderators and directors per neighbourhood on /admin/roles and take the duty
back; each then sees what their neighbourhoods need, and nothing of another's."""

import re

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.core import neighbourhoods, permissions
from buurtnet.core.errors import NotAllowed
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    ActionKind,
    Duty,
    ModerationAction,
    Neighbourhood,
    Role,
    RoleGrant,
)
from buurtnet.moderation import roles
from tests.conftest import browser_for, log_in, make_account, post_form

PAGE = "/admin/roles"
HOLDER = re.compile(r'<span class="muted">@(\w+)</span>')


@pytest.fixture
async def three(database: Database, neighbourhood: Neighbourhood) -> list[Neighbourhood]:
    """Vogelwijk, Rivierenbuurt and Zeeheldenbuurt."""
    async with database.transaction() as session:
        others = [
            await neighbourhoods.create_neighbourhood(session, slug, name)
            for slug, name in (
                ("rivierenbuurt", "Rivierenbuurt"),
                ("zeeheldenbuurt", "Zeeheldenbuurt"),
            )
        ]
    return [neighbourhood, *others]


@pytest.fixture
async def admin_client(client: httpx.AsyncClient, database: Database) -> httpx.AsyncClient:
    await make_account(database, "beheerder", role=Role.ADMIN)
    await log_in(client, "beheerder")
    return client


async def change(
    client: httpx.AsyncClient, username: str, where: Neighbourhood, duty: str, *, back: bool = False
) -> httpx.Response:
    action = PAGE + "/take-back" if back else PAGE
    data = {"username": username, "neighbourhood": str(where.id), "duty": duty}
    return await post_form(client, PAGE, action, data)


async def make_pending(database: Database, username: str, where: Neighbourhood) -> None:
    account = await make_account(database, username, neighbourhood=where)
    async with database.transaction() as session:
        stored = await session.get(Account, account.id)
        assert stored is not None
        stored.status = AccountStatus.PENDING


async def test_a_moderator_of_two_neighbourhoods_sees_their_sign_ups_until_taken_back(
    app: Starlette, admin_client: httpx.AsyncClient, database: Database, three: list[Neighbourhood]
) -> None:
    vogelwijk, rivierenbuurt, _ = three
    mila = await make_account(database, "mila", neighbourhood=vogelwijk)
    for username, where in zip(("piet", "otto", "kees"), three, strict=True):
        await make_pending(database, username, where)
    async with browser_for(app) as moderator:
        await log_in(moderator, "mila")
        assert (await moderator.get("/moderation/sign-ups")).status_code == 403
        for where in (vogelwijk, rivierenbuurt):
            assert (await change(admin_client, "Mila", where, "moderator")).status_code == 303

        queue = (await moderator.get("/moderation/sign-ups")).text
        assert "@piet" in queue and "@otto" in queue
        assert "@kees" not in queue
        kees = await _account(database, "kees")
        refused = await post_form(
            moderator, "/moderation/sign-ups", f"/moderation/sign-ups/{kees.id}/approve", {}
        )
        assert refused.status_code == 403

        assert "@mila" in (await admin_client.get(PAGE)).text
        taken = await change(admin_client, "mila", rivierenbuurt, "moderator", back=True)
        assert taken.status_code == 303
        assert "De rol is ingetrokken." in (await admin_client.get(taken.headers["location"])).text
        queue = (await moderator.get("/moderation/sign-ups")).text
        assert "@piet" in queue
        assert "@otto" not in queue

    async with database.reading() as session:
        logged = (
            await session.exec(select(ModerationAction).order_by(col(ModerationAction.id)))
        ).all()
    admin = await _account(database, "beheerder")
    assert [(entry.kind, entry.neighbourhood_id) for entry in logged] == [
        (ActionKind.GRANT_ROLE, vogelwijk.id),
        (ActionKind.GRANT_ROLE, rivierenbuurt.id),
        (ActionKind.REVOKE_ROLE, rivierenbuurt.id),
    ]
    assert all(entry.target_account_id == mila.id for entry in logged)
    assert all(entry.moderator_id == admin.id and entry.reason == "moderator" for entry in logged)
    assert not any(entry.public for entry in logged)


async def test_a_director_of_two_neighbourhoods_manages_the_invites_of_both(
    app: Starlette, admin_client: httpx.AsyncClient, database: Database, three: list[Neighbourhood]
) -> None:
    vogelwijk, rivierenbuurt, zeeheldenbuurt = three
    await make_account(database, "dirk", neighbourhood=vogelwijk)
    async with browser_for(app) as director:
        await log_in(director, "dirk")
        assert (await director.get("/n/vogelwijk/invites")).status_code == 403
        for where in (vogelwijk, rivierenbuurt):
            assert (await change(admin_client, "dirk", where, "director")).status_code == 303
        for where in (vogelwijk, rivierenbuurt):
            assert (await director.get(f"/n/{where.slug}/invites")).status_code == 200
        assert (await director.get(f"/n/{zeeheldenbuurt.slug}/invites")).status_code == 403
        assert (await director.get("/moderation/sign-ups")).status_code == 403
        await change(admin_client, "dirk", vogelwijk, "director", back=True)
        assert (await director.get("/n/vogelwijk/invites")).status_code == 403
        assert (await director.get("/n/rivierenbuurt/invites")).status_code == 200


async def test_the_page_lists_who_holds_what_and_granting_twice_is_harmless(
    admin_client: httpx.AsyncClient, database: Database, three: list[Neighbourhood]
) -> None:
    vogelwijk, rivierenbuurt, _ = three
    await make_account(database, "mila", neighbourhood=vogelwijk)
    await make_account(database, "dirk", neighbourhood=vogelwijk)
    for _ in range(2):
        assert (await change(admin_client, "mila", vogelwijk, "moderator")).status_code == 303
    await change(admin_client, "dirk", rivierenbuurt, "director")
    page = (await admin_client.get(PAGE)).text
    # In order of name: Rivierenbuurt, Vogelwijk, Zeeheldenbuurt; moderators before directors.
    rivierenbuurt_part, vogelwijk_part = duty_lists(page, "Rivierenbuurt", "Vogelwijk")
    assert rivierenbuurt_part == ([], ["dirk"])
    assert vogelwijk_part == (["mila"], [])
    assert "Rol intrekken" in page
    async with database.reading() as session:
        assert len((await session.exec(select(RoleGrant))).all()) == 2
        assert len((await session.exec(select(ModerationAction))).all()) == 2
    assert 'href="/admin/roles"' in (await admin_client.get("/admin")).text


@pytest.mark.parametrize(
    ("username", "neighbourhood_field", "duty", "expected"),
    [
        ("nergens", "own", "moderator", "Er is hier geen account met deze gebruikersnaam."),
        ("", "own", "moderator", "Vul de gebruikersnaam van de persoon in."),
        ("bob@ver.example", "own", "moderator", "Dit is een account op een andere server."),
        ("wachter", "own", "moderator", "Dit account is (nog) niet actief."),
        ("anna", "99999", "director", "Kies een buurt uit de lijst."),
        ("anna", "x²", "director", "Kies een buurt uit de lijst."),
        ("anna", "own", "admin", "Kies moderator of buurtregisseur."),
    ],
)
async def test_mistakes_are_named_in_dutch(
    admin_client: httpx.AsyncClient,
    database: Database,
    neighbourhood: Neighbourhood,
    username: str,
    neighbourhood_field: str,
    duty: str,
    expected: str,
) -> None:
    await make_account(database, "anna", neighbourhood=neighbourhood)
    await make_pending(database, "wachter", neighbourhood)
    where = str(neighbourhood.id) if neighbourhood_field == "own" else neighbourhood_field
    data = {"username": username, "neighbourhood": where, "duty": duty}
    response = await post_form(admin_client, PAGE, PAGE, data)
    assert response.status_code == 400
    assert expected in response.text
    async with database.reading() as session:
        assert (await session.exec(select(RoleGrant))).all() == []
        assert (await session.exec(select(ModerationAction))).all() == []


async def test_residents_and_moderators_may_not_hand_out_roles(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await make_account(database, "anna", neighbourhood=neighbourhood)
    await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    for username in ("anna", "mila"):
        await log_in(client, username)
        assert (await client.get(PAGE)).status_code == 403
        data = {"username": username, "neighbourhood": str(neighbourhood.id), "duty": "director"}
        for action in (PAGE, PAGE + "/take-back"):
            assert (await post_form(client, "/settings", action, data)).status_code == 403
        await post_form(client, "/settings", "/logout", {})
    async with database.reading() as session:
        grants = (await session.exec(select(RoleGrant.duty))).all()
    assert grants == [Duty.MODERATOR]


async def test_a_duty_is_taken_back_from_an_account_that_is_no_longer_active(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    """A suspended moderator keeps no duty; only giving one needs an active account."""
    mila = await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    wanted = roles.Appointment("mila", neighbourhood.id, Duty.MODERATOR)
    async with database.transaction() as session:
        stored = await session.get(Account, mila.id)
        assert stored is not None
        stored.status = AccountStatus.SUSPENDED
        with pytest.raises(NotAllowed):
            await roles.take_back(
                session, None, permissions.Roles(moderates=frozenset({1})), wanted
            )
        assert await roles.take_back(session, None, roles.COMMAND_LINE, wanted)
        assert not await roles.take_back(session, None, roles.COMMAND_LINE, wanted)
        listed = await roles.duties_by_neighbourhood(session)
    assert [entry.moderators for entry in listed] == [[]]


def duty_lists(page: str, *names: str) -> list[tuple[list[str], list[str]]]:
    """The usernames listed as moderators and as directors under each neighbourhood's heading."""
    found = []
    for name in names:
        part = page.split(f">{name}</h3>", 1)[1].split("</section>", 1)[0]
        moderators, directors = part.split("Buurtregisseurs</h4>", 1)
        found.append((HOLDER.findall(moderators), HOLDER.findall(directors)))
    return found


async def _account(database: Database, username: str) -> Account:
    async with database.reading() as session:
        found = await session.exec(select(Account).where(col(Account.username) == username))
        return found.one()
