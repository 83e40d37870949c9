"""Partners' keys: issuing, listing and revoking them (core.partner_tokens), and the admin's page
for it (web.partners). Only admins; each key shown once and kept only as its hash; every issue
and revoke in the audit log."""

import hashlib
import re
from datetime import timedelta

import httpx
import pytest
from sqlmodel import col, select

from buurtnet.core import partner_tokens, permissions
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.permissions import Roles
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    ActionKind,
    Duty,
    ModerationAction,
    Neighbourhood,
    PartnerToken,
    PartnerTokenNeighbourhood,
    Role,
    utcnow,
)
from tests.conftest import csrf_token, log_in, make_account, post_form

PAGE = "/admin/partners"
ISSUED_KEY = re.compile(r'id="issued-key" type="text" value="([^"]+)"')


@pytest.fixture
async def admin(database: Database, neighbourhood: Neighbourhood) -> Account:
    return await make_account(database, "beheer", role=Role.ADMIN, neighbourhood=neighbourhood)


@pytest.fixture
async def rivierenbuurt(database: Database) -> Neighbourhood:
    async with database.transaction() as session:
        place = Neighbourhood(slug="rivierenbuurt", name="Rivierenbuurt")
        session.add(place)
        await session.flush()
        return place


async def roles_of(database: Database, account: Account) -> Roles:
    async with database.reading() as session:
        return await permissions.roles_of(session, account)


async def issue(
    database: Database, admin: Account, partner: str, *places: Neighbourhood
) -> tuple[PartnerToken, str]:
    roles = await roles_of(database, admin)
    async with database.transaction() as session:
        return await partner_tokens.issue(
            session, roles, partner, [place.id for place in places if place.id is not None]
        )


async def verify(database: Database, plain: str) -> PartnerToken | None:
    async with database.transaction() as session:
        return await partner_tokens.verify(session, plain)


async def settings_changes(database: Database) -> list[ModerationAction]:
    async with database.reading() as session:
        found = await session.exec(
            select(ModerationAction)
            .where(col(ModerationAction.kind) == ActionKind.CHANGE_SETTING)
            .order_by(col(ModerationAction.id))
        )
        return list(found.all())


# ------------------------------------------------------------------ core


async def test_a_key_is_shown_once_and_kept_only_as_its_hash(
    database: Database, admin: Account, neighbourhood: Neighbourhood
) -> None:
    token, plain = await issue(database, admin, "  Gemeente\nUtrecht ", neighbourhood)
    assert len(plain) >= 43
    assert token.partner == "Gemeente Utrecht"
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert token.issued_by_id == admin.id
    async with database.reading() as session:
        row = await session.get(PartnerToken, token.id)
        grants = (await session.exec(select(PartnerTokenNeighbourhood))).all()
    assert row is not None and plain not in str(row.model_dump())
    assert [(grant.token_id, grant.neighbourhood_id) for grant in grants] == [
        (token.id, neighbourhood.id)
    ]
    [entry] = await settings_changes(database)
    assert entry.moderator_id == admin.id
    assert "'Gemeente Utrecht' for Vogelwijk" in entry.reason
    assert plain not in entry.reason


async def test_two_keys_differ(
    database: Database, admin: Account, neighbourhood: Neighbourhood
) -> None:
    first = await issue(database, admin, "Politie", neighbourhood)
    second = await issue(database, admin, "Politie", neighbourhood)
    assert first[1] != second[1] and first[0].token_hash != second[0].token_hash


@pytest.mark.parametrize("duty", [Duty.DIRECTOR, Duty.MODERATOR, None])
async def test_only_admins_issue_list_and_revoke(
    database: Database, admin: Account, neighbourhood: Neighbourhood, duty: Duty | None
) -> None:
    token, _ = await issue(database, admin, "Buurthuis", neighbourhood)
    assert token.id is not None
    someone = await make_account(database, "dirk", neighbourhood=neighbourhood, duty=duty)
    roles = await roles_of(database, someone)
    async with database.transaction() as session:
        with pytest.raises(NotAllowed):
            await partner_tokens.issue(session, roles, "Ik", [neighbourhood.id or 0])
        with pytest.raises(NotAllowed):
            await partner_tokens.all_tokens(session, roles)
        with pytest.raises(NotAllowed):
            await partner_tokens.revoke(session, roles, token.id)


async def test_what_is_wrong_in_an_issue_is_named(
    database: Database, admin: Account, neighbourhood: Neighbourhood
) -> None:
    roles = await roles_of(database, admin)
    cases = [
        ("", [neighbourhood.id], {"partner": "partner_name_missing"}),
        ("x" * 101, [neighbourhood.id], {"partner": "partner_name_too_long"}),
        ("Gemeente", [], {"neighbourhoods": "partner_neighbourhoods_missing"}),
        ("Gemeente", [neighbourhood.id, 9999], {"neighbourhoods": "partner_neighbourhood_unknown"}),
    ]
    for partner, ids, expected in cases:
        async with database.transaction() as session:
            with pytest.raises(InvalidInput) as raised:
                await partner_tokens.issue(session, roles, partner, [i for i in ids if i])
        assert raised.value.errors == expected
    assert await settings_changes(database) == []


async def test_verify_finds_a_working_key_only(
    database: Database, admin: Account, neighbourhood: Neighbourhood
) -> None:
    token, plain = await issue(database, admin, "Gemeente", neighbourhood)
    found = await verify(database, plain)
    assert found is not None and found.id == token.id
    for wrong in ("", plain[:-1], plain + "x", plain.upper(), "x" * 10_000):
        assert await verify(database, wrong) is None
    roles = await roles_of(database, admin)
    assert token.id is not None
    async with database.transaction() as session:
        assert await partner_tokens.revoke(session, roles, token.id) is True
    async with database.transaction() as session:
        assert await partner_tokens.revoke(session, roles, token.id) is False
        with pytest.raises(NotFound):
            await partner_tokens.revoke(session, roles, token.id + 1)
    assert await verify(database, plain) is None
    reasons = [entry.reason for entry in await settings_changes(database)]
    assert len(reasons) == 2 and "revoked" in reasons[1]


async def test_the_last_use_is_noted_at_most_once_a_minute(
    database: Database, admin: Account, neighbourhood: Neighbourhood
) -> None:
    token, plain = await issue(database, admin, "Gemeente", neighbourhood)
    assert token.last_used_at is None
    first = await verify(database, plain)
    assert first is not None and first.last_used_at is not None
    again = await verify(database, plain)
    assert again is not None and again.last_used_at == first.last_used_at
    async with database.transaction() as session:
        stored = await session.get(PartnerToken, token.id)
        assert stored is not None
        stored.last_used_at = utcnow() - timedelta(minutes=2)
        session.add(stored)
    later = await verify(database, plain)
    assert later is not None and later.last_used_at is not None
    assert later.last_used_at > first.last_used_at


async def test_the_list_holds_each_key_with_its_neighbourhoods(
    database: Database, admin: Account, neighbourhood: Neighbourhood, rivierenbuurt: Neighbourhood
) -> None:
    older, _ = await issue(database, admin, "Politie", neighbourhood, rivierenbuurt)
    newer, _ = await issue(database, admin, "Buurthuis", rivierenbuurt)
    async with database.reading() as session:
        listed = await partner_tokens.all_tokens(session, await roles_of(database, admin))
    assert [(item.token.id, [p.slug for p in item.neighbourhoods]) for item in listed] == [
        (newer.id, ["rivierenbuurt"]),
        (older.id, ["rivierenbuurt", "vogelwijk"]),
    ]


# ------------------------------------------------------------------ the admin's page


async def test_the_admin_page_links_to_the_keys(client: httpx.AsyncClient, admin: Account) -> None:
    await log_in(client, "beheer")
    assert 'href="/admin/partners"' in (await client.get("/admin")).text
    page = await client.get(PAGE)
    assert page.status_code == 200
    assert "Sleutels voor partners" in page.text
    assert "Nog geen enkele partner heeft een sleutel." in page.text
    assert 'name="neighbourhoods" value=' in page.text


async def test_an_admin_issues_sees_once_and_revokes_a_key(
    client: httpx.AsyncClient,
    database: Database,
    admin: Account,
    neighbourhood: Neighbourhood,
    rivierenbuurt: Neighbourhood,
) -> None:
    await log_in(client, "beheer")
    response = await post_form(
        client,
        PAGE,
        PAGE,
        {"partner": "Gemeente Utrecht", "neighbourhoods": str(rivierenbuurt.id)},
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    found = ISSUED_KEY.search(response.text)
    assert found, response.text
    plain = found.group(1)
    assert "U ziet hem alleen deze keer" in response.text
    assert f'curl -H "Authorization: Bearer {plain}"' in response.text
    assert "http://testserver/api/metrics/rivierenbuurt?period=month" in response.text
    token = await verify(database, plain)
    assert token is not None and token.partner == "Gemeente Utrecht"
    async with database.reading() as session:
        assert await partner_tokens.granted(session, token) == {rivierenbuurt.id}

    listing = (await client.get(PAGE)).text
    assert plain not in listing
    assert "Gemeente Utrecht" in listing and "Rivierenbuurt" in listing
    revoke = f"{PAGE}/{token.id}/revoke"
    assert f'action="{revoke}"' in listing

    refused = await client.post(revoke, data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    assert await verify(database, plain) is not None
    revoked = await post_form(client, PAGE, revoke, {})
    assert revoked.status_code == 303
    assert revoked.headers["location"] == f"{PAGE}?revoked=1"
    assert await verify(database, plain) is None
    after = (await client.get(f"{PAGE}?revoked=1")).text
    assert "De sleutel werkt niet meer." in after
    assert "Ingetrokken op" in after and f'action="{revoke}"' not in after
    unknown = await post_form(client, PAGE, f"{PAGE}/99999/revoke", {})
    assert unknown.status_code == 404


async def test_a_wrong_form_comes_back_with_dutch_messages(
    client: httpx.AsyncClient, database: Database, admin: Account, neighbourhood: Neighbourhood
) -> None:
    await log_in(client, "beheer")
    response = await post_form(client, PAGE, PAGE, {"partner": " ", "neighbourhoods": "x"})
    assert response.status_code == 400
    assert "Vul in wie de sleutel krijgt." in response.text
    assert "Kies minstens één buurt." in response.text
    ticked = await post_form(
        client, PAGE, PAGE, {"partner": "Politie", "neighbourhoods": str(neighbourhood.id)}
    )
    assert ticked.status_code == 200
    unknown = await post_form(client, PAGE, PAGE, {"partner": "Politie", "neighbourhoods": "777"})
    assert unknown.status_code == 400
    assert "Kies buurten uit de lijst." in unknown.text
    assert 'value="Politie"' in unknown.text
    async with database.reading() as session:
        assert len((await session.exec(select(PartnerToken))).all()) == 1


@pytest.mark.parametrize("duty", [Duty.DIRECTOR, Duty.MODERATOR, None])
async def test_others_are_refused(
    client: httpx.AsyncClient,
    database: Database,
    admin: Account,
    neighbourhood: Neighbourhood,
    duty: Duty | None,
) -> None:
    token, _ = await issue(database, admin, "Politie", neighbourhood)
    await make_account(database, "dirk", neighbourhood=neighbourhood, duty=duty)
    await log_in(client, "dirk")
    assert (await client.get(PAGE)).status_code == 403
    form_token = await csrf_token(client, "/settings")
    data = {"csrf_token": form_token, "partner": "Ik", "neighbourhoods": str(neighbourhood.id)}
    assert (await client.post(PAGE, data=data)).status_code == 403
    revoke = await client.post(f"{PAGE}/{token.id}/revoke", data={"csrf_token": form_token})
    assert revoke.status_code == 403
    assert await verify(database, "nothing") is None
    async with database.reading() as session:
        stored = await session.get(PartnerToken, token.id)
    assert stored is not None and stored.revoked_at is None


async def test_a_visitor_is_sent_to_log_in(client: httpx.AsyncClient) -> None:
    response = await client.get(PAGE)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
