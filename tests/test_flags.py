"""Reports across servers: a `Flag` from elsewhere about a post here becomes a report with the
server as its reporter, once however often it comes; and a report about someone elsewhere that
a moderator forwards goes to their server as a `Flag` from our instance actor, without the
reporter."""

import json
from typing import Any

import httpx
import pytest
from sqlmodel import col, func, select
from starlette.applications import Starlette

from buurtnet.core import permissions
from buurtnet.db import Database
from buurtnet.federation.as2.parse import as2_to_activity
from buurtnet.federation.as2.parse_flags import as2_to_flag
from buurtnet.federation.incoming_flags import handle_flag, read_flag
from buurtnet.federation.uris import Uris
from buurtnet.models import (
    Account,
    BlockSeverity,
    DomainBlock,
    Duty,
    Job,
    Neighbourhood,
    Post,
    Report,
    ReportedPost,
    Visibility,
)
from buurtnet.moderation import reports
from tests.conftest import BASE_URL, add_follow, make_account, write_post
from tests.kit.as2 import CONTEXT
from tests.kit.federation import account_of, deliver, meet, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB, RemoteActor
from tests.test_fixtures_inbox import FIXTURES, load

# The server's own actor, which Mastodon sends its reports from.
SERVER = RemoteActor("social.example", kind="Application", key_number=4)
URIS = Uris.for_base(BASE_URL)


def flag_of(
    actor: RemoteActor, objects: Any, content: Any = "Reclame, elke dag", number: int = 1
) -> dict[str, Any]:
    """A Flag as Mastodon sends one, with an id on the sender's server."""
    return {
        "@context": CONTEXT,
        "id": f"https://{actor.domain}/flags/{number}",
        "type": "Flag",
        "actor": actor.id,
        "content": content,
        "object": objects,
    }


async def reports_made(database: Database) -> list[Report]:
    async with database.reading() as session:
        return list((await session.exec(select(Report).order_by(col(Report.id)))).all())


async def snapshots(database: Database, report: Report) -> list[ReportedPost]:
    async with database.reading() as session:
        found = await session.exec(
            select(ReportedPost).where(col(ReportedPost.report_id) == report.id)
        )
        return list(found.all())


@pytest.fixture
def network(network: FakeNetwork) -> FakeNetwork:
    network.add(SERVER)
    return network


# --- reading ----------------------------------------------------------------------------------


def test_mastodons_flag_is_read_with_what_it_names_and_its_comment() -> None:
    flag = as2_to_flag(as2_to_activity(load(FIXTURES / "mastodon" / "flag.json")))
    assert flag.objects == (
        "https://buurt.example/users/spammer",
        "https://buurt.example/users/spammer/statuses/77",
    )
    assert flag.comment == "Reclame, elke dag opnieuw"


def test_a_flag_of_one_object_given_as_a_string_names_it_once() -> None:
    anna = URIS.actor("anna")
    flag = as2_to_flag(as2_to_activity(flag_of(SERVER, anna, content=None)))
    assert (flag.objects, flag.comment) == ((anna,), "")
    twice = as2_to_flag(as2_to_activity(flag_of(SERVER, [anna, anna])))
    assert twice.objects == (anna,)


def test_only_our_own_people_and_posts_are_read_from_a_flag() -> None:
    objects = [
        f"{BASE_URL}/users/anna",
        f"{BASE_URL}/@anna",
        f"{BASE_URL}/users/anna/statuses/5",
        f"{BASE_URL}/posts/5",
        f"{BASE_URL}/posts/6",
        f"{BASE_URL}/n/vogelwijk",  # a neighbourhood is no person
        "https://social.example/users/bob",
        "https://social.example/users/bob/statuses/5",
    ]
    here = read_flag(URIS, as2_to_activity(flag_of(SERVER, objects)))
    assert here.usernames == ("anna",)
    assert here.post_ids == (5, 6)


# --- taking a report in -----------------------------------------------------------------------


async def test_a_flag_about_a_post_here_is_a_report_from_the_server(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    neighbourhood: Neighbourhood,
    resident: Account,
    network: FakeNetwork,
) -> None:
    post = await write_post(database, resident, "Koop nu bij mij!", visibility=Visibility.PUBLIC)
    objects = [URIS.actor("anna"), URIS.post("anna", post.id or 0)]
    flag = flag_of(SERVER, objects, content="<p>Reclame &amp; <b>spam</b></p>")
    response = await deliver(client, SERVER, flag)
    assert response.status_code == 202, response.text
    await run_queue(app)

    [report] = await reports_made(database)
    assert (report.reporter_id, report.reporter_domain) == (None, "social.example")
    assert (report.target_account_id, report.neighbourhood_id) == (resident.id, neighbourhood.id)
    assert (report.uri, report.comment) == (flag["id"], "Reclame & spam")  # plain text
    [snapshot] = await snapshots(database, report)
    assert (snapshot.post_id, snapshot.content_html) == (post.id, post.content_html)

    mila = await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    async with database.reading() as session:
        queue = await reports.queue(session, await permissions.roles_of(session, mila))
    [item] = queue
    assert item.report.id == report.id and item.post_count == 1
    assert item.reporter is None  # shown as the server, never as a person


async def test_a_flag_sent_twice_or_handled_twice_makes_one_report(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    flag = flag_of(SERVER, URIS.actor("anna"))
    for _ in range(2):
        assert (await deliver(client, SERVER, flag)).status_code == 202
    await run_queue(app)
    # A job run again after a crash hands the same Flag to its handler once more.
    sender = await account_of(database, SERVER)
    await handle_flag(app.state.federation, as2_to_activity(flag), sender)
    assert len(await reports_made(database)) == 1


async def test_a_flag_naming_only_things_elsewhere_is_refused_with_the_reason(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    objects = ["https://social.example/users/bob", "https://social.example/users/bob/statuses/1"]
    response = await deliver(client, SERVER, flag_of(SERVER, objects))
    assert response.status_code == 400
    assert response.json() == {"error": "the Flag names no person or post of this server"}
    async with database.reading() as session:
        assert (await session.exec(select(func.count()).select_from(Job))).one() == 0
    assert await reports_made(database) == []


async def test_a_flag_is_about_the_first_person_named_and_only_their_posts(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    neighbour: Account,
    network: FakeNetwork,
) -> None:
    hers = await write_post(database, resident, "Van Anna", visibility=Visibility.PUBLIC)
    his = await write_post(database, neighbour, "Van Bram", visibility=Visibility.PUBLIC)
    objects = [
        URIS.post("bram", his.id or 0),
        URIS.actor("anna"),
        URIS.post("anna", hers.id or 0),
        URIS.actor("bram"),
    ]
    assert (await deliver(client, SERVER, flag_of(SERVER, objects))).status_code == 202
    # Without a person named, it is about the author of the first post.
    only_post = flag_of(SERVER, [URIS.post("bram", his.id or 0)], number=2)
    assert (await deliver(client, SERVER, only_post)).status_code == 202
    await run_queue(app)

    about_anna, about_bram = await reports_made(database)
    assert about_anna.target_account_id == resident.id
    assert [snap.post_id for snap in await snapshots(database, about_anna)] == [hers.id]
    assert about_bram.target_account_id == neighbour.id
    assert [snap.post_id for snap in await snapshots(database, about_bram)] == [his.id]


async def test_nothing_is_filed_about_what_no_server_could_see_or_what_is_gone(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    inside = await write_post(database, resident, "Alleen voor de buurt")
    assert inside.visibility == Visibility.NEIGHBOURHOOD
    named = [
        [URIS.post("anna", inside.id or 0)],
        [URIS.post("anna", 999_999)],
        [URIS.actor("niemand")],
    ]
    for number, objects in enumerate(named, start=1):
        # Accepted like any other: the answer does not tell what exists here.
        response = await deliver(client, SERVER, flag_of(SERVER, objects, number=number))
        assert response.status_code == 202, response.text
    await run_queue(app)
    assert await reports_made(database) == []


async def test_a_server_whose_reports_are_rejected_files_none(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    async with database.transaction() as session:
        session.add(
            DomainBlock(domain="social.example", severity=BlockSeverity.NOOP, reject_reports=True)
        )
    response = await deliver(client, SERVER, flag_of(SERVER, URIS.actor("anna")))
    assert response.status_code == 202  # dropped quietly, as Mastodon drops them
    await run_queue(app)
    assert await reports_made(database) == []


# --- forwarding -------------------------------------------------------------------------------


async def test_a_forwarded_report_is_a_flag_from_the_instance_without_the_reporter(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    neighbourhood: Neighbourhood,
    resident: Account,
    neighbour: Account,
    network: FakeNetwork,
) -> None:
    await meet(client, BOB)
    bob = await account_of(database, BOB)
    await add_follow(database, resident, bob)
    post = Post(
        author_id=bob.id or 0,
        visibility=Visibility.PUBLIC,
        uri=f"{BOB.id}/statuses/1",
        source="Koop nu",
        content_html="<p>Koop nu</p>",
    )
    async with database.transaction() as session:
        session.add(post)
    draft = reports.ReportDraft("spam", "Elke dag weer reclame", (post.id or 0,))
    async with database.transaction() as session:
        report = await reports.file_report(session, neighbour, bob.id or 0, draft)
        # A snapshot of a post on yet another server (a share, say) is not theirs to judge.
        elsewhere = reports.snapshot(report.id or 0, post)
        elsewhere.post_uri = "https://other.example/notes/9"
        session.add(elsewhere)
    mila = await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood)
    async with database.transaction() as session:
        roles = await permissions.roles_of(session, mila)
        await reports.forward(session, mila, roles, report.id or 0)
    network.posted.clear()
    await run_queue(app)

    [sent] = [item for item in network.posted if item.body.get("type") == "Flag"]
    assert sent.url == "https://social.example/inbox"  # the shared inbox
    instance = f"{BASE_URL}/actor"
    assert f'keyId="{instance}#main-key"' in sent.headers["signature"]
    flag = sent.body
    assert flag["actor"] == instance
    assert flag["id"].startswith(instance + "#")
    assert flag["object"] == [BOB.id, post.uri]
    assert flag["content"] == "Elke dag weer reclame"
    assert "to" not in flag and "cc" not in flag  # not shown to the person reported
    everything = json.dumps(flag) + json.dumps(sent.headers)
    for reporter in ("bram", URIS.actor("bram"), "mila"):
        assert reporter not in everything
