"""Signing up in each mode the admin can choose, through the web."""

import asyncio

import httpx
import pytest

from buurtnet.core import invites, login, passwords, registration, site
from buurtnet.db import Database
from buurtnet.models import Duty, InviteCode, Neighbourhood, RateLimitHit, RegistrationMode
from tests.conftest import csrf_token_in, log_in, make_account, post_form

NEW_PERSON = {
    "username": "Bram_J",
    "display_name": "Bram",
    "email": "bram@example.org",
    "password": "fietsen langs de gracht",
    "password_again": "fietsen langs de gracht",
    "accept_rules": "yes",
}


async def set_mode(database: Database, mode: RegistrationMode) -> None:
    async with database.transaction() as session:
        await site.set_registration_mode(session, mode)


@pytest.fixture
async def invite(database: Database, neighbourhood: Neighbourhood) -> InviteCode:
    director = await make_account(database, "dirk", duty=Duty.DIRECTOR, neighbourhood=neighbourhood)
    async with database.transaction() as session:
        return await invites.create_invite(session, neighbourhood, director, max_uses=1)


async def test_invite_code_brings_a_new_resident_into_the_neighbourhood(
    client: httpx.AsyncClient, invite: InviteCode
) -> None:
    form_page = f"/register?code={invite.code}"
    assert invite.code in (await client.get(form_page)).text
    code_as_typed = invite.code.lower()[:5] + " " + invite.code.lower()[5:]
    response = await post_form(
        client, form_page, "/register", {**NEW_PERSON, "invite_code": code_as_typed}
    )
    assert response.status_code == 303
    home = await client.get("/")
    assert "<h1>Vogelwijk</h1>" in home.text
    assert "Bram" in (await client.get("/n/vogelwijk")).text


async def test_a_used_up_code_is_refused_and_the_form_is_kept(
    client: httpx.AsyncClient, invite: InviteCode, database: Database
) -> None:
    first = {**NEW_PERSON, "invite_code": invite.code}
    assert (await post_form(client, "/register", "/register", first)).status_code == 303
    await post_form(client, "/settings", "/logout", {})
    second = {**first, "username": "chantal", "email": "chantal@example.org"}
    response = await post_form(client, "/register", "/register", second)
    assert response.status_code == 400
    assert "is al te vaak gebruikt" in response.text
    assert 'value="chantal"' in response.text
    assert 'value="chantal@example.org"' in response.text
    assert "fietsen langs de gracht" not in response.text  # passwords are never sent back


async def test_form_errors_are_shown_per_field_and_nothing_is_written(
    client: httpx.AsyncClient, invite: InviteCode, database: Database
) -> None:
    await make_account(database, "anna")
    bad = {
        **NEW_PERSON,
        "username": "ANNA",
        "email": "anna@example.org",
        "password_again": "something else entirely",
        "invite_code": invite.code,
    }
    response = await post_form(client, "/register", "/register", bad)
    assert response.status_code == 400
    for message in [
        "Iemand anders gebruikt deze naam al.",
        "Er is al een account met dit e-mailadres.",
        "De twee wachtwoorden zijn niet hetzelfde.",
    ]:
        assert message in response.text
    assert 'aria-invalid="true"' in response.text
    async with database.reading() as session:
        stored = await session.get(InviteCode, invite.id)
    assert stored is not None and stored.use_count == 0


async def test_weak_password_message_in_english(
    client: httpx.AsyncClient, invite: InviteCode
) -> None:
    weak = {**NEW_PERSON, "password": "kort", "password_again": "kort", "invite_code": invite.code}
    token_page = await client.get("/register", headers={"Accept-Language": "en"})
    token = csrf_token_in(token_page.text)
    response = await client.post(
        "/register", data={"csrf_token": token, **weak}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert "Use at least 10 characters." in response.text


async def test_approval_mode_waits_for_a_moderator(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await set_mode(database, RegistrationMode.APPROVAL)
    await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    form = {**NEW_PERSON, "neighbourhood": "vogelwijk"}
    response = await post_form(client, "/register", "/register", form)
    assert response.status_code == 200
    assert "Bedankt voor uw aanmelding" in response.text

    refused = await post_form(
        client, "/login", "/login", {"login_name": "bram_j", "password": NEW_PERSON["password"]}
    )
    assert "nog niet goedgekeurd" in refused.text

    await log_in(client, "mila")
    queue = await client.get("/moderation/sign-ups")
    assert "@Bram_J" in queue.text
    async with database.reading() as session:
        pending = await login.find_by_login_name(session, "bram_j")
    assert pending is not None
    decided = await post_form(
        client, "/moderation/sign-ups", f"/moderation/sign-ups/{pending.id}/approve", {}
    )
    assert decided.status_code == 303
    await post_form(client, "/settings", "/logout", {})
    await log_in(client, "bram_j", NEW_PERSON["password"])


async def test_approval_mode_needs_a_neighbourhood(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await set_mode(database, RegistrationMode.APPROVAL)
    assert "Vogelwijk" in (await client.get("/register")).text
    response = await post_form(client, "/register", "/register", NEW_PERSON)
    assert response.status_code == 400
    assert "Kies uw buurt." in response.text


async def test_closed_mode_takes_nobody(client: httpx.AsyncClient, database: Database) -> None:
    await set_mode(database, RegistrationMode.CLOSED)
    page = await client.get("/register")
    assert "Aanmelden is gesloten" in page.text
    assert 'name="csrf_token"' in page.text  # the language buttons still carry a token
    response = await post_form(client, "/register", "/register", NEW_PERSON)
    assert response.status_code == 403


async def test_sign_ups_are_limited_per_address(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await set_mode(database, RegistrationMode.APPROVAL)
    for number in range(registration.SIGN_UP_ATTEMPTS_PER_ADDRESS):
        person = {
            **NEW_PERSON,
            "username": f"person{number}",
            "email": f"p{number}@example.org",
            "neighbourhood": "vogelwijk",
        }
        assert (await post_form(client, "/register", "/register", person)).status_code == 200
    one_more = {**NEW_PERSON, "neighbourhood": "vogelwijk"}
    response = await post_form(client, "/register", "/register", one_more)
    assert response.status_code == 429


async def test_failed_sign_ups_count_too(
    client: httpx.AsyncClient, database: Database, invite: InviteCode
) -> None:
    for number in range(registration.SIGN_UP_ATTEMPTS_PER_ADDRESS):
        guess = {**NEW_PERSON, "email": f"guess{number}@example.org", "invite_code": "WRONG"}
        assert (await post_form(client, "/register", "/register", guess)).status_code == 400
    right = {**NEW_PERSON, "invite_code": invite.code}
    response = await post_form(client, "/register", "/register", right)
    assert response.status_code == 429


async def test_without_a_valid_code_the_form_tells_nothing_about_taken_names(
    client: httpx.AsyncClient, database: Database, invite: InviteCode
) -> None:
    await make_account(database, "anna")
    probe = {**NEW_PERSON, "username": "anna", "email": "anna@example.org"}
    for code, message in [
        ("", "Vul de uitnodigingscode in die u hebt gekregen."),
        ("NOT-A-CODE", "Deze uitnodigingscode klopt niet"),
    ]:
        response = await post_form(client, "/register", "/register", {**probe, "invite_code": code})
        assert response.status_code == 400
        assert message in response.text
        assert "Iemand anders gebruikt deze naam al." not in response.text
        assert "Er is al een account met dit e-mailadres." not in response.text
    weak = {**probe, "password": "kort", "password_again": "kort", "invite_code": "NOT-A-CODE"}
    response = await post_form(client, "/register", "/register", weak)
    assert "Gebruik minstens 10 tekens." in response.text  # problems of the input itself do show


async def test_the_password_is_hashed_before_the_write_transaction(
    client: httpx.AsyncClient,
    database: Database,
    invite: InviteCode,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = passwords.hash_password
    others_wrote = []

    async def hash_while_others_write(password: str) -> str:
        async with asyncio.timeout(3), database.transaction() as session:
            session.add(RateLimitHit(key="another request"))
        others_wrote.append(True)
        return await real(password)

    monkeypatch.setattr(passwords, "hash_password", hash_while_others_write)
    person = {**NEW_PERSON, "invite_code": invite.code}
    assert (await post_form(client, "/register", "/register", person)).status_code == 303
    assert others_wrote == [True]


async def test_a_refused_sign_up_is_deleted_after_a_second_click(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await set_mode(database, RegistrationMode.APPROVAL)
    await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    form = {**NEW_PERSON, "neighbourhood": "vogelwijk"}
    assert (await post_form(client, "/register", "/register", form)).status_code == 200
    async with database.reading() as session:
        pending = await login.find_by_login_name(session, "bram_j")
    assert pending is not None
    refuse = f"/moderation/sign-ups/{pending.id}/refuse"

    await log_in(client, "mila")
    queue = await client.get("/moderation/sign-ups")
    assert f'href="{refuse}"' in queue.text  # a link to a question, not a form that acts
    assert f'action="{refuse}"' not in queue.text
    question = await client.get(refuse, headers={"Accept-Language": "en"})
    assert "Are you sure?" in question.text
    assert f'action="{refuse}"' in question.text
    assert (await client.post(refuse)).status_code == 403  # no CSRF token
    assert (await post_form(client, refuse, refuse, {})).status_code == 303
    async with database.reading() as session:
        assert await login.find_by_login_name(session, "bram_j") is None
    assert (await client.get(refuse)).status_code == 404

    await post_form(client, "/settings", "/logout", {})
    again = await post_form(client, "/register", "/register", form)
    assert again.status_code == 200  # the name and address are free again
