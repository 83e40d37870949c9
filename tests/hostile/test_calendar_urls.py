"""Bad input to the calendar URLs and forms: ids, tokens and slugs that are tampered with, too
long, of the wrong alphabet or of someone who left. Each is "not found" (never a server error),
and a form without its CSRF token changes nothing."""

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.core import account_deletion, posts
from buurtnet.db import Database
from buurtnet.models import Account, AccountStatus, CalendarFeed, Visibility
from tests.conftest import browser_for, log_in, write_post
from tests.test_calendars import make_activity, personal_link

BAD_IDS = [
    "abc", "-1", "+1", "0", "1e3", "1.0", "0x10", " 1", "1 ", "99999999999999999999", "2147483648",
    "%00", "1%00", "..", "%2e%2e", "1;2", "1,2",
    "\u00b2", "\u0661", "\U0001d7cf",  # digits to `str.isdigit`, not to the database
]  # fmt: skip
BAD_TOKENS = [
    "", "a", "x" * 42, "x" * 44, "x" * 1000, "+" * 43, "/" * 43, "." * 43, "=" * 43,
    "é" * 43, "%41" * 43, "x" * 42 + "%00", "x" * 42 + "!", " " + "x" * 42,
    "../../../etc/passwd", "0" * 64,
]  # fmt: skip
BAD_SLUGS = ["nergens", "VOGELWIJK-", "vogelwijk%00", "%2e%2e", "é", "x" * 500, "vogelwijk.ics"]


async def not_found(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404, (path, response.status_code)
    assert "text/calendar" not in response.headers.get("content-type", "")


async def test_tampered_activity_ids_are_not_found(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    activity = await make_activity(database, resident)
    message = await write_post(
        database, resident, "Gewoon een bericht", visibility=Visibility.PUBLIC
    )
    assert (await client.get(f"/events/{activity.id}.ics")).status_code == 200
    for bad in [*BAD_IDS, f"{activity.id}.ics", f"0{activity.id}x", str(message.id)]:
        await not_found(client, f"/events/{bad}.ics")
    async with database.transaction() as session:
        await posts.delete_post(session, resident, activity.id or 0)
    await not_found(client, f"/events/{activity.id}.ics")


async def test_tokens_of_the_wrong_length_or_alphabet_are_not_found(
    app: Starlette, client: httpx.AsyncClient, resident: Account
) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        link = await personal_link(anna)
    token = link.removeprefix("/calendar/").removesuffix(".ics")
    assert (await client.get(link)).status_code == 200
    tampered = [
        token[:-1],
        token + "A",
        token.upper() if token.upper() != token else token.lower(),
        token[:-1] + ("B" if token[-1] != "B" else "C"),
        token.swapcase(),
    ]
    for bad in [*BAD_TOKENS, *tampered]:
        await not_found(client, f"/calendar/{bad}.ics")
    await not_found(client, f"/calendar/{token}")
    await not_found(client, f"/calendar/{token}.ICS")
    await not_found(client, f"/calendar/{token}.ics.ics")


@pytest.mark.parametrize("leaving", ["deleted", "rejected"])
async def test_the_token_of_someone_who_left_is_not_found(
    app: Starlette, client: httpx.AsyncClient, database: Database, resident: Account, leaving: str
) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        link = await personal_link(anna)
    async with database.transaction() as session:
        stored = await session.get(Account, resident.id)
        assert stored is not None
        if leaving == "deleted":
            await account_deletion.delete_account(session, stored)
        else:
            stored.status = AccountStatus.REJECTED
    await not_found(client, link)


async def test_unknown_neighbourhoods_are_not_found(
    client: httpx.AsyncClient, resident: Account
) -> None:
    assert (await client.get("/n/vogelwijk/calendar.ics")).status_code == 200
    for slug in BAD_SLUGS:
        await not_found(client, f"/n/{slug}/calendar.ics")
        assert (await client.get(f"/n/{slug}/calendar")).status_code == 404


async def test_the_forms_need_their_csrf_token_and_a_login(
    app: Starlette, database: Database, resident: Account
) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        for action in ("/settings/calendar", "/settings/calendar/stop"):
            assert (await anna.post(action, data={})).status_code == 403
            assert (await anna.post(action, data={"csrf_token": "x" * 64})).status_code == 403
        assert await feeds(database) == 0
        await personal_link(anna)
        assert (await anna.post("/settings/calendar/stop", data={})).status_code == 403
        assert await feeds(database) == 1
    async with browser_for(app) as visitor:
        for action in ("/settings/calendar", "/settings/calendar/stop"):
            response = await visitor.post(action, data={})
            assert response.status_code in (303, 403), (action, response.status_code)
            assert response.status_code == 403 or response.headers["location"].startswith("/login")
    assert await feeds(database) == 1


async def feeds(database: Database) -> int:
    async with database.reading() as session:
        return len((await session.exec(select(CalendarFeed))).all())
