"""Finding and following someone on another server from the search page."""

import httpx
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.models import Account, FollowRequest
from tests.conftest import log_in, post_form
from tests.kit.federation import run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB


async def test_an_address_elsewhere_leads_to_a_profile_that_can_be_followed(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await log_in(client, "anna")
    found = await client.get("/search", params={"q": "@bob@social.example"})
    assert found.status_code == 303
    assert found.headers["location"] == "/@bob@social.example"
    profile = await client.get("/@bob@social.example")
    assert profile.status_code == 200
    assert "@bob@social.example" in profile.text
    assert 'href="https://social.example/@bob"' in profile.text
    followed = await post_form(client, "/@bob@social.example", "/@bob@social.example/follow", {})
    assert followed.status_code == 303
    await run_queue(app)
    async with database.reading() as session:
        [request] = (await session.exec(select(FollowRequest))).all()
    [follow] = network.activities("Follow")
    assert follow["id"] == request.uri and follow["object"] == BOB.id
    waiting = await client.get("/@bob@social.example")
    assert "not said yes yet" in waiting.text or "nog geen ja gezegd" in waiting.text
    taken_back = await post_form(
        client, "/@bob@social.example", "/@bob@social.example/unfollow", {}
    )
    assert taken_back.status_code == 303
    await run_queue(app)
    [undo] = network.activities("Undo")
    assert undo["object"]["id"] == request.uri


async def test_an_unknown_address_says_so(
    client: httpx.AsyncClient, resident: Account, network: FakeNetwork
) -> None:
    await log_in(client, "anna")
    page = await client.get("/search", params={"q": "@nobody@nowhere.example"})
    assert page.status_code == 200
    assert "could not find this address" in page.text or "konden dit adres niet vinden" in page.text
