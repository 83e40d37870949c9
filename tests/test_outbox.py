"""Every local change that others should hear of becomes the right activity for the right inboxes:
core changes as residents make them, the queue run, and a fake network recording the POSTs."""

from typing import Any

import pytest
from sqlmodel import col, select

from buurtnet.config import Settings
from buurtnet.core import account_deletion, accounts, interactions, outbound, posts, relations
from buurtnet.db import Database
from buurtnet.federation.context import Federation
from buurtnet.federation.remote_actors import actor_by_uri
from buurtnet.federation.uris import PUBLIC
from buurtnet.job_queue import enqueue
from buurtnet.models import (
    Account,
    DomainBlock,
    Follow,
    FollowRequest,
    Job,
    Neighbourhood,
    NeighbourhoodFollower,
    Post,
    RemoteDomain,
    Visibility,
)
from tests.conftest import make_account, write_post
from tests.kit.federation import federation_on, worker_for
from tests.kit.network import FakeNetwork
from tests.kit.remote import RemoteActor

ANNA = "http://testserver/users/anna"
SHARED_INBOX = "https://remote.example/inbox"


@pytest.fixture
def network() -> FakeNetwork:
    return FakeNetwork()


@pytest.fixture
def federation(settings: Settings, database: Database, network: FakeNetwork) -> Federation:
    return federation_on(network, settings, database)


async def remote(
    network: FakeNetwork,
    federation: Federation,
    username: str,
    domain: str = "remote.example",
    *,
    shared: bool = True,
) -> Account:
    """Someone elsewhere, on the fake network, and stored as the inbox side stores them."""
    actor = network.add(RemoteActor(username, domain=domain, shared_inbox=shared))
    return await actor_by_uri(federation, actor.id)


async def follows(database: Database, follower: Account, followed: Account) -> None:
    async with database.transaction() as session:
        session.add(
            Follow(follower_id=follower.id or 0, followed_id=followed.id or 0, uri=f"{follower.id}")
        )


async def remote_post(database: Database, author: Account) -> Post:
    post = Post(
        author_id=author.id or 0,
        visibility=Visibility.PUBLIC,
        uri=f"{author.actor_uri}/statuses/1",
        source="Hoi",
        content_html="<p>Hoi</p>",
    )
    async with database.transaction() as session:
        session.add(post)
    return post


def sent(network: FakeNetwork, kind: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(inbox, activity) of every POST, of one type if asked; the `@context` taken off."""
    found = [(item.url, without_context(item.body)) for item in network.posted]
    return [(url, body) for url, body in found if kind is None or body["type"] == kind]


def without_context(document: dict[str, Any]) -> dict[str, Any]:
    assert document["@context"][0] == "https://www.w3.org/ns/activitystreams"
    return {name: value for name, value in document.items() if name != "@context"}


def key_id(network: FakeNetwork, index: int = 0) -> str:
    header = network.posted[index].headers["signature"]
    return header.split('keyId="')[1].split('"')[0]


async def jobs_named(database: Database, *names: str) -> list[Job]:
    async with database.reading() as session:
        return list((await session.exec(select(Job).where(col(Job.name).in_(names)))).all())


async def test_a_public_post_goes_once_to_each_server_of_the_authors_followers(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    bob, carla = (
        await remote(network, federation, "bob"),
        await remote(network, federation, "carla"),
    )
    dirk = await remote(network, federation, "dirk", "other.example", shared=False)
    for follower in (bob, carla, dirk):
        await follows(database, follower, resident)
    post = await write_post(database, resident, "Hallo #opruimen", visibility=Visibility.PUBLIC)
    await worker_for(federation).run_until_empty()
    creates = sent(network, "Create")
    assert sorted(url for url, _ in creates) == sorted([SHARED_INBOX, dirk.inbox_url or ""])
    create = creates[0][1]
    assert create["actor"] == ANNA
    assert create["id"] == f"{ANNA}/statuses/{post.id}/activity"
    assert create["object"]["to"] == [PUBLIC]
    assert create["object"]["audience"] == "http://testserver/n/vogelwijk"
    assert key_id(network) == ANNA + "#main-key"


async def test_a_followers_only_post_is_not_public(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    await follows(database, await remote(network, federation, "bob"), resident)
    await write_post(database, resident, "Alleen volgers", visibility=Visibility.FOLLOWERS)
    await worker_for(federation).run_until_empty()
    [(url, create)] = sent(network)
    assert url == SHARED_INBOX
    assert create["to"] == [f"{ANNA}/followers"]
    assert PUBLIC not in create["cc"]
    assert "audience" not in create["object"]


async def test_a_reply_reaches_the_author_answered_and_a_direct_one_only_them(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    bob = await remote(network, federation, "bob", "bob.example")
    await follows(database, await remote(network, federation, "carla"), resident)
    parent = await remote_post(database, bob)
    await write_post(
        database, resident, "Eens!", visibility=Visibility.PUBLIC, in_reply_to_id=parent.id
    )
    await worker_for(federation).run_until_empty()
    [(to_bob, reply), (to_carla, _)] = sorted(sent(network), key=lambda pair: pair[0])
    assert (to_bob, to_carla) == ("https://bob.example/inbox", SHARED_INBOX)
    assert reply["object"]["inReplyTo"] == parent.uri
    assert bob.actor_uri in reply["object"]["cc"]
    assert {"type": "Mention", "href": bob.actor_uri, "name": "@bob@bob.example"} in reply[
        "object"
    ]["tag"]

    network.posted.clear()
    await write_post(
        database, resident, "Onder ons", visibility=Visibility.DIRECT, in_reply_to_id=parent.id
    )
    await worker_for(federation).run_until_empty()
    [(url, direct)] = sent(network)
    assert url == "https://bob.example/inbox"
    assert direct["to"] == [bob.actor_uri] and direct["cc"] == []


async def test_a_public_post_is_announced_by_its_neighbourhood_to_the_groups_followers(
    database: Database,
    federation: Federation,
    network: FakeNetwork,
    resident: Account,
    neighbourhood: Neighbourhood,
) -> None:
    lemmy = await remote(network, federation, "lemmy", "lemmy.example")
    async with database.transaction() as session:
        session.add(
            NeighbourhoodFollower(
                neighbourhood_id=neighbourhood.id or 0,
                account_id=lemmy.id or 0,
                uri="f",
                accepted=True,
            )
        )
        pending = Account(username="eve", username_key="eve@eve.example", domain="eve.example")
        pending.actor_uri, pending.inbox_url = "https://eve.example/eve", "https://eve.example/i"
        session.add(pending)
        await session.flush()
        session.add(
            NeighbourhoodFollower(
                neighbourhood_id=neighbourhood.id or 0, account_id=pending.id or 0, uri="g"
            )
        )
    post = await write_post(database, resident, "Opruimdag zaterdag", visibility=Visibility.PUBLIC)
    await worker_for(federation).run_until_empty()
    group = "http://testserver/n/vogelwijk"
    announces = sent(network, "Announce")
    assert {url for url, _ in announces} == {"https://lemmy.example/inbox"}
    shared = sorted((body["object"]["type"], body) for _, body in announces)
    (create_kind, of_create), (note_kind, of_note) = shared
    assert (create_kind, note_kind) == ("Create", "Note")
    for announce in (of_create, of_note):
        assert announce["actor"] == group
        assert announce["to"] == [PUBLIC]
        assert announce["cc"] == [group + "/followers", ANNA]
    assert of_note["object"]["id"] == f"{ANNA}/statuses/{post.id}"
    assert of_create["object"]["object"]["audience"] == group
    group_keys = {key_id(network, index) for index, item in enumerate(network.posted)}
    assert group + "#main-key" in group_keys
    assert sent(network, "Create") == []  # anna has no followers elsewhere


async def test_an_edit_goes_out_as_an_update_and_a_deletion_as_a_tombstone(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    await follows(database, await remote(network, federation, "bob"), resident)
    post = await write_post(database, resident, "Eerst", visibility=Visibility.PUBLIC)
    assert post.id is not None
    async with database.transaction() as session:
        await posts.edit_post(session, resident, post.id, posts.Draft(source="Daarna"))
    await worker_for(federation).run_until_empty()
    [(url, update)] = sent(network, "Update")
    assert url == SHARED_INBOX
    assert update["object"]["updated"] is not None
    assert "Daarna" in update["object"]["content"]
    assert update["id"] != sent(network, "Create")[0][1]["id"]

    async with database.transaction() as session:
        await posts.delete_post(session, resident, post.id)
    await worker_for(federation).run_until_empty()
    [(url, delete)] = sent(network, "Delete")
    assert url == SHARED_INBOX
    assert delete["object"] == {"id": f"{ANNA}/statuses/{post.id}", "type": "Tombstone"}
    assert delete["to"] == [PUBLIC]


async def test_neighbourhood_only_posts_never_leave_the_instance(
    database: Database,
    federation: Federation,
    network: FakeNetwork,
    resident: Account,
    neighbour: Account,
    neighbourhood: Neighbourhood,
) -> None:
    bob = await remote(network, federation, "bob")
    for local in (resident, neighbour):
        await follows(database, bob, local)
    async with database.transaction() as session:
        session.add(
            NeighbourhoodFollower(
                neighbourhood_id=neighbourhood.id or 0,
                account_id=bob.id or 0,
                uri="f",
                accepted=True,
            )
        )
    post = await write_post(
        database, resident, "Alleen de buurt", visibility=Visibility.NEIGHBOURHOOD
    )
    assert post.id is not None
    async with database.transaction() as session:
        await posts.edit_post(session, resident, post.id, posts.Draft(source="Nog steeds"))
        await interactions.like(session, neighbour, post.id)
        await interactions.share(session, neighbour, post.id)
    async with database.transaction() as session:
        await interactions.unlike(session, neighbour, post.id)
        await interactions.unshare(session, neighbour, post.id)
        await posts.delete_post(session, resident, post.id)
    assert await jobs_named(database, *HANDLED) == []
    # Even a job that names such a post (a bug elsewhere, an old payload) sends nothing.
    post = await write_post(
        database, resident, "Weer de buurt", visibility=Visibility.NEIGHBOURHOOD
    )
    async with database.transaction() as session:
        enqueue(session, outbound.POST_CREATED, {"post_id": post.id})
        enqueue(session, outbound.POST_EDITED, {"post_id": post.id})
        fact = {"post_id": post.id, "author_id": resident.id, "author_username": "anna"}
        enqueue(session, outbound.POST_DELETED, {**fact, "visibility": "neighbourhood"})
        share = {"account_id": neighbour.id, "post_id": post.id, "author_id": resident.id}
        enqueue(session, outbound.SHARED, {**share, "post_uri": None, "at": "2026-12-01T10:00:00"})
    await worker_for(federation).run_until_empty()
    assert network.posted == []


HANDLED = (
    outbound.POST_CREATED,
    outbound.POST_EDITED,
    outbound.POST_DELETED,
    outbound.LIKED,
    outbound.UNLIKED,
    outbound.SHARED,
    outbound.UNSHARED,
)


async def test_a_like_goes_to_the_posts_author_and_its_undo_names_it(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    bob = await remote(network, federation, "bob", "bob.example", shared=False)
    post = await remote_post(database, bob)
    assert post.id is not None
    async with database.transaction() as session:
        await interactions.like(session, resident, post.id)
    async with database.transaction() as session:
        await interactions.unlike(session, resident, post.id)
    await worker_for(federation).run_until_empty()
    [(url, like)] = sent(network, "Like")
    [(undo_url, undo)] = sent(network, "Undo")
    assert url == undo_url == bob.inbox_url
    assert (like["actor"], like["object"]) == (ANNA, post.uri)
    assert undo["object"] == like
    # A like of a post from here is nobody's news elsewhere.
    own = await write_post(database, resident, "Eigen", visibility=Visibility.PUBLIC)
    async with database.transaction() as session:
        await interactions.like(session, resident, own.id or 0)
    assert await jobs_named(database, outbound.LIKED) == []


async def test_a_share_goes_to_the_sharers_followers_and_the_author(
    database: Database,
    federation: Federation,
    network: FakeNetwork,
    resident: Account,
    neighbour: Account,
) -> None:
    await follows(database, await remote(network, federation, "bob"), neighbour)
    bob_post = await remote_post(
        database, await remote(network, federation, "carla", "carla.example")
    )
    own = await write_post(database, resident, "Deel mij", visibility=Visibility.PUBLIC)
    network.posted.clear()
    async with database.transaction() as session:
        await interactions.share(session, neighbour, own.id or 0)
        await interactions.share(session, neighbour, bob_post.id or 0)
    async with database.transaction() as session:
        await interactions.unshare(session, neighbour, own.id or 0)
    await worker_for(federation).run_until_empty()
    announces = sent(network, "Announce")
    local_share = [body for _, body in announces if body["object"] == f"{ANNA}/statuses/{own.id}"]
    assert [url for url, body in announces if body in local_share] == [SHARED_INBOX]
    assert local_share[0]["cc"] == ["http://testserver/users/bram/followers", ANNA]
    remote_share = sorted(url for url, body in announces if body["object"] == bob_post.uri)
    assert remote_share == ["https://carla.example/inbox", SHARED_INBOX]
    [(_, undo)] = sent(network, "Undo")
    assert undo["object"] == local_share[0]


async def test_following_someone_elsewhere_asks_and_unfollowing_takes_it_back(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    bob = await remote(network, federation, "bob", shared=False)
    assert bob.id is not None
    async with database.transaction() as session:
        await relations.follow(session, resident, bob.id)
        assert await session.get(Follow, (resident.id, bob.id)) is None
    await worker_for(federation).run_until_empty()
    [(url, follow)] = sent(network, "Follow")
    assert url == bob.inbox_url
    assert (follow["actor"], follow["object"]) == (ANNA, bob.actor_uri)
    async with database.reading() as session:
        request = await session.get(FollowRequest, (resident.id, bob.id))
    assert request is not None and request.uri == follow["id"]
    assert follow["id"].startswith(ANNA + "#follows/")

    async with database.transaction() as session:
        await relations.unfollow(session, resident, bob.id)
    await worker_for(federation).run_until_empty()
    [(_, undo)] = sent(network, "Undo")
    assert undo["object"] == follow
    async with database.reading() as session:
        assert await session.get(FollowRequest, (resident.id, bob.id)) is None


async def test_an_accepted_follow_is_undone_by_its_id(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    bob = await remote(network, federation, "bob")
    async with database.transaction() as session:
        session.add(
            Follow(follower_id=resident.id or 0, followed_id=bob.id or 0, uri=ANNA + "#follows/1")
        )
    async with database.transaction() as session:
        await relations.unfollow(session, resident, bob.id or 0)
    await worker_for(federation).run_until_empty()
    [(_, undo)] = sent(network, "Undo")
    assert undo["object"]["id"] == ANNA + "#follows/1"


async def test_a_follow_taken_back_before_it_went_out_sends_nothing(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    bob = await remote(network, federation, "bob")
    async with database.transaction() as session:
        await relations.follow(session, resident, bob.id or 0)
    async with database.transaction() as session:
        await relations.unfollow(session, resident, bob.id or 0)
    await worker_for(federation).run_until_empty()
    assert network.posted == []


async def test_blocking_someone_elsewhere_tells_them_and_unblocking_undoes_it(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    bob = await remote(network, federation, "bob")
    async with database.transaction() as session:
        await relations.block(session, resident, bob.id or 0)
    async with database.transaction() as session:
        await relations.unblock(session, resident, bob.id or 0)
    await worker_for(federation).run_until_empty()
    [(url, block)] = sent(network, "Block")
    assert url == SHARED_INBOX and block["object"] == bob.actor_uri
    [(_, undo)] = sent(network, "Undo")
    assert undo["object"] == block


async def test_a_deleted_account_is_deleted_wherever_it_had_follows(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    bob = await remote(network, federation, "bob", "bob.example", shared=False)
    carla = await remote(network, federation, "carla", "carla.example")
    await remote(network, federation, "dirk", "dirk.example")  # no follow either way: not told
    await follows(database, bob, resident)
    await follows(database, resident, carla)
    async with database.transaction() as session:
        stored = await session.get(Account, resident.id)
        assert stored is not None
        await account_deletion.delete_account(session, stored)
    await worker_for(federation).run_until_empty()
    deletes = sent(network, "Delete")
    assert bob.inbox_url is not None
    assert sorted(url for url, _ in deletes) == sorted(
        ["https://carla.example/inbox", bob.inbox_url]
    )
    assert deletes[0][1]["object"] == ANNA
    assert key_id(network) == ANNA + "#main-key"


async def test_suspended_and_unavailable_servers_are_left_out(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    for name in ("bad", "down", "good"):
        await follows(
            database, await remote(network, federation, name, f"{name}.example"), resident
        )
    async with database.transaction() as session:
        session.add(DomainBlock(domain="bad.example"))
        session.add(RemoteDomain(domain="down.example", unavailable=True))
    await write_post(database, resident, "Hallo", visibility=Visibility.PUBLIC)
    await worker_for(federation).run_until_empty()
    assert [url for url, _ in sent(network)] == ["https://good.example/inbox"]


async def test_nothing_is_queued_where_nobody_elsewhere_is_concerned(
    database: Database, resident: Account
) -> None:
    other = await make_account(database, "cor")
    await write_post(database, resident, "Alleen hier", visibility=Visibility.PUBLIC)
    async with database.transaction() as session:
        await relations.follow(session, resident, other.id or 0)
        await relations.block(session, resident, other.id or 0)
    async with database.reading() as session:
        assert (await session.exec(select(Job))).all() == []


async def test_a_profile_edit_goes_to_followers_elsewhere_as_an_update(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    async with database.transaction() as session:
        await accounts.update_profile(session, resident, display_name="Anna B.", locale=None)
    assert await jobs_named(database, outbound.PROFILE_UPDATED) == []  # nobody elsewhere to tell
    await follows(database, await remote(network, federation, "bob"), resident)
    async with database.transaction() as session:
        await accounts.update_profile(session, resident, display_name="Anna de B.", locale=None)
    await worker_for(federation).run_until_empty()
    [(inbox, update)] = sent(network, "Update")
    assert inbox == SHARED_INBOX
    assert update["object"]["id"] == ANNA and update["object"]["name"] == "Anna de B."


async def test_naming_someone_elsewhere_links_them_and_sends_them_the_post(
    database: Database, federation: Federation, network: FakeNetwork, resident: Account
) -> None:
    bob = await remote(network, federation, "bob")
    post = await write_post(
        database, resident, "Hoi @Bob@remote.example, kom je ook?", visibility=Visibility.DIRECT
    )
    assert 'href="/@bob@remote.example"' in post.content_html
    await worker_for(federation).run_until_empty()
    [(inbox, create)] = sent(network, "Create")
    assert inbox == bob.inbox_url or inbox == SHARED_INBOX
    assert create["object"]["to"] == [bob.actor_uri]
    assert {"type": "Mention", "href": bob.actor_uri, "name": "@bob@remote.example"} in create[
        "object"
    ]["tag"]
