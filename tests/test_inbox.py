"""The inboxes: signed activities from other servers are checked, queued once and handled."""

import json
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import col, func, select
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.models import (
    Account,
    Follow,
    FollowRequest,
    Job,
    Notification,
    NotificationKind,
    Post,
    ReceivedActivity,
    Visibility,
)
from tests.conftest import BASE_URL, add_follow, log_in, write_post
from tests.kit.as2 import accept_of, announce_of, create, follow_of, note, undo_of
from tests.kit.federation import account_of, deliver, meet, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB, RemoteActor


async def count(database: Database, table: type[Any]) -> int:
    async with database.reading() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


async def stored_remote_posts(database: Database) -> list[Post]:
    async with database.reading() as session:
        return list((await session.exec(select(Post).where(col(Post.uri).is_not(None)))).all())


async def test_an_unsigned_post_is_refused_and_leaves_no_trace(
    client: httpx.AsyncClient, database: Database, network: FakeNetwork
) -> None:
    body = json.dumps(follow_of(BOB, f"{BASE_URL}/users/anna")).encode()
    response = await client.post(
        "/users/anna/inbox", content=body, headers={"Content-Type": "application/activity+json"}
    )
    assert response.status_code == 401
    assert "signature" in response.json()["error"]
    assert await count(database, ReceivedActivity) == 0
    assert await count(database, Job) == 0
    assert network.fetched == []


async def test_a_follow_is_accepted_and_the_resident_told(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    response = await deliver(
        client, BOB, follow_of(BOB, f"{BASE_URL}/users/anna"), "/users/anna/inbox"
    )
    assert response.status_code == 202, response.text
    await run_queue(app)
    async with database.reading() as session:
        follows = (await session.exec(select(Follow))).all()
        told = (await session.exec(select(Notification))).all()
    assert [(f.followed_id, f.uri) for f in follows] == [(resident.id, f"{BOB.id}#follows/1")]
    assert [n.kind for n in told] == [NotificationKind.FOLLOW]
    [accept] = network.activities("Accept")
    assert accept["actor"] == f"{BASE_URL}/users/anna"
    assert accept["object"]["id"] == f"{BOB.id}#follows/1"
    assert [post.url for post in network.posted] == [BOB.inbox]


async def test_the_same_activity_twice_is_processed_once(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    activity = follow_of(BOB, f"{BASE_URL}/users/anna")
    for _ in range(2):
        assert (await deliver(client, BOB, activity)).status_code == 202
    assert await count(database, Job) == 1
    await run_queue(app)
    assert len(network.activities("Accept")) == 1


async def test_a_reply_joins_the_thread_and_tells_the_author(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    post = await write_post(database, resident, "Wie helpt zaterdag?", visibility=Visibility.PUBLIC)
    reply = note(
        BOB,
        7,
        inReplyTo=f"{BASE_URL}/users/anna/statuses/{post.id}",
        content="<p>Ik!<script>x()</script></p>",
    )
    assert (await deliver(client, BOB, create(BOB, reply))).status_code == 202
    await run_queue(app)
    [stored] = await stored_remote_posts(database)
    assert stored.in_reply_to_id == post.id
    assert stored.content_html == "<p>Ik!</p>"
    async with database.reading() as session:
        parent = await session.get(Post, post.id)
        kinds = (await session.exec(select(Notification.kind))).all()
    assert parent is not None and parent.reply_count == 1
    assert kinds == [NotificationKind.REPLY]
    page = await client.get(f"/posts/{post.id}")
    assert "Ik!" in page.text and "bob@social.example" in page.text


async def test_a_post_that_concerns_no_one_here_is_not_stored(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    assert (await deliver(client, BOB, create(BOB, note(BOB, 8)))).status_code == 202
    await run_queue(app)
    assert await stored_remote_posts(database) == []


async def test_the_accept_of_our_follow_makes_it_a_follow(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await meet(client, BOB)
    await run_queue(app)
    bob = await account_of(database, BOB)
    assert resident.id is not None and bob.id is not None
    async with database.transaction() as session:
        session.add(
            FollowRequest(
                follower_id=resident.id, followed_id=bob.id, uri=f"{BASE_URL}/users/anna#follows/9"
            )
        )
    accept = accept_of(
        BOB,
        {
            "id": f"{BASE_URL}/users/anna#follows/9",
            "type": "Follow",
            "actor": f"{BASE_URL}/users/anna",
            "object": BOB.id,
        },
    )
    assert (await deliver(client, BOB, accept)).status_code == 202
    await run_queue(app)
    assert await count(database, FollowRequest) == 0
    async with database.reading() as session:
        [follow] = (await session.exec(select(Follow))).all()
    assert (follow.follower_id, follow.followed_id) == (resident.id, bob.id)


async def test_a_followed_group_brings_its_members_posts_into_the_home_feed(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await followed_group_shares(
        app, client, database, resident, network, "<p>Zaden ruilen op zondag</p>"
    )
    [stored] = await stored_remote_posts(database)
    assert stored.share_count == 1
    await log_in(client, "anna")
    home = await client.get("/")
    assert "Zaden ruilen op zondag" in home.text and "@carol@other.example" in home.text


async def test_a_rotated_key_is_fetched_again_once_then_not_for_a_minute(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await meet(client, BOB)
    async with database.transaction() as session:
        bob = (await session.exec(select(Account).where(Account.actor_uri == BOB.id))).one()
        assert bob.fetched_at is not None
        bob.fetched_at -= timedelta(minutes=5)
    rotated = RemoteActor("bob", key_number=4)
    network.add(rotated)  # the server now serves the new key
    fetches = len(network.fetched)
    first = await deliver(client, rotated, follow_of(rotated, f"{BASE_URL}/users/anna", 2))
    assert first.status_code == 202, first.text
    assert len(network.fetched) == fetches + 1
    impostor = RemoteActor("bob", key_number=5)  # a key the server never published
    second = await deliver(client, impostor, follow_of(impostor, f"{BASE_URL}/users/anna", 3))
    assert second.status_code == 401
    assert len(network.fetched) == fetches + 1  # within the cool-down: no fetch at all


async def test_people_elsewhere_get_no_notifications_here(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    """Their own server tells them; a row here would only be read by nobody."""
    reply = note(BOB, 21, content="<p>Hoi Anna</p>")
    await meet(client, BOB)
    await run_queue(app)
    await add_follow(database, resident, await account_of(database, BOB))
    await deliver(client, BOB, create(BOB, reply))
    await run_queue(app)
    [stored] = await stored_remote_posts(database)
    await write_post(database, resident, "Hoi Bob", in_reply_to_id=stored.id)
    async with database.reading() as session:
        assert (await session.exec(select(Notification))).all() == []


async def test_a_group_that_takes_back_its_share_takes_it_out_of_the_feed(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    group, announce = await followed_group_shares(
        app, client, database, resident, network, "<p>Plantjes ruilen</p>"
    )
    assert (await deliver(client, group, undo_of(group, announce))).status_code == 202
    await run_queue(app)
    [stored] = await stored_remote_posts(database)
    assert stored.share_count == 0
    await log_in(client, "anna")
    assert "Plantjes ruilen" not in (await client.get("/")).text


async def followed_group_shares(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    follower: Account,
    network: FakeNetwork,
    content: str,
) -> tuple[RemoteActor, dict[str, Any]]:
    """A group elsewhere that the follower follows announces a post by carol; the Announce."""
    group = network.add(
        RemoteActor("tuinclub", domain="groups.example", kind="Group", key_number=1)
    )
    carol = network.add(RemoteActor("carol", domain="other.example", key_number=2))
    shared = note(carol, 11, content=content, audience=group.id)
    network.serve(shared)
    await meet(client, group)
    await run_queue(app)
    await add_follow(database, follower, await account_of(database, group))
    announce = announce_of(group, shared["id"])
    assert (await deliver(client, group, announce)).status_code == 202
    await run_queue(app)
    return group, announce


async def test_a_post_embedded_by_its_authors_server_is_stored_at_once_without_a_job(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    post = await write_post(
        database, resident, "Wie heeft er een ladder?", visibility=Visibility.PUBLIC
    )
    reply = note(BOB, 41, inReplyTo=f"{BASE_URL}/posts/{post.id}", content="<p>Ik</p>")
    assert (await deliver(client, BOB, create(BOB, reply))).status_code == 202
    [stored] = await stored_remote_posts(database)  # before any job has run
    assert stored.in_reply_to_id == post.id
    assert await count(database, Job) == 0
    by_id = create(BOB, note(BOB, 42)) | {"object": f"{BOB.id}/statuses/42"}
    assert (await deliver(client, BOB, by_id)).status_code == 202
    assert await count(database, Job) == 1  # a post given by id only is fetched by a job


async def test_an_undo_that_names_the_follow_by_id_ends_it(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    follow = follow_of(BOB, f"{BASE_URL}/users/anna")
    await deliver(client, BOB, follow)
    await run_queue(app)
    assert await count(database, Follow) == 1
    assert (await deliver(client, BOB, undo_of(BOB, follow["id"]))).status_code == 202
    await run_queue(app)
    assert await count(database, Follow) == 0
