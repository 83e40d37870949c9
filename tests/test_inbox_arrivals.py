"""What the inbox takes on trust from memory, the transaction confirms: keys kept, suspensions
and changed keys, and activities that arrive together."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.core import remote_posts
from buurtnet.db import Database
from buurtnet.federation import verify
from buurtnet.federation.context import Federation
from buurtnet.models import Account, Job, Post, ReceivedActivity, RemoteDomain, utcnow
from buurtnet.moderation import domain_blocks
from tests.conftest import BASE_URL, add_follow
from tests.kit.as2 import create, follow_of, note
from tests.kit.federation import account_of, deliver, meet, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB, RemoteActor, key_pair
from tests.test_inbox import count

ANNA = f"{BASE_URL}/users/anna"


@pytest.fixture
async def known(client: httpx.AsyncClient, network: FakeNetwork) -> None:
    """Bob has sent us something (a type we do not handle): his key is known, and kept."""
    await meet(client, BOB)


async def test_a_key_that_verified_lately_is_checked_without_a_look_up(
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    known: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def no_look_up(*_arguments: object) -> None:
        raise AssertionError("the key was looked up again")

    monkeypatch.setattr(verify, "look_up_sender", no_look_up)
    assert (await deliver(client, BOB, follow_of(BOB, ANNA))).status_code == 202
    assert await count(database, Job) == 1  # the follow's (a ping is kept, not a job)


async def test_a_kept_key_is_forgotten_only_when_a_signature_fails_with_it(
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    known: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    look_ups: list[str] = []
    real_look_up = verify.look_up_sender

    async def counted(federation: Federation, actor_id: str, key_id: str) -> Account | None:
        look_ups.append(key_id)
        return await real_look_up(federation, actor_id, key_id)

    monkeypatch.setattr(verify, "look_up_sender", counted)
    stale = utcnow() - timedelta(hours=2)
    replayed = await deliver(client, BOB, follow_of(BOB, ANNA, number=2), now=stale)
    assert replayed.status_code == 401
    assert (await deliver(client, BOB, follow_of(BOB, ANNA))).status_code == 202
    assert look_ups == []  # a stale date says nothing about the key: still kept
    forged = RemoteActor("bob", key_number=1)  # Bob's key id, another key
    assert (await deliver(client, forged, follow_of(BOB, ANNA, number=3))).status_code == 401
    assert look_ups == [BOB.key_id]  # a bad signature: forgotten, and looked up afresh


async def test_a_server_suspended_after_its_key_was_kept_is_refused_at_once(
    client: httpx.AsyncClient, database: Database, known: None
) -> None:
    async with database.transaction() as session:
        await domain_blocks.suspend(session, "social.example")  # by the command line, say
    received, queued = await count(database, ReceivedActivity), await count(database, Job)
    response = await deliver(client, BOB, follow_of(BOB, ANNA))
    assert response.status_code == 403
    assert "federate" in response.json()["error"]
    assert (await count(database, ReceivedActivity), await count(database, Job)) == (
        received,
        queued,
    )


async def test_a_kept_key_that_is_no_longer_the_signers_counts_no_more(
    app: Starlette, client: httpx.AsyncClient, database: Database, known: None
) -> None:
    """Bob's server told another process of ours (a worker) of a new key, and dropped the old."""
    async with database.transaction() as session:
        bob = (await session.exec(select(Account).where(Account.actor_uri == BOB.id))).one()
        bob.public_key_pem = key_pair(4)[1]
    with_old_key = await deliver(client, BOB, follow_of(BOB, ANNA))
    assert with_old_key.status_code == 401
    federation: Federation = app.state.federation
    assert federation.known_keys.get(BOB.key_id) is None
    with_new_key = RemoteActor("bob", key_number=4)
    assert (await deliver(client, with_new_key, follow_of(BOB, ANNA, 2))).status_code == 202
    assert await count(database, ReceivedActivity) == 1  # the second follow (a ping is kept)


async def test_the_same_activity_twice_at_once_is_processed_once(
    client: httpx.AsyncClient, database: Database, known: None
) -> None:
    activity = follow_of(BOB, ANNA)
    answers = await asyncio.gather(*(deliver(client, BOB, activity) for _ in range(3)))
    assert [answer.status_code for answer in answers] == [202, 202, 202]
    assert await count(database, Job) == 1  # one follow's


async def test_posts_that_arrive_together_share_transactions_and_are_all_stored(
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    known: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await add_follow(database, resident, await account_of(database, BOB))
    transactions = 0
    transaction = database.transaction

    @contextlib.asynccontextmanager
    async def counted() -> AsyncIterator[Any]:
        nonlocal transactions
        transactions += 1
        async with transaction() as session:
            yield session

    monkeypatch.setattr(database, "transaction", counted)
    creates = [create(BOB, note(BOB, number)) for number in range(10)]
    answers = await asyncio.gather(*(deliver(client, BOB, item) for item in creates))
    assert {answer.status_code for answer in answers} == {202}
    async with database.reading() as session:
        stored = (await session.exec(select(Post.uri).where(Post.author_id != resident.id))).all()
    assert sorted(stored, key=str) == sorted(item["object"]["id"] for item in creates)
    assert transactions < len(creates)
    assert await count(database, Job) == 0  # the posts needed none


async def test_an_activity_from_a_failing_server_lets_deliveries_to_it_start_again(
    client: httpx.AsyncClient, database: Database, network: FakeNetwork
) -> None:
    async with database.transaction() as session:
        since = utcnow() - timedelta(days=2)
        session.add(
            RemoteDomain(
                domain="social.example", failures=12, failing_since=since, unavailable=True
            )
        )
    assert (await deliver(client, BOB, follow_of(BOB, ANNA))).status_code == 202
    async with database.reading() as session:
        found = await session.get_one(RemoteDomain, "social.example")
    assert (found.failures, found.failing_since, found.unavailable) == (0, None, False)


async def test_a_post_that_cannot_be_stored_costs_the_others_nothing(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    known: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its batch is written again one at a time, each by a job: the bad one stays for a retry."""
    await run_queue(app)
    await add_follow(database, resident, await account_of(database, BOB))
    store = remote_posts.store_remote_post

    async def store_unless_bad(session: Any, author: Account, incoming: Any) -> remote_posts.Stored:
        if incoming.uri.endswith("/statuses/2"):
            raise IntegrityError("INSERT", {}, Exception("a broken row"))
        return await store(session, author, incoming)

    monkeypatch.setattr(remote_posts, "store_remote_post", store_unless_bad)
    creates = [create(BOB, note(BOB, number)) for number in range(4)]
    answers = await asyncio.gather(*(deliver(client, BOB, item) for item in creates))
    assert {answer.status_code for answer in answers} == {202}
    assert await count(database, ReceivedActivity) == 4  # every Create (a ping is kept)
    await run_queue(app)
    async with database.reading() as session:
        stored = (await session.exec(select(Post.uri).where(Post.author_id != resident.id))).all()
        left = (await session.exec(select(Job))).all()
    assert sorted(stored, key=str) == [f"{BOB.id}/statuses/{number}" for number in (0, 1, 3)]
    assert [json.loads(job.payload)["activity"]["object"]["id"] for job in left] == [
        f"{BOB.id}/statuses/2"
    ]
