"""Rules that were written more than once, and the bugs where the copies disagreed: who a post
from elsewhere addresses after an edit, what a block ends, what the export writes of people and
posts elsewhere, what a suspension covers, and whom a moderator may act for."""

import json
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.core import interactions, permissions, relations, remote_accounts
from buurtnet.core.errors import NotFound
from buurtnet.core.export import gather_export
from buurtnet.core.posts import get_visible
from buurtnet.db import Database
from buurtnet.federation import archive
from buurtnet.federation.uris import Uris
from buurtnet.models import (
    Account,
    Duty,
    Follow,
    FollowRequest,
    Mention,
    Neighbourhood,
    Notification,
    NotificationKind,
    Post,
    Role,
)
from buurtnet.moderation import domain_blocks
from tests.conftest import BASE_URL, make_account, write_post
from tests.kit.as2 import create, note, update_of
from tests.kit.federation import deliver, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB


async def bob_account(database: Database) -> Account:
    async with database.reading() as session:
        return (await session.exec(select(Account).where(Account.actor_uri == BOB.id))).one()


async def test_an_edit_from_elsewhere_readdresses_its_post(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    neighbour: Account,
    network: FakeNetwork,
) -> None:
    def naming(*names: str) -> dict[str, Any]:
        tags = [{"type": "Mention", "href": f"{BASE_URL}/users/{name}"} for name in names]
        return note(BOB, 1, to=[f"{BASE_URL}/users/{name}" for name in names], cc=[], tag=tags)

    first = naming("anna")
    assert (await deliver(client, BOB, create(BOB, first))).status_code == 202
    await run_queue(app)
    assert (await deliver(client, BOB, update_of(BOB, naming("bram")))).status_code == 202
    await run_queue(app)
    async with database.reading() as session:
        post = (await session.exec(select(Post).where(Post.uri == first["id"]))).one()
        named = (
            await session.exec(select(Mention.account_id).where(Mention.post_id == post.id))
        ).all()
        told = (
            await session.exec(
                select(Notification.recipient_id).where(
                    Notification.post_id == post.id, Notification.kind == NotificationKind.MENTION
                )
            )
        ).all()
    assert named == [neighbour.id]  # Anna no longer named: her access to the direct post ends
    assert set(told) == {resident.id, neighbour.id}  # Bram, newly named, is told
    async with database.reading() as session:
        with pytest.raises(NotFound):
            await get_visible(session, resident, post.id or 0)
        assert (await get_visible(session, neighbour, post.id or 0)).id == post.id


async def test_a_block_ends_waiting_follow_requests_both_ways(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await deliver(client, BOB, create(BOB, note(BOB, 1)))  # to meet Bob
    bob = await bob_account(database)
    async with database.transaction() as session:
        await relations.follow(session, resident, bob.id or 0)  # a request, its Follow queued
        await relations.block(session, resident, bob.id or 0)
    await run_queue(app)
    assert network.activities("Follow") == []  # the queued Follow did not go out
    async with database.reading() as session:
        assert (await session.exec(select(FollowRequest))).all() == []
    async with database.transaction() as session:
        await relations.unblock(session, resident, bob.id or 0)
        await relations.follow(session, resident, bob.id or 0)  # a new request can be made
    await run_queue(app)
    assert [follow["object"] for follow in network.activities("Follow")] == [BOB.id]
    # And when someone elsewhere blocks a resident, the resident's request to them goes too.
    block = {
        "id": f"{BOB.id}#blocks/1",
        "type": "Block",
        "actor": BOB.id,
        "object": f"{BASE_URL}/users/anna",
    }
    assert (await deliver(client, BOB, block)).status_code == 202
    await run_queue(app)
    async with database.reading() as session:
        assert (await session.exec(select(FollowRequest))).all() == []


async def test_the_export_writes_people_and_posts_elsewhere_by_their_own_ids(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await deliver(client, BOB, create(BOB, note(BOB, 1)))
    bob = await bob_account(database)
    async with database.transaction() as session:
        session.add(Follow(follower_id=resident.id or 0, followed_id=bob.id or 0))
    bobs = note(BOB, 2)
    await deliver(client, BOB, create(BOB, bobs))
    await run_queue(app)
    async with database.reading() as session:
        stored = (await session.exec(select(Post).where(Post.uri == bobs["id"]))).one()
    async with database.transaction() as session:
        await interactions.like(session, resident, stored.id or 0)
    await write_post(database, resident, "Hoi @bob@social.example", visibility="public")
    async with database.reading() as session:
        export = await gather_export(session, resident)
    documents = archive.documents(export, Uris.for_base(BASE_URL), "testserver")
    assert documents["likes.json"]["orderedItems"] == [bobs["id"]]
    [created] = documents["outbox.json"]["orderedItems"]
    [mention] = created["object"]["tag"]
    assert mention == {"type": "Mention", "href": BOB.id, "name": "@bob@social.example"}
    assert BOB.id in created["object"]["cc"]
    assert "/users/bob" not in json.dumps(documents).replace(BOB.id, "")


@pytest.mark.parametrize(
    ("suspended", "domain", "covered"),
    [
        ("social.example", "social.example", True),
        ("social.example", "media.social.example", True),
        ("social.example", "social.example:8443", True),
        ("example", "social.example", False),  # a whole top-level domain is not a server
        ("a_b.example", "axb.example", False),  # no wildcard in a name
        ("bücher.example", "xn--bcher-kva.example", True),  # one name however it is written
    ],
)
async def test_a_suspension_covers_the_same_servers_everywhere(
    database: Database, resident: Account, suspended: str, domain: str, covered: bool
) -> None:
    async with database.transaction() as session:
        person = Account(
            username="iemand",
            username_key=f"iemand@{domain}",
            domain=domain,
            actor_uri=f"https://{domain}/users/iemand",
            inbox_url=f"https://{domain}/users/iemand/inbox",
        )
        session.add(person)
    async with database.transaction() as session:
        session.add(Follow(follower_id=person.id or 0, followed_id=resident.id or 0))
        await domain_blocks.suspend(session, suspended)
    async with database.reading() as session:
        follows = (await session.exec(select(Follow))).all()
        shut = await remote_accounts.shut_domains(session, [domain])
        refused = await remote_accounts.domain_is_suspended(session, domain)
    assert (follows == [], domain in shut, refused) == (covered, covered, covered)


async def test_moderator_scope_is_one_rule_in_python_and_sql(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    async with database.transaction() as session:
        other = Neighbourhood(slug="bomenbuurt", name="Bomenbuurt")
        session.add(other)
    people = [
        await make_account(database, "beheer", role=Role.ADMIN),
        await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood),
        await make_account(database, "zonder", neighbourhood=neighbourhood),
        await make_account(database, "dirk", duty=Duty.DIRECTOR, neighbourhood=neighbourhood),
    ]
    for person in people:
        async with database.reading() as session:
            roles = await permissions.roles_of(session, person)
            query = select(Neighbourhood.id).where(
                permissions.moderated(roles, col(Neighbourhood.id))
            )
            in_sql = set((await session.exec(query)).all())
        in_python = {
            place.id
            for place in (neighbourhood, other)
            if permissions.can_moderate(roles, place.id)
        }
        assert in_sql == in_python, person.username
        assert permissions.can_moderate(roles, None) == (person is people[0])
