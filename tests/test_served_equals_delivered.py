"""What we deliver and what we serve at the same URL are the same document, field by field: for
each visibility, with people here and elsewhere named, for replies, edits, the group's announces
and polls (a Question, and its new counts). Both are built from one audience (`core.audience`)
by one builder (`notes`)."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.core import export, poll_news, polls, posts, remote_posts
from buurtnet.db import Database
from buurtnet.federation.as2 import objects
from buurtnet.federation.remote_actors import actor_by_uri
from buurtnet.models import (
    Account,
    Job,
    Neighbourhood,
    NeighbourhoodFollower,
    Post,
    Visibility,
    utcnow,
)
from tests.conftest import BASE_URL, add_follow, browser_for, make_account
from tests.kit.federation import fetch_as, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB, RemoteActor

CAROL = RemoteActor("carol", domain="other.example", key_number=1)
DIRK = RemoteActor("dirk", domain="third.example", key_number=2)


@pytest.fixture
async def world(
    app: Starlette, database: Database, neighbourhood: Neighbourhood, network: FakeNetwork
) -> tuple[FakeNetwork, dict[str, Account]]:
    """Anna and Bram here; elsewhere Bob, who follows Anna, Carol, who follows the neighbourhood,
    and Dirk, who is only ever named."""
    people = {
        "anna": await make_account(database, "anna", neighbourhood=neighbourhood),
        "bram": await make_account(database, "bram", neighbourhood=neighbourhood),
    }
    for actor in (CAROL, DIRK):
        network.add(actor)
    for actor in (BOB, CAROL, DIRK):
        people[actor.username] = await actor_by_uri(app.state.federation, actor.id)
    await add_follow(database, people["bob"], people["anna"])
    async with database.transaction() as session:
        session.add(
            NeighbourhoodFollower(
                neighbourhood_id=neighbourhood.id or 0,
                account_id=people["carol"].id or 0,
                uri=f"{CAROL.id}#follows/1",
                accepted=True,
            )
        )
    return network, people


async def write(database: Database, author: Account, text: str, **choices: Any) -> Post:
    async with database.transaction() as session:
        return await posts.create_post(session, author, posts.Draft(source=text, **choices))


async def fetch(app: Starlette, path: str, signer: RemoteActor | None) -> dict[str, Any]:
    async with browser_for(app) as server:
        response = await fetch_as(server, signer, path)
    assert response.status_code == 200, (path, response.text)
    found: dict[str, Any] = response.json()
    return found


def as_embedded(document: dict[str, Any]) -> dict[str, Any]:
    """A served document as it sits inside an activity: without its `@context`."""
    return {key: value for key, value in document.items() if key != "@context"}


def delivered(network: FakeNetwork, kind: str, object_id: str) -> list[dict[str, Any]]:
    """Each different body of this kind about this object that went out (to any inbox)."""
    found: list[dict[str, Any]] = []
    for posted in network.posted:
        body = posted.body
        inner = body.get("object")
        about = inner.get("id") if isinstance(inner, dict) else inner
        if body.get("type") == kind and about == object_id and body not in found:
            found.append(body)
    return found


@pytest.mark.parametrize(
    ("visibility", "reader"),
    [(Visibility.PUBLIC, None), (Visibility.FOLLOWERS, BOB), (Visibility.DIRECT, DIRK)],
)
async def test_a_post_is_served_as_it_was_delivered(
    app: Starlette,
    database: Database,
    world: tuple[FakeNetwork, dict[str, Account]],
    visibility: Visibility,
    reader: RemoteActor | None,
) -> None:
    network, people = world
    text = "Wie helpt er zaterdag? @bram @dirk@third.example #opruimen"
    post = await write(database, people["anna"], text, visibility=visibility)
    await run_queue(app)
    path = f"/users/anna/statuses/{post.id}"
    [create] = delivered(network, "Create", BASE_URL + path)
    served = as_embedded(await fetch(app, path, reader))
    assert served == create["object"]
    assert await fetch(app, path + "/activity", reader) == create
    note = served
    names = sorted(tag["name"] for tag in note["tag"] if tag["type"] == "Mention")
    assert names == ["@bram@testserver", "@dirk@third.example"]
    assert f'href="{BASE_URL}/@bram"' in note["content"]
    assert f'href="{BASE_URL}/tags/opruimen"' in note["content"]
    assert 'href="/' not in note["content"]
    announces = delivered(network, "Announce", create["id"]) + delivered(
        network, "Announce", note["id"]
    )
    if visibility == Visibility.PUBLIC:
        assert note["audience"] == f"{BASE_URL}/n/vogelwijk"
        assert [announce["object"] for announce in announces] == [as_embedded(create), note]
        outbox = await fetch(app, "/n/vogelwijk/outbox?page=1", None)
        assert outbox["orderedItems"] == [as_embedded(announces[0])]
    else:
        assert announces == [] and "audience" not in note


async def test_an_edit_is_served_as_it_was_delivered(
    app: Starlette, database: Database, world: tuple[FakeNetwork, dict[str, Account]]
) -> None:
    network, people = world
    post = await write(database, people["anna"], "Eerst", visibility=Visibility.FOLLOWERS)
    async with database.transaction() as session:
        draft = posts.Draft(
            source="Daarna, met @dirk@third.example", visibility=Visibility.FOLLOWERS
        )
        await posts.edit_post(session, people["anna"], post.id or 0, draft)
    await run_queue(app)
    path = f"/users/anna/statuses/{post.id}"
    [update] = delivered(network, "Update", BASE_URL + path)
    assert as_embedded(await fetch(app, path, BOB)) == update["object"]
    assert DIRK.id in update["object"]["cc"]


async def test_a_reply_to_a_post_from_elsewhere_is_served_as_delivered(
    app: Starlette, database: Database, world: tuple[FakeNetwork, dict[str, Account]]
) -> None:
    network, people = world
    uri = f"{BOB.id}/statuses/7"
    incoming = remote_posts.IncomingPost(
        uri=uri,
        url=None,
        content_html="<p>Iemand een ladder?</p>",
        text="Iemand een ladder?",
        summary="",
        visibility=Visibility.PUBLIC,
        language=None,
        published=None,
        parent_id=None,
        mentioned_ids=[],
        hashtags=[],
    )
    async with database.transaction() as session:
        stored = await remote_posts.store_remote_post(session, people["bob"], incoming)
    reply = await write(database, people["anna"], "Ik heb er een", in_reply_to_id=stored.post_id)
    await run_queue(app)
    path = f"/users/anna/statuses/{reply.id}"
    [create] = delivered(network, "Create", BASE_URL + path)
    served = as_embedded(await fetch(app, path, None))
    assert served == create["object"] and served["inReplyTo"] == uri
    assert BOB.id in served["cc"]  # the author answered is addressed, and got it
    assert any(posted.url.startswith("https://social.example/") for posted in network.posted)


async def test_what_is_served_to_no_one_was_delivered_to_no_one(
    app: Starlette, database: Database, world: tuple[FakeNetwork, dict[str, Account]]
) -> None:
    network, people = world
    post = await write(database, people["anna"], "Alleen de buurt @dirk@third.example")
    await run_queue(app)
    assert network.posted == []
    for signer in (None, BOB, DIRK):
        async with browser_for(app) as server:
            path = f"/users/anna/statuses/{post.id}"
            assert (await fetch_as(server, signer, path)).status_code == 404
    async with database.reading() as session:
        assert (await session.exec(select(Post))).all()  # it is here, for the neighbourhood


async def test_a_poll_is_served_as_the_question_delivered_and_updated(
    app: Starlette, database: Database, world: tuple[FakeNetwork, dict[str, Account]]
) -> None:
    """A post with a poll is a Question, served, delivered and sent again with new counts as
    the same document; exported too (the one builder)."""
    network, people = world
    draft = polls.PollDraft(("Zaterdag", "Zondag"), multiple=True, duration=timedelta(days=1))
    post = await write(
        database, people["anna"], "Wanneer?", visibility=Visibility.PUBLIC, poll=draft
    )
    await run_queue(app)
    path = f"/users/anna/statuses/{post.id}"
    [create] = delivered(network, "Create", BASE_URL + path)
    question = create["object"]
    assert as_embedded(await fetch(app, path, None)) == question
    assert question["type"] == "Question" and "oneOf" not in question
    assert [answer["name"] for answer in question["anyOf"]] == ["Zaterdag", "Zondag"]
    assert question["votersCount"] == 0 and "closed" not in question
    async with database.transaction() as session:
        options = await polls.options_of(session, post.id or 0)
        await polls.vote(session, people["bram"], post.id or 0, [options[1].id or 0])
        await session.exec(
            update(Job).where(col(Job.name) == poll_news.COUNTS_CHANGED).values(run_after=utcnow())
        )
    await run_queue(app)
    [changed] = delivered(network, "Update", BASE_URL + path)
    assert as_embedded(await fetch(app, path, None)) == changed["object"]
    assert [answer["replies"]["totalItems"] for answer in changed["object"]["anyOf"]] == [0, 1]
    async with database.reading() as session:
        exported = await export.gather_export(session, people["anna"])
    [written] = [item for item in exported.posts if item.post.id == post.id]
    assert (
        objects.note_to_as2(written, app.state.federation.uris, host="testserver")
        == (changed["object"])
    )
