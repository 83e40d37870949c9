"""Values from other servers that once broke the inbox, a job or a page: each is now answered with
a 4xx, dropped, or kept without the bad part, on SQLite and PostgreSQL alike; never a 500, a
job tried again and again, or a link that leaves its path."""

import json

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet import paths
from buurtnet.db import Database
from buurtnet.federation.uris import PUBLIC
from buurtnet.models import Account, Follow, Job, Like, Post, Visibility
from tests.conftest import BASE_URL, add_follow, log_in, post_form, write_post
from tests.kit.as2 import create, like_of, note, undo_of, update_of
from tests.kit.federation import account_of, deliver, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB


async def remote_post(database: Database, uri: str) -> Post | None:
    async with database.reading() as session:
        return (await session.exec(select(Post).where(col(Post.uri) == uri))).first()


async def jobs_left(database: Database) -> list[Job]:
    async with database.reading() as session:
        return list((await session.exec(select(Job))).all())


@pytest.fixture
async def bob_followed(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    """Bob, met (his first post) and followed by Anna: what he posts concerns us."""
    assert (await deliver(client, BOB, create(BOB, note(BOB, 100)))).status_code == 202
    await add_follow(database, resident, await account_of(database, BOB))


async def test_an_unsigned_activity_with_objects_in_to_gets_401_not_500(
    client: httpx.AsyncClient, network: FakeNetwork
) -> None:
    body = json.dumps({"type": "Create", "to": [{"id": PUBLIC}], "cc": [["x"]]}).encode()
    response = await client.post(
        "/inbox", content=body, headers={"Content-Type": "application/activity+json"}
    )
    assert response.status_code == 401
    assert "signature" in response.json()["error"]
    assert network.fetched == []


async def test_addresses_given_as_objects_and_links_are_read_by_their_id(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    bob_followed: None,
) -> None:
    item = note(
        BOB,
        1,
        to=[{"type": "Link", "href": PUBLIC}],
        cc=[{"id": BOB.followers, "type": "Collection"}, 42, None, ["nested"]],
    )
    assert (await deliver(client, BOB, create(BOB, item))).status_code == 202
    await run_queue(app)
    stored = await remote_post(database, item["id"])
    assert stored is not None and stored.visibility == Visibility.PUBLIC
    assert await jobs_left(database) == []


async def test_an_activity_id_longer_than_our_column_is_refused_with_400(
    client: httpx.AsyncClient, database: Database, network: FakeNetwork
) -> None:
    item = note(BOB, 1, id=f"{BOB.id}/statuses/" + "1" * 480)  # 501 to 2,048: over the column
    response = await deliver(client, BOB, create(BOB, item))
    assert response.status_code == 400
    assert "longer than 500" in response.json()["error"]
    assert await jobs_left(database) == []


async def test_a_reply_to_an_id_longer_than_our_column_is_refused_with_the_reason(
    app: Starlette, client: httpx.AsyncClient, database: Database, bob_followed: None
) -> None:
    item = note(BOB, 1, inReplyTo=f"{BOB.id}/statuses/" + "9" * 600)
    response = await deliver(client, BOB, create(BOB, item))
    assert response.status_code == 400
    assert "Note cannot be read" in response.json()["error"]
    assert "inReplyTo" in response.json()["error"]
    await run_queue(app)
    assert await remote_post(database, item["id"]) is None
    assert await jobs_left(database) == []


async def test_a_page_url_longer_than_our_column_is_left_out(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    bob_followed: None,
) -> None:
    item = note(BOB, 2, url="https://social.example/@bob/" + "2" * 600)
    assert (await deliver(client, BOB, create(BOB, item))).status_code == 202
    await run_queue(app)
    stored = await remote_post(database, item["id"])
    assert stored is not None and stored.url is None
    assert await jobs_left(database) == []


@pytest.mark.parametrize(
    "post_url",
    [f"{BASE_URL}/posts/999999999999999999", f"{BASE_URL}/users/anna/statuses/2147483648"],
    ids=["18 digits", "2**31"],
)
async def test_likes_of_post_numbers_beyond_the_column_are_dropped(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    post_url: str,
) -> None:
    like = like_of(BOB, post_url)
    undo = undo_of(BOB, like)
    reply = create(BOB, note(BOB, 3, inReplyTo=post_url))
    for activity in (like, undo, reply):
        assert (await deliver(client, BOB, activity)).status_code == 202
    await run_queue(app)
    assert await jobs_left(database) == []  # none failed, none waits to be tried again
    async with database.reading() as session:
        assert (await session.exec(select(Like))).all() == []


async def test_nul_characters_are_stripped_from_what_is_stored(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    bob_followed: None,
) -> None:
    hashtag = {"type": "Hashtag", "name": "#bu\x00ren"}
    item = note(BOB, 2, type="Article", name="Op\x00ruimen", summary="Let\x00 op", tag=[hashtag])
    profile = {**BOB.document(), "name": "Bob\x00", "summary": "<p>Hal\x00lo</p>"}
    for activity in (create(BOB, item), update_of(BOB, profile)):
        assert (await deliver(client, BOB, activity)).status_code == 202
    await run_queue(app)
    assert await jobs_left(database) == []
    stored = await remote_post(database, item["id"])
    assert stored is not None
    assert "\x00" not in stored.content_html + stored.summary + stored.source
    assert "Opruimen" in stored.content_html and stored.summary == "Let op"
    async with database.reading() as session:
        bob = (await session.exec(select(Account).where(Account.actor_uri == BOB.id))).one()
    assert (bob.display_name, bob.bio) == ("Bob", "Hallo")


async def test_one_bad_attachment_costs_only_itself(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    bob_followed: None,
) -> None:
    photo = "https://social.example/media/stoel.png"
    attachments = [
        {"type": "Image", "mediaType": "image/png", "url": "ftp://social.example/x.png"},
        {"type": "Image", "mediaType": "image/png", "url": photo, "name": "Een stoel"},
    ]
    item = note(BOB, 2, attachment=attachments)
    assert (await deliver(client, BOB, create(BOB, item))).status_code == 202
    await run_queue(app)
    stored = await remote_post(database, item["id"])
    assert stored is not None and "Goedemorgen" in stored.content_html
    assert photo in network.fetched  # the good one was fetched (here: 404, so it is a link)
    assert "ftp://" not in stored.content_html


def test_names_cannot_leave_their_path_segment() -> None:
    assert paths.profile("bob@social.example") == "/@bob@social.example"
    assert paths.profile("x<b>ss/../../admin?q=1#") == "/@x%3Cb%3Ess%2F..%2F..%2Fadmin%3Fq%3D1%23"
    assert paths.hashtag("../../settings/delete") == "/tags/..%2F..%2Fsettings%2Fdelete"
    assert paths.relation("a/b", "block") == "/@a%2Fb/block"


async def test_a_stored_name_with_a_slash_still_links_inside_its_profile(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    """Accounts stored before names were checked: their links are encoded, not followed."""
    async with database.transaction() as session:
        odd = Account(
            username="x/../../admin",
            username_key="x/../../admin@social.example",
            domain="social.example",
            actor_uri="https://social.example/users/odd",
        )
        session.add(odd)
    async with database.transaction() as session:
        session.add(Follow(follower_id=odd.id or 0, followed_id=resident.id or 0))
    await log_in(client, "anna")
    page = await client.get("/notifications")
    assert 'href="/admin' not in page.text
    await write_post(database, resident, "Hallo #buren")
    home = await client.get("/")
    assert 'href="/tags/buren"' in home.text


async def test_following_someone_elsewhere_returns_to_their_profile(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    await deliver(client, BOB, create(BOB, note(BOB, 1)))  # to meet Bob
    async with database.transaction() as session:
        session.add(Account(username="bob", username_key="bob", email="bob@example.org"))
    await log_in(client, "anna")
    followed = await post_form(client, "/@bob@social.example", "/@bob@social.example/follow", {})
    assert followed.status_code == 303
    assert followed.headers["location"] == "/@bob@social.example"  # not the local bob
