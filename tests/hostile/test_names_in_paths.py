"""Names in paths with a NUL or another control character: a neighbourhood's slug (`/n/SLUG/…`)
and a resident's username (`/@NAME`, `/users/NAME/…`, WebFinger). No slug or username can hold
one, so each such path is simply not found. PostgreSQL refuses a text with a NUL altogether:
looked up as it came, it was a server error there (run this file on PostgreSQL too)."""

from urllib.parse import quote

import httpx
import pytest
from starlette.applications import Starlette

from buurtnet.core import neighbourhoods, relations
from buurtnet.core.errors import NotFound
from buurtnet.db import Database
from buurtnet.models import Account
from tests.conftest import BASE_URL, browser_for, csrf_token, log_in

# The names as the app receives them; in a path they are percent-encoded (`in_path`).
BAD_NAMES = [
    "\x00", "vogelwijk\x00", "anna\x00", "\x00anna", "an\x00na", "\x00\x00",
    "\x01", "anna\x07", "\x1b[31m", "anna\n", "\r\n", "anna\t", "\x7f", "anna\x85",
]  # fmt: skip
AS2 = {"Accept": "application/activity+json"}
PAGES = [
    "/n/{}",
    "/n/{}/calendar",
    "/n/{}/calendar.ics",
    "/n/{}/invites",
    "/@{}",
    "/@{}/block",
]
ACTORS = [
    "/n/{}",
    "/n/{}/outbox",
    "/n/{}/followers",
    "/users/{}",
    "/@{}",
    "/users/{}/outbox",
    "/users/{}/followers",
    "/users/{}/following",
]


def in_path(template: str, name: str) -> str:
    return template.format(quote(name, safe=""))


async def expect_not_found(client: httpx.AsyncClient, path: str, **options: object) -> None:
    response = await client.get(path, **options)  # type: ignore[arg-type]
    assert response.status_code == 404, (path, response.status_code)


async def test_pages_of_names_with_control_characters_are_not_found(
    app: Starlette, client: httpx.AsyncClient, resident: Account
) -> None:
    assert (await client.get("/n/vogelwijk/calendar.ics")).status_code == 200
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        assert (await anna.get("/@anna")).status_code == 200
        for bad in BAD_NAMES:
            for page in PAGES:
                await expect_not_found(anna, in_path(page, bad))
            for page in ("/n/{}", "/n/{}/calendar", "/n/{}/calendar.ics", "/@{}"):
                await expect_not_found(client, in_path(page, bad))


async def test_actors_and_webfinger_of_names_with_control_characters_are_not_found(
    client: httpx.AsyncClient, resident: Account
) -> None:
    assert (await client.get("/users/anna", headers=AS2)).status_code == 200
    for bad in BAD_NAMES:
        for path in ACTORS:
            await expect_not_found(client, in_path(path, bad), headers=AS2)
        await expect_not_found(client, in_path("/users/{}/statuses/1", bad), headers=AS2)
        for resource in (
            f"acct:{bad}@{BASE_URL.removeprefix('http://')}",
            in_path(BASE_URL + "/users/{}", bad),
            in_path(BASE_URL + "/n/{}", bad),
        ):
            await expect_not_found(client, "/.well-known/webfinger", params={"resource": resource})


async def test_follow_and_block_buttons_for_such_names_find_nobody(
    app: Starlette, resident: Account, neighbour: Account
) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        token = await csrf_token(anna, "/@bram")
        for bad in BAD_NAMES:
            for action in ("follow", "block", "mute"):
                response = await anna.post(
                    in_path(f"/@{{}}/{action}", bad), data={"csrf_token": token}
                )
                assert response.status_code == 404, (bad, action, response.status_code)
        followed = await anna.post("/@bram/follow", data={"csrf_token": token})
        assert followed.status_code == 303, "the same form for a real name works"


@pytest.mark.parametrize(
    "name", ["\x00", "vogelwijk\x00", "anna\x00", "anna\n", "\x7f", "anna\x85"]
)
async def test_the_lookups_themselves_say_not_found(
    database: Database, resident: Account, name: str
) -> None:
    async with database.reading() as session:
        with pytest.raises(NotFound):
            await neighbourhoods.get_by_slug(session, name)
        with pytest.raises(NotFound):
            await relations.active_account_by_username(session, name)
        assert (await relations.active_account_by_username(session, "anna")).id == resident.id
