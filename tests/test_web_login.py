"""Logging in and out through the web, with CSRF, rate limits and lasting sessions."""

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from buurtnet.app import create_app
from buurtnet.config import Settings
from buurtnet.core import login, passwords
from buurtnet.db import Database
from buurtnet.models import Account, RateLimitHit
from buurtnet.web.auth import SESSION_COOKIE
from tests.conftest import (
    BASE_URL,
    PASSWORD,
    browser_for,
    csrf_token,
    csrf_token_in,
    log_in,
    make_account,
    post_form,
)

LOGIN = {"login_name": "anna", "password": PASSWORD, "next": "/"}


def browser_at(app: Starlette, address: str) -> httpx.AsyncClient:
    """One more browser, on another network: the login limits count per address."""
    transport = httpx.ASGITransport(app=app, client=(address, 123))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


async def test_login_takes_a_resident_to_their_neighbourhood(
    client: httpx.AsyncClient, resident: Account
) -> None:
    response = await post_form(client, "/login", "/login", LOGIN)
    assert response.status_code == 303
    home = await client.get("/")
    assert "<h1>Vogelwijk</h1>" in home.text
    assert "Uitloggen" in home.text


async def test_login_without_csrf_token_is_refused(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await client.get("/login")  # the browser cookie exists; only the token is missing
    response = await client.post("/login", data=LOGIN)
    assert response.status_code == 403
    assert "formulier is verlopen" in response.text
    assert SESSION_COOKIE not in response.cookies


async def test_login_with_a_token_of_another_browser_is_refused(
    app: Starlette, client: httpx.AsyncClient, resident: Account
) -> None:
    async with browser_for(app) as other:
        token_of_other = await csrf_token(other, "/login")
    await client.get("/login")
    response = await client.post("/login", data={"csrf_token": token_of_other, **LOGIN})
    assert response.status_code == 403


async def test_login_posted_from_another_site_is_refused(
    client: httpx.AsyncClient, resident: Account
) -> None:
    token = await csrf_token(client, "/login")
    response = await client.post(
        "/login", data={"csrf_token": token, **LOGIN}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


async def test_wrong_password_never_logs_in(client: httpx.AsyncClient, resident: Account) -> None:
    response = await post_form(
        client, "/login", "/login", {**LOGIN, "login_name": "Anna", "password": "not the password"}
    )
    assert response.status_code == 400
    assert "De naam of het wachtwoord klopt niet." in response.text
    assert 'value="Anna"' in response.text  # what the person typed is kept
    assert SESSION_COOKIE not in response.cookies
    assert (await client.get("/settings")).status_code == 303


async def test_hostile_login_input_gets_a_clear_answer(
    client: httpx.AsyncClient, resident: Account
) -> None:
    for login_name in ["", "a" * 5000, "<script>alert(1)</script>", "anna\x00", "' OR 1=1 --"]:
        response = await post_form(
            client, "/login", "/login", {**LOGIN, "login_name": login_name, "password": "x"}
        )
        assert response.status_code == 400
        assert "<script>alert(1)" not in response.text


async def test_too_many_failures_give_429_in_dutch(
    app: Starlette, client: httpx.AsyncClient, resident: Account
) -> None:
    wrong = {**LOGIN, "password": "wrong password"}
    for _ in range(login.WRONG_PASSWORDS_PER_ADDRESS):
        assert (await post_form(client, "/login", "/login", wrong)).status_code == 400
    response = await post_form(client, "/login", "/login", LOGIN)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "900"
    assert "Te veel pogingen om in te loggen" in response.text
    async with browser_at(app, "192.0.2.7") as elsewhere:
        assert (await post_form(elsewhere, "/login", "/login", LOGIN)).status_code == 303


async def test_a_login_survives_a_restart(
    settings: Settings, database: Database, client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    restarted = create_app(settings, database=database)
    async with (
        restarted.router.lifespan_context(restarted),
        browser_for(restarted, cookies=client.cookies) as same_browser,
    ):
        page = await same_browser.get("/settings")
    assert page.status_code == 200
    assert "@anna" in page.text


async def test_logout_ends_the_session_on_the_server(
    app: Starlette, client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    stolen_cookie = client.cookies[SESSION_COOKIE]
    response = await post_form(client, "/settings", "/logout", {})
    assert response.status_code == 303
    async with browser_for(app, cookies={SESSION_COOKIE: stolen_cookie}) as replay:
        assert (await replay.get("/settings")).status_code == 303


async def test_logout_needs_csrf(client: httpx.AsyncClient, resident: Account) -> None:
    await log_in(client, "anna")
    assert (await client.post("/logout")).status_code == 403
    assert (await client.get("/settings")).status_code == 200


async def test_password_change_logs_out_other_devices(
    app: Starlette, client: httpx.AsyncClient, resident: Account
) -> None:
    async with browser_for(app) as phone:
        await log_in(phone, "anna")
        await log_in(client, "anna")
        response = await post_form(
            client,
            "/settings",
            "/settings/password",
            {
                "current_password": PASSWORD,
                "new_password": "een heel nieuwe zin",
                "new_password_again": "een heel nieuwe zin",
            },
        )
        assert response.headers["location"] == "/settings?saved=password"
        assert (await client.get("/settings")).status_code == 200
        assert (await phone.get("/settings")).status_code == 303


async def test_password_change_errors_show_on_the_form(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    form = {"current_password": "wrong", "new_password": "kort", "new_password_again": "kort"}
    response = await post_form(client, "/settings", "/settings/password", form)
    assert response.status_code == 400
    assert "Uw huidige wachtwoord klopt niet." in response.text


async def test_wrong_current_passwords_are_limited(
    app: Starlette, database: Database, resident: Account
) -> None:
    change = {"new_password": "een heel nieuwe zin", "new_password_again": "een heel nieuwe zin"}
    async with browser_for(app, headers={"Accept-Language": "en"}) as browser:
        await log_in(browser, "anna")
        for number in range(login.WRONG_PASSWORDS_PER_ACCOUNT):
            guess = {**change, "current_password": f"guess {number}"}
            response = await post_form(browser, "/settings", "/settings/password", guess)
            assert response.status_code == 400
        right = {**change, "current_password": PASSWORD}
        response = await post_form(browser, "/settings", "/settings/password", right)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "900"
    assert "Too many wrong passwords." in response.text
    async with browser_for(app) as other:
        refused = await post_form(other, "/login", "/login", LOGIN)
    assert refused.status_code == 429  # they count as failed logins from the same address …
    async with browser_at(app, "192.0.2.7") as elsewhere:
        allowed = await post_form(elsewhere, "/login", "/login", LOGIN)
    assert allowed.status_code == 303  # … but lock nobody out elsewhere
    async with database.reading() as session:
        stored = await session.get(Account, resident.id)
    assert stored is not None and await passwords.verify_password(stored.password_hash, PASSWORD)


def let_others_write_during(
    database: Database, monkeypatch: pytest.MonkeyPatch, function: str
) -> list[str]:
    """Make `passwords.<function>` first write in a transaction of its own, within 3 seconds.

    On SQLite that only works when the request holds no write transaction during argon2.
    """
    real = getattr(passwords, function)
    writes: list[str] = []

    async def while_others_write(*arguments: str) -> object:
        async with asyncio.timeout(3), database.transaction() as session:
            session.add(RateLimitHit(key="another request"))
        writes.append(function)
        return await real(*arguments)

    monkeypatch.setattr(passwords, function, while_others_write)
    return writes


async def test_argon2_runs_outside_the_write_transaction(
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks = let_others_write_during(database, monkeypatch, "verify_password")
    await log_in(client, "anna")
    hashes = let_others_write_during(database, monkeypatch, "hash_password")
    new = "een heel nieuwe zin"
    response = await post_form(
        client,
        "/settings",
        "/settings/password",
        {"current_password": PASSWORD, "new_password": new, "new_password_again": new},
    )
    assert response.status_code == 303
    assert (checks, hashes) == (["verify_password", "verify_password"], ["hash_password"])


async def test_login_redirects_only_to_local_pages(
    client: httpx.AsyncClient, resident: Account
) -> None:
    for target, expected in [
        ("/settings", "/settings"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
    ]:
        response = await post_form(client, "/login", "/login", {**LOGIN, "next": target})
        assert response.headers["location"] == expected
        await post_form(client, "/settings", "/logout", {})


async def test_pages_that_need_a_login_send_visitors_to_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/settings")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fsettings"


async def test_language_setting_of_the_account_wins(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    response = await post_form(
        client, "/settings", "/settings/profile", {"display_name": "Anna", "locale": "en"}
    )
    assert response.status_code == 303
    page = await client.get("/settings", headers={"Accept-Language": "nl"})
    assert '<html lang="en">' in page.text


async def test_cookies_are_secure_behind_https(
    settings: Settings, database: Database, resident: Account
) -> None:
    secure_settings = Settings(**{**settings.__dict__, "base_url": "https://buurt.example.nl"})
    app = create_app(secure_settings, database=database)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://buurt.example.nl"
        ) as browser,
    ):
        form_page = await browser.get("/login")
        token = csrf_token_in(form_page.text)
        response = await browser.post("/login", data={"csrf_token": token, **LOGIN})
    assert "secure" in form_page.headers["set-cookie"].lower()
    assert "secure" in response.headers["set-cookie"].lower()
    assert "httponly" in response.headers["set-cookie"].lower()
    assert "max-age=31536000" in form_page.headers["strict-transport-security"]


async def test_another_account_can_log_in_on_the_same_browser(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await make_account(database, "bram")
    await log_in(client, "anna")
    first = client.cookies[SESSION_COOKIE]
    await post_form(client, "/settings", "/logout", {})
    await log_in(client, "bram")
    assert client.cookies[SESSION_COOKIE] != first
    assert "@bram" in (await client.get("/settings")).text
