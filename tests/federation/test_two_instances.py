"""Two buurtnet instances on loopback, A and B, federating with each other as two neighbourhoods'
servers would: following across, posts, replies, a neighbourhood's announces and deletions."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from buurtnet.core import posts, relations
from buurtnet.federation.remote_actors import actor_by_handle
from buurtnet.models import (
    Account,
    Follow,
    Neighbourhood,
    NeighbourhoodFollower,
    Notification,
    NotificationKind,
    Post,
    Share,
    Visibility,
)
from tests.conftest import make_account, write_post
from tests.federation.instances import (
    Instance,
    logged_in,
    make_neighbourhood,
    page_text,
    post_by_uri,
    posts_containing,
    remote_account,
    start_instance,
)
from tests.kit.databases import fresh_database_url, second_template
from tests.kit.waiting import wait_until


@pytest.fixture(scope="session")
def template_b(migrated_template: str) -> str:
    return second_template(migrated_template)


@pytest.fixture
async def a(database_url: str, tmp_path: Path) -> AsyncIterator[Instance]:
    async with start_instance(database_url, tmp_path / "a") as instance:
        yield instance


@pytest.fixture
def database_url_b(template_b: str, tmp_path: Path) -> str:
    return fresh_database_url(template_b, tmp_path / "b")


@pytest.fixture
async def b(database_url_b: str, tmp_path: Path) -> AsyncIterator[Instance]:
    async with start_instance(database_url_b, tmp_path / "b") as instance:
        yield instance


@pytest.fixture
async def vogelwijk(a: Instance) -> Neighbourhood:
    return await make_neighbourhood(a, "vogelwijk", "Vogelwijk")


@pytest.fixture
async def anna(a: Instance, vogelwijk: Neighbourhood) -> Account:
    """A resident on A."""
    return await make_account(a.database, "anna", neighbourhood=vogelwijk)


@pytest.fixture
async def bert(b: Instance) -> Account:
    """A resident on B, in a neighbourhood of B's."""
    return await make_account(
        b.database, "bert", neighbourhood=await make_neighbourhood(b, "bloemwijk", "Bloemwijk")
    )


async def follow_elsewhere(instance: Instance, follower: Account, handle: str) -> Account:
    """The resident follows `@name@host` and waits until the other server accepted."""
    followed = await actor_by_handle(instance.federation, handle)
    assert followed.id is not None
    async with instance.database.transaction() as session:
        await relations.follow(session, follower, followed.id)

    async def accepted() -> bool:
        async with instance.database.reading() as session:
            return await session.get(Follow, (follower.id, followed.id)) is not None

    await wait_until(accepted)
    return followed


async def arrived(instance: Instance, uri: str) -> Post:
    async def stored() -> Post | None:
        return await post_by_uri(instance, uri)

    return await wait_until(stored)


async def test_following_across_servers_brings_posts_replies_and_deletions(
    a: Instance, b: Instance, anna: Account, bert: Account
) -> None:
    anna_on_b = await follow_elsewhere(b, bert, f"@anna@{a.host}")
    assert anna_on_b.actor_uri == a.actor_url("anna")
    assert anna_on_b.handle == f"anna@{a.host}"
    bert_on_a = await remote_account(a, b.actor_url("bert"))
    assert bert_on_a is not None
    async with a.database.reading() as session:
        assert await session.get(Follow, (bert_on_a.id, anna.id)) is not None

    post = await write_post(
        a.database, anna, "Zaterdag snoeien we de heg", visibility=Visibility.PUBLIC
    )
    on_b = await arrived(b, a.post_url("anna", post))
    assert on_b.author_id == anna_on_b.id
    async with logged_in(b, "bert") as browser:
        assert "Zaterdag snoeien we de heg" in await page_text(browser, "/")

    async with b.database.transaction() as session:
        draft = posts.Draft(
            source="Ik neem mijn snoeischaar mee",
            visibility=Visibility.PUBLIC,
            in_reply_to_id=on_b.id,
        )
        answer = await posts.create_post(session, bert, draft)
    reply = await arrived(a, b.post_url("bert", answer))
    assert reply.in_reply_to_id == post.id
    async with a.database.reading() as session:
        found = await session.exec(
            select(Notification).where(col(Notification.kind) == NotificationKind.REPLY)
        )
        told = [(row.recipient_id, row.actor_id, row.post_id) for row in found.all()]
    assert told == [(anna.id, bert_on_a.id, reply.id)]
    async with logged_in(a, "anna") as browser:
        assert f'href="/posts/{reply.id}"' in await page_text(browser, "/notifications")
        assert "Ik neem mijn snoeischaar mee" in await page_text(browser, f"/posts/{post.id}")

    async with a.database.transaction() as session:
        await posts.delete_post(session, anna, post.id or 0)

    async def gone_from_b() -> bool:
        return await post_by_uri(b, a.post_url("anna", post)) is None

    await wait_until(gone_from_b)
    async with logged_in(b, "bert") as browser:
        assert "Zaterdag snoeien we de heg" not in await page_text(browser, "/")


async def test_a_neighbourhood_followed_from_elsewhere_announces_its_posts(
    a: Instance, b: Instance, vogelwijk: Neighbourhood, anna: Account, bert: Account
) -> None:
    group_on_b = await follow_elsewhere(b, bert, f"@vogelwijk@{a.host}")
    assert group_on_b.actor_type == "Group"
    assert group_on_b.actor_uri == a.group_url("vogelwijk")
    bert_on_a = await remote_account(a, b.actor_url("bert"))
    assert bert_on_a is not None
    async with a.database.reading() as session:
        member = await session.get(NeighbourhoodFollower, (vogelwijk.id, bert_on_a.id))
        assert member is not None and member.accepted

    # Bert follows the neighbourhood, not Anna: her post reaches B only as the group's Announce.
    post = await write_post(
        a.database, anna, "Buurtbarbecue op het plein", visibility=Visibility.PUBLIC
    )
    on_b = await arrived(b, a.post_url("anna", post))

    anna_on_b = await remote_account(b, a.actor_url("anna"))
    assert anna_on_b is not None and on_b.author_id == anna_on_b.id

    async def shared_by_the_group() -> bool:
        async with b.database.reading() as session:
            return await session.get(Share, (group_on_b.id, on_b.id)) is not None

    await wait_until(shared_by_the_group)  # stored first, then counted as the group's share
    async with b.database.reading() as session:
        assert await session.get(Follow, (bert.id, anna_on_b.id)) is None
    async with logged_in(b, "bert") as browser:
        assert "Buurtbarbecue op het plein" in await page_text(browser, "/")


async def test_a_neighbourhood_only_post_never_leaves_its_server(
    a: Instance, b: Instance, anna: Account, bert: Account
) -> None:
    await follow_elsewhere(b, bert, f"@anna@{a.host}")
    await follow_elsewhere(b, bert, f"@vogelwijk@{a.host}")

    await write_post(a.database, anna, "Alleen voor de buurt: de sleutel ligt onder de mat")
    # A public post written after it: once that has arrived, the first would have too.
    later = await write_post(a.database, anna, "Voor iedereen", visibility=Visibility.PUBLIC)
    await arrived(b, a.post_url("anna", later))

    assert await posts_containing(b, "de sleutel ligt onder de mat") == []
    assert [found.id for found in await posts_containing(a, "onder de mat")] != []
