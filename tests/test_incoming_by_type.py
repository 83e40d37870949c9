"""Activities from elsewhere, read by the type of what they carry: events as events, types we do
not handle kept for later rather than marked as done, answers to our activities matched by id,
a reply's missing conversation brought in, and an edit that keeps the links it had."""

import itertools
import json
from typing import Any

import httpx
import pytest
from sqlmodel import col, func, select
from starlette.applications import Starlette

from buurtnet.core import relations
from buurtnet.db import Database
from buurtnet.federation.as2.parse import ParseError
from buurtnet.federation.as2.parse_objects import RemoteEvent, as2_to_object
from buurtnet.federation.incoming_posts import MAX_ANCESTORS
from buurtnet.models import (
    Account,
    DeferredActivity,
    Follow,
    FollowRequest,
    Job,
    Post,
    ReceivedActivity,
)
from tests.conftest import BASE_URL
from tests.kit.as2 import create, note
from tests.kit.federation import deliver, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB, RemoteActor
from tests.test_fixtures_inbox import FIXTURES, load

CAROL = RemoteActor("carol", domain="other.example", key_number=1)


def event_document(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = load(FIXTURES / "mobilizon" / "create_event.json")["object"]
    return {**event, **changes}


def test_an_event_is_read_as_an_event() -> None:
    found = as2_to_object(event_document())
    assert isinstance(found, RemoteEvent)
    assert found.name == "Straatfeest Dorpsstraat"
    assert found.start_time.isoformat() == "2026-12-12T13:00:00+00:00"
    assert found.place is not None and found.place.name == "Dorpsstraat"
    assert (found.join_mode, found.status) == ("free", "CONFIRMED")
    assert "Straatfeest" not in found.content  # its name is its own, not glued onto the text


@pytest.mark.parametrize("missing", ["startTime", "name"])
def test_an_event_without_a_start_or_a_name_is_no_event(missing: str) -> None:
    event = {key: value for key, value in event_document().items() if key != missing}
    with pytest.raises(ParseError, match=missing):
        as2_to_object(event)


@pytest.mark.parametrize(
    ("given", "kept"),
    [("America/Paramaribo", "America/Paramaribo"), ("Europe", None), ("../../etc/passwd", None)],
)
def test_an_event_keeps_only_a_time_zone_that_exists(given: str, kept: str | None) -> None:
    found = as2_to_object(event_document(timezone=given))  # "Europe" is a folder of zones
    assert isinstance(found, RemoteEvent) and found.time_zone == kept


async def bob_followed(client: httpx.AsyncClient, database: Database, resident: Account) -> Account:
    assert (await deliver(client, BOB, create(BOB, note(BOB, 100)))).status_code == 202
    async with database.transaction() as session:
        bob = (await session.exec(select(Account).where(Account.actor_uri == BOB.id))).one()
        session.add(Follow(follower_id=resident.id or 0, followed_id=bob.id or 0))
    return bob


async def count(database: Database, table: type[Any]) -> int:
    async with database.reading() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


async def test_a_type_we_do_not_handle_is_kept_for_later_not_marked_done(
    app: Starlette, client: httpx.AsyncClient, database: Database, network: FakeNetwork
) -> None:
    moved = {"id": f"{BOB.id}#moves/1", "type": "Move", "actor": BOB.id, "object": BOB.id}
    for _ in range(2):
        assert (await deliver(client, BOB, moved)).status_code == 202
    async with database.reading() as session:
        [kept] = (await session.exec(select(DeferredActivity))).all()
        done = (await session.exec(select(ReceivedActivity.uri))).all()
    assert (kept.uri, kept.type, kept.actor_uri) == (moved["id"], "Move", BOB.id)
    assert json.loads(kept.document)["object"] == BOB.id
    assert moved["id"] not in done
    assert await count(database, Job) == 0


async def test_an_accept_is_matched_by_the_id_of_what_we_sent(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    bob = await bob_followed(client, database, resident)
    async with database.transaction() as session:
        await relations.unfollow(session, resident, bob.id or 0)
        await relations.follow(session, resident, bob.id or 0)
    await run_queue(app)
    [follow] = network.activities("Follow")
    # Whatever type the answer says its object has, it is the Follow we sent, by its id.
    answered = {"id": follow["id"], "type": "Join", "actor": follow["actor"]}
    accept = {"id": f"{BOB.id}#accepts/1", "type": "Accept", "actor": BOB.id, "object": answered}
    assert (await deliver(client, BOB, accept)).status_code == 202
    await run_queue(app)
    async with database.reading() as session:
        assert (await session.exec(select(FollowRequest))).all() == []
        [kept] = (await session.exec(select(Follow).where(Follow.follower_id == resident.id))).all()
    assert kept.uri == follow["id"]


async def test_a_reply_brings_in_the_conversation_it_answers(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await bob_followed(client, database, resident)
    network.add(CAROL)
    ancestors = [note(CAROL, number) for number in range(MAX_ANCESTORS + 2)]
    for older, newer in itertools.pairwise(ancestors):
        newer["inReplyTo"] = older["id"]
    for item in ancestors:
        network.serve(item)
    reply = note(BOB, 1, inReplyTo=ancestors[-1]["id"])
    assert (await deliver(client, BOB, create(BOB, reply))).status_code == 202
    await run_queue(app)
    async with database.reading() as session:
        stored = {post.uri: post for post in (await session.exec(select(Post))).all()}
    brought = [item["id"] for item in ancestors if item["id"] in stored]
    assert brought == [item["id"] for item in ancestors[-MAX_ANCESTORS:]]  # no more than that
    assert stored[reply["id"]].in_reply_to_id == stored[ancestors[-1]["id"]].id
    root = stored[ancestors[-MAX_ANCESTORS]["id"]]
    assert stored[reply["id"]].thread_root_id == root.id
    assert await count(database, Job) == 0


async def test_an_edit_keeps_the_links_of_photos_that_could_not_be_had(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await bob_followed(client, database, resident)
    gone = "https://files.social.example/media/weg.png"
    photo = {"type": "Document", "mediaType": "image/png", "url": gone, "name": "Een stoel"}
    item = note(BOB, 7, content="<p>Gratis af te halen</p>", attachment=[photo])
    assert (await deliver(client, BOB, create(BOB, item))).status_code == 202
    await run_queue(app)
    edited = {**item, "content": "<p>Gratis af te halen (nog steeds)</p>"}
    update = {"id": f"{item['id']}#updates/1", "type": "Update", "actor": BOB.id, "object": edited}
    assert (await deliver(client, BOB, update)).status_code == 202
    await run_queue(app)
    async with database.reading() as session:
        post = (await session.exec(select(Post).where(col(Post.uri) == item["id"]))).one()
    assert "nog steeds" in post.content_html
    assert post.content_html.count(f'href="{gone}"') == 1
    assert BASE_URL not in post.content_html
