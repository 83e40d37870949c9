"""Moderators choose how followers elsewhere get in, and let them in or refuse them."""

import httpx
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.models import Account, Duty, Neighbourhood, NeighbourhoodFollower
from tests.conftest import BASE_URL, log_in, make_account, post_form
from tests.kit.as2 import follow_of
from tests.kit.federation import deliver, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB

PAGE = "/moderation/followers"


async def followers(database: Database) -> list[NeighbourhoodFollower]:
    async with database.reading() as session:
        return list((await session.exec(select(NeighbourhoodFollower))).all())


async def test_a_moderator_lets_a_waiting_follower_in(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    neighbourhood: Neighbourhood,
    network: FakeNetwork,
) -> None:
    await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    await log_in(client, "mila")
    chosen = await post_form(
        client, PAGE, f"{PAGE}/{neighbourhood.id}/approval", {"approval": "moderator"}
    )
    assert chosen.status_code == 303
    group = f"{BASE_URL}/n/{neighbourhood.slug}"
    assert (
        await deliver(client, BOB, follow_of(BOB, group), f"/n/{neighbourhood.slug}/inbox")
    ).status_code == 202
    await run_queue(app)
    [waiting] = await followers(database)
    assert not waiting.accepted and network.activities("Accept") == []
    page = await client.get(PAGE)
    assert "@bob@social.example" in page.text
    let_in = await post_form(
        client, PAGE, f"{PAGE}/{neighbourhood.id}/{waiting.account_id}/accept", {}
    )
    assert let_in.status_code == 303
    await run_queue(app)
    [accepted] = await followers(database)
    assert accepted.accepted
    [accept] = network.activities("Accept")
    assert accept["actor"] == group and accept["object"]["id"] == waiting.uri


async def test_a_refused_follower_is_told_and_removed(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    neighbourhood: Neighbourhood,
    network: FakeNetwork,
) -> None:
    async with database.transaction() as session:
        stored = await session.get(Neighbourhood, neighbourhood.id)
        assert stored is not None
        stored.approves_remote_followers = True
    await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    group = f"{BASE_URL}/n/{neighbourhood.slug}"
    await deliver(client, BOB, follow_of(BOB, group))
    await run_queue(app)
    [waiting] = await followers(database)
    await log_in(client, "mila")
    refused = await post_form(
        client, PAGE, f"{PAGE}/{neighbourhood.id}/{waiting.account_id}/refuse", {}
    )
    assert refused.status_code == 303
    await run_queue(app)
    assert await followers(database) == []
    [reject] = network.activities("Reject")
    assert reject["object"]["actor"] == BOB.id


async def test_a_resident_cannot_decide(
    client: httpx.AsyncClient, resident: Account, neighbourhood: Neighbourhood
) -> None:
    await log_in(client, "anna")
    assert (await client.get(PAGE)).status_code == 403
