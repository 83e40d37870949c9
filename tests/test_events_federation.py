"""Activities between servers (INTEROP.md section 3): ours go out as Mobilizon's `Event` (with a
summary that Mastodon shows), a `Join` from elsewhere takes a place through the same rule as a
resident's and is answered with `Accept` or `Reject`, a `Leave` lets the waiting list move up;
events from Mobilizon and Gancio are kept as activities, and a resident's sign-up for one goes
out as a `Join` that waits for its server's answer."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.core import participation
from buurtnet.db import Database
from buurtnet.federation import event_joins
from buurtnet.federation.as2.parse import as2_to_activity
from buurtnet.federation.remote_actors import actor_by_uri
from buurtnet.models import (
    Account,
    Event,
    EventCategory,
    NotificationKind,
    Post,
    PostKind,
    Visibility,
)
from buurtnet.models import ParticipationStatus as Status
from tests.conftest import BASE_URL, add_follow, browser_for, csrf_token, log_in, make_account
from tests.events_kit import answer, event_row, make_event, notified, statuses
from tests.kit.as2 import undo_of
from tests.kit.federation import deliver, fetch_as, meet, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB, RemoteActor
from tests.test_fixtures_inbox import deliver_signed, with_our_key

CAROL = RemoteActor("carol", domain="other.example", key_number=1)
DIRK = RemoteActor("dirk", domain="mobilizon.example", key_number=2)
FIXTURES = Path(__file__).parent / "data" / "federation"


@pytest.fixture(autouse=True)
def others(network: FakeNetwork) -> None:
    network.add(CAROL)
    network.add(DIRK)


def event_uri(post: Post) -> str:
    return f"{BASE_URL}/users/anna/statuses/{post.id}"


def join_of(actor: RemoteActor, post: Post, number: int = 1) -> dict[str, Any]:
    return {
        "id": f"{actor.id}#joins/{number}",
        "type": "Join",
        "actor": actor.id,
        "object": event_uri(post),
        "participationMessage": "Ik neem een bezem mee",
    }


def leave_of(actor: RemoteActor, post: Post, number: int = 1) -> dict[str, Any]:
    return {
        "id": f"{actor.id}#leaves/{number}",
        "type": "Leave",
        "actor": actor.id,
        "object": event_uri(post),
    }


def answers_to(network: FakeNetwork, actor: RemoteActor) -> list[dict[str, Any]]:
    """The Accepts and Rejects that went to the actor, in order."""
    return [
        posted.body
        for posted in network.posted
        if posted.url in (actor.inbox, f"https://{actor.domain}/inbox")
        and posted.body["type"] in ("Accept", "Reject")
    ]


def sent_of_type(network: FakeNetwork, kind: str) -> list[dict[str, Any]]:
    return [posted.body for posted in network.posted if posted.body["type"] == kind]


async def sign_up_from(
    app: Starlette, client: httpx.AsyncClient, actor: RemoteActor, activity: dict[str, Any]
) -> None:
    response = await deliver(client, actor, activity)
    assert response.status_code == 202, response.text
    await run_queue(app)


# ---------------------------------------------------------------- ours, as an Event


async def test_an_activity_is_served_as_mobilizon_publishes_an_event(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    start = datetime(2027, 3, 13, 9, tzinfo=UTC)  # 10:00 in Amsterdam
    post = await make_event(
        database, resident, visibility=Visibility.PUBLIC, capacity=12, starts_at=start
    )
    await answer(database, await make_account(database, "bram"), post.id or 0, Status.GOING)
    response = await fetch_as(client, None, f"/users/anna/statuses/{post.id}")
    assert response.status_code == 200
    event = response.json()
    assert event["type"] == "Event"
    assert event["name"] == "Opruimen op het Merelplein"
    assert (event["startTime"], event["endTime"]) == (
        "2027-03-13T09:00:00Z",
        "2027-03-13T11:00:00Z",
    )
    assert event["timezone"] == "Europe/Amsterdam"
    assert event["location"]["type"] == "Place"
    assert event["location"]["address"] == {
        "type": "PostalAddress",
        "streetAddress": "Merelplein",
        "addressLocality": "Vogelwijk",
    }
    assert (event["joinMode"], event["status"], event["category"]) == (
        "free",
        "CONFIRMED",
        "CAUSES",
    )
    assert event["maximumAttendeeCapacity"] == 12
    assert (event["remainingAttendeeCapacity"], event["participantCount"]) == (11, 1)
    assert event["url"] == f"{BASE_URL}/posts/{post.id}"
    # Mastodon shows the name, the summary and the link: the summary says when and where.
    assert event["summary"] == "zaterdag 13 maart 2027, 10:00\N{EN DASH}12:00 · Merelplein"
    assert event["content"].startswith("<p>zaterdag 13 maart 2027, 10:00")
    assert "Neem handschoenen mee!" in event["content"]
    assert event["audience"] == f"{BASE_URL}/n/vogelwijk"


async def test_an_activity_without_a_limit_says_no_number_of_places(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    post = await make_event(database, resident, visibility=Visibility.PUBLIC)
    event = (await fetch_as(client, None, f"/users/anna/statuses/{post.id}")).json()
    assert "maximumAttendeeCapacity" not in event and "remainingAttendeeCapacity" not in event
    assert event["participantCount"] == 0


async def test_a_cancellation_goes_out_as_an_update_with_its_status(
    app: Starlette,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    client: httpx.AsyncClient,
) -> None:
    await meet(client, BOB)
    await add_follow(database, await actor_by_uri(app.state.federation, BOB.id), resident)
    post = await make_event(database, resident, visibility=Visibility.PUBLIC)
    await run_queue(app)
    assert [body["object"]["type"] for body in sent_of_type(network, "Create")] == ["Event"]
    browser = browser_for(app)
    await log_in(browser, "anna")
    token = await csrf_token(browser, f"/events/{post.id}/cancel")
    response = await browser.post(f"/events/{post.id}/cancel", data={"csrf_token": token})
    assert response.status_code == 303
    await run_queue(app)
    [update] = sent_of_type(network, "Update")
    assert update["object"]["status"] == "CANCELLED"
    assert update["object"]["updated"] is not None


# ---------------------------------------------------------------- Join and Leave from elsewhere


async def test_a_join_gets_a_place_then_a_reject_and_a_leave_moves_the_list_up(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    resident: Account,
    neighbour: Account,
) -> None:
    post = await make_event(database, resident, visibility=Visibility.PUBLIC, capacity=1)
    assert post.id is not None
    await sign_up_from(app, client, BOB, join_of(BOB, post))
    [accept] = answers_to(network, BOB)
    assert accept["type"] == "Accept"
    assert accept["actor"] == f"{BASE_URL}/users/anna"
    assert accept["object"]["id"] == f"{BOB.id}#joins/1"
    assert (accept["object"]["type"], accept["object"]["object"]) == ("Join", event_uri(post))
    bob = await actor_by_uri(app.state.federation, BOB.id)
    assert (await statuses(database, post.id))[bob.id or 0] == Status.GOING
    assert (await event_row(database, post.id)).going_count == 1

    # Full now: a resident waits; someone else elsewhere is refused (no waiting list there).
    assert (await answer(database, neighbour, post.id, Status.GOING)).outcome == "waiting"
    await sign_up_from(app, client, CAROL, join_of(CAROL, post))
    [reject] = answers_to(network, CAROL)
    assert reject["type"] == "Reject" and reject["object"]["id"] == f"{CAROL.id}#joins/1"

    # Bob steps back: the place goes to the first who waits, who is told.
    await sign_up_from(app, client, BOB, leave_of(BOB, post))
    found = await statuses(database, post.id)
    assert bob.id not in found
    assert found[neighbour.id or 0] == Status.GOING
    assert await notified(database, neighbour, NotificationKind.MOVED_UP) == [post.id]
    assert (await event_row(database, post.id)).going_count == 1


async def test_an_undo_of_the_join_is_a_leave_and_a_second_join_is_accepted_again(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    resident: Account,
) -> None:
    post = await make_event(database, resident, visibility=Visibility.PUBLIC, capacity=5)
    assert post.id is not None
    join = join_of(BOB, post)
    await sign_up_from(app, client, BOB, join)
    await sign_up_from(app, client, BOB, join_of(BOB, post, 2))  # once more: still one place
    assert [body["type"] for body in answers_to(network, BOB)] == ["Accept", "Accept"]
    assert (await event_row(database, post.id)).going_count == 1
    await sign_up_from(app, client, BOB, undo_of(BOB, join))
    assert await statuses(database, post.id) == {}
    assert (await event_row(database, post.id)).going_count == 0


@pytest.mark.parametrize("closing", ["cancelled", "sign_ups_closed", "ended"])
async def test_a_join_of_a_closed_activity_is_rejected(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    resident: Account,
    closing: str,
) -> None:
    post = await make_event(database, resident, visibility=Visibility.PUBLIC)
    async with database.transaction() as session:
        event = await session.get(Event, post.id)
        assert event is not None
        if closing == "cancelled":
            event.cancelled_at = datetime.now(UTC)
        elif closing == "sign_ups_closed":
            event.sign_ups_closed = True
        else:
            event.starts_at = datetime.now(UTC) - timedelta(hours=3)
            event.ends_at = datetime.now(UTC) - timedelta(hours=1)
        session.add(event)
    await sign_up_from(app, client, BOB, join_of(BOB, post))
    assert [body["type"] for body in answers_to(network, BOB)] == ["Reject"]
    assert await statuses(database, post.id or 0) == {}


async def test_a_join_of_an_activity_for_the_neighbourhood_only_gets_no_answer(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    resident: Account,
) -> None:
    """It never left the instance: whoever names it from elsewhere learns nothing of it."""
    post = await make_event(database, resident, visibility=Visibility.NEIGHBOURHOOD)
    await sign_up_from(app, client, BOB, join_of(BOB, post))
    assert answers_to(network, BOB) == []
    assert await statuses(database, post.id or 0) == {}


async def test_a_join_racing_a_local_sign_up_for_the_last_place(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    resident: Account,
    neighbour: Account,
) -> None:
    """Both at once, each in its own transaction: one gets the place; the resident waits or Bob
    is refused, and the count stays in step."""
    post = await make_event(database, resident, visibility=Visibility.PUBLIC, capacity=1)
    assert post.id is not None
    await meet(client, BOB)
    bob = await actor_by_uri(app.state.federation, BOB.id)
    join = as2_to_activity(join_of(BOB, post))
    federation = app.state.federation
    local, _ = await asyncio.gather(
        answer(database, neighbour, post.id, Status.GOING),
        event_joins.handle_join(federation, join, bob),
    )
    await run_queue(app)
    found = await statuses(database, post.id)
    [reply] = answers_to(network, BOB)
    if local.outcome == "going":
        assert reply["type"] == "Reject" and bob.id not in found
    else:
        assert local.outcome == "waiting"
        assert reply["type"] == "Accept" and found[bob.id or 0] == Status.GOING
    assert (await event_row(database, post.id)).going_count == 1


# ---------------------------------------------------------------- events from elsewhere


def fixture(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return found


def mobilizon_event(**changes: Any) -> dict[str, Any]:
    """Mobilizon's event as dirk sends it (the fixture, from dirk at mobilizon.example)."""
    activity = fixture("mobilizon/create_event.json")
    event = activity["object"] | {"actor": DIRK.id, "attributedTo": DIRK.id} | changes
    return activity | {"actor": DIRK.id, "object": event}


async def followed_dirk(
    app: Starlette, client: httpx.AsyncClient, database: Database, resident: Account
) -> Account:
    await meet(client, DIRK)
    dirk = await actor_by_uri(app.state.federation, DIRK.id)
    await add_follow(database, resident, dirk)
    return dirk


async def stored_event(database: Database, uri: str) -> tuple[Post, Event]:
    async with database.reading() as session:
        post = (await session.exec(select(Post).where(col(Post.uri) == uri))).one()
        event = await session.get(Event, post.id)
    assert event is not None
    return post, event


async def test_a_mobilizon_event_is_an_activity_here(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await followed_dirk(app, client, database, resident)
    activity = mobilizon_event()
    assert (await deliver(client, DIRK, activity)).status_code == 202
    await run_queue(app)
    post, event = await stored_event(database, activity["object"]["id"])
    assert post.kind == PostKind.EVENT
    assert event.title == "Straatfeest Dorpsstraat"
    assert event.category == EventCategory.STREET_PARTY
    assert event.time_zone == "Europe/Amsterdam"
    assert event.place == "Dorpsstraat, 1234 AB, De Wijk"
    assert (event.latitude, event.longitude) == (52.1, 5.1)
    assert (event.capacity, event.going_count) == (None, 3)  # 0 is Mobilizon's "no limit"
    assert event.url == activity["object"]["url"]
    assert "Straatfeest" not in post.content_html  # the title is the event's own
    browser = browser_for(app)
    await log_in(browser, "anna")
    page = (await browser.get(f"/posts/{post.id}")).text
    assert "Straatfeest Dorpsstraat" in page
    assert "zaterdag 12 december, 14:00 \N{EN DASH} 22:00" in page
    assert "Dorpsstraat, 1234 AB, De Wijk" in page
    assert activity["object"]["url"] in page


async def test_a_gancio_event_is_an_activity_here(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    """Gancio's event: its address one line, no end, no capacity nor way to join given."""
    activity = fixture("gancio/create_event.json")
    person, key_id = with_our_key(fixture("gancio/person.json"))
    network.serve(person)
    await add_follow(database, resident, await actor_by_uri(app.state.federation, person["id"]))
    assert (await deliver_signed(client, activity, key_id)).status_code == 202
    await run_queue(app)
    post, event = await stored_event(database, activity["object"]["id"])
    assert event.title == "Repair café in de bieb"
    assert event.starts_at.replace(tzinfo=UTC) == datetime(2026, 12, 19, 13, tzinfo=UTC)
    assert event.ends_at == event.starts_at  # no end given: none made up
    assert event.place == "Bibliotheek, Kerkstraat 5, De Wijk"
    assert (event.category, event.join_mode) == (EventCategory.OTHER, "free")
    assert "<script" not in post.content_html and "kapotte spullen" in post.content_html
    browser = browser_for(app)
    await log_in(browser, "anna")
    page = (await browser.get(f"/posts/{post.id}")).text
    assert "zaterdag 19 december, 14:00</time>" in page
    assert 'name="answer" value="going"' in page  # joined from here, by a Join
    assert activity["object"]["url"] in page


async def test_an_update_that_cancels_an_event_elsewhere_tells_who_signed_up(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await followed_dirk(app, client, database, resident)
    activity = mobilizon_event()
    await deliver(client, DIRK, activity)
    await run_queue(app)
    post, _event = await stored_event(database, activity["object"]["id"])
    async with database.transaction() as session:
        await participation.respond(session, resident, post.id or 0, Status.MAYBE)
    cancelled = activity["object"] | {"status": "CANCELLED", "updated": "2026-12-05T10:00:00Z"}
    update = {
        "id": f"{cancelled['id']}/update/1",
        "type": "Update",
        "actor": DIRK.id,
        "object": cancelled,
        "to": cancelled["to"],
    }
    assert (await deliver(client, DIRK, update)).status_code == 202
    await run_queue(app)
    _post, event = await stored_event(database, activity["object"]["id"])
    assert event.cancelled_at is not None
    assert await notified(database, resident, NotificationKind.EVENT_CANCELLED) == [post.id]


# ---------------------------------------------------------------- a resident joins one elsewhere


async def test_a_resident_signs_up_elsewhere_by_join_and_the_answer_decides(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    neighbour: Account,
    network: FakeNetwork,
) -> None:
    dirk = await followed_dirk(app, client, database, resident)
    await add_follow(database, neighbour, dirk)
    activity = mobilizon_event()
    await deliver(client, DIRK, activity)
    await run_queue(app)
    post, _event = await stored_event(database, activity["object"]["id"])
    assert post.id is not None

    going = await answer(database, resident, post.id, Status.GOING)
    assert going.outcome == "pending"
    await answer(database, neighbour, post.id, Status.GOING)
    await run_queue(app)
    joins = sorted(sent_of_type(network, "Join"), key=lambda join: str(join["actor"]))
    assert sorted(join["actor"] for join in joins) == [
        f"{BASE_URL}/users/anna",
        f"{BASE_URL}/users/bram",
    ]
    assert all(join["object"] == activity["object"]["id"] for join in joins)
    assert (await statuses(database, post.id))[resident.id or 0] == Status.PENDING

    accept = {"id": f"{DIRK.id}#accepts/1", "type": "Accept", "actor": DIRK.id, "object": joins[0]}
    reject = {
        "id": f"{DIRK.id}#rejects/1",
        "type": "Reject",
        "actor": DIRK.id,
        "object": joins[1]["id"],
    }
    for reply in (accept, reject):
        assert (await deliver(client, DIRK, reply)).status_code == 202
    await run_queue(app)
    found = await statuses(database, post.id)
    assert found[resident.id or 0] == Status.GOING
    assert found[neighbour.id or 0] == Status.NOT_GOING
    assert await notified(database, neighbour, NotificationKind.JOIN_REFUSED) == [post.id]

    # Stepping back goes out as a Leave of the event.
    await answer(database, resident, post.id, Status.NOT_GOING)
    await run_queue(app)
    [leave] = sent_of_type(network, "Leave")
    assert (leave["actor"], leave["object"]) == (f"{BASE_URL}/users/anna", activity["object"]["id"])


async def test_only_the_events_own_server_answers_a_join(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await followed_dirk(app, client, database, resident)
    activity = mobilizon_event()
    await deliver(client, DIRK, activity)
    await run_queue(app)
    post, _event = await stored_event(database, activity["object"]["id"])
    await answer(database, resident, post.id or 0, Status.GOING)
    await run_queue(app)
    [join] = sent_of_type(network, "Join")
    forged = {"id": f"{BOB.id}#accepts/1", "type": "Accept", "actor": BOB.id, "object": join["id"]}
    assert (await deliver(client, BOB, forged)).status_code == 202
    await run_queue(app)
    assert (await statuses(database, post.id or 0))[resident.id or 0] == Status.PENDING


@pytest.mark.parametrize("mode", ["external", "invite"])
async def test_an_event_one_joins_on_its_own_site_sends_no_join(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    mode: str,
) -> None:
    await followed_dirk(app, client, database, resident)
    activity = mobilizon_event(joinMode=mode)
    await deliver(client, DIRK, activity)
    await run_queue(app)
    post, _event = await stored_event(database, activity["object"]["id"])
    refused = await answer(database, resident, post.id or 0, Status.GOING)
    assert refused.refused and refused.reason == "event_join_elsewhere"
    await run_queue(app)
    assert sent_of_type(network, "Join") == []


async def test_an_event_that_cannot_be_read_is_refused_with_the_reason(
    app: Starlette, client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await followed_dirk(app, client, database, resident)
    activity = mobilizon_event()
    del activity["object"]["startTime"]
    response = await deliver(client, DIRK, activity)
    assert response.status_code == 400
    assert response.json()["error"] == "the Event cannot be read: startTime is missing"
    await run_queue(app)
    async with database.reading() as session:
        assert (await session.exec(select(Event))).all() == []


async def test_values_out_of_bounds_in_an_event_are_left_out(
    app: Starlette, client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await followed_dirk(app, client, database, resident)
    activity = mobilizon_event(
        endTime="2026-12-12T10:00:00+01:00",  # before its start
        maximumAttendeeCapacity=-3,
        participantCount=10**12,
        timezone="../../etc/passwd",
        category="<b>PARTY</b>",
        location={"type": "Place", "name": "Plein", "latitude": 200, "longitude": 5},
    )
    assert (await deliver(client, DIRK, activity)).status_code == 202
    await run_queue(app)
    _post, event = await stored_event(database, activity["object"]["id"])
    assert event.ends_at == event.starts_at
    assert (event.capacity, event.going_count) == (None, 0)
    assert event.time_zone == "Europe/Amsterdam"
    assert event.category == EventCategory.OTHER
    assert (event.place, event.latitude, event.longitude) == ("Plein", None, None)


async def test_the_page_of_an_event_elsewhere_takes_a_sign_up_and_says_it_is_asked(
    app: Starlette, client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await followed_dirk(app, client, database, resident)
    activity = mobilizon_event()
    await deliver(client, DIRK, activity)
    await run_queue(app)
    post, _event = await stored_event(database, activity["object"]["id"])
    browser = browser_for(app, headers={"Accept-Language": "en"})
    await log_in(browser, "anna")
    token = await csrf_token(browser, f"/posts/{post.id}")
    path = f"/events/{post.id}/participation"
    response = await browser.post(path, data={"csrf_token": token, "answer": "going"})
    assert response.status_code == 303
    page = (await browser.get(f"/posts/{post.id}")).text
    assert "You asked to take part." in page
    assert "server answers your sign-up; you will see it here." in page


@pytest.mark.parametrize("start", ["9999-12-31T23:30:00Z", "0001-01-01T00:00:00Z"])
async def test_an_event_in_a_year_no_page_can_show_is_refused(
    app: Starlette, client: httpx.AsyncClient, database: Database, resident: Account, start: str
) -> None:
    await followed_dirk(app, client, database, resident)
    activity = mobilizon_event(startTime=start, endTime=None)
    response = await deliver(client, DIRK, activity)
    assert response.status_code == 400
    assert response.json()["error"] == "the Event cannot be read: startTime is out of range"
    browser = browser_for(app)
    await log_in(browser, "anna")
    assert (await browser.get("/")).status_code == 200


async def test_stepping_back_before_the_join_went_sends_neither(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await followed_dirk(app, client, database, resident)
    activity = mobilizon_event()
    await deliver(client, DIRK, activity)
    await run_queue(app)
    post, _event = await stored_event(database, activity["object"]["id"])
    await answer(database, resident, post.id or 0, Status.GOING)
    await answer(database, resident, post.id or 0, Status.NOT_GOING)
    await run_queue(app)
    assert sent_of_type(network, "Join") == [] and sent_of_type(network, "Leave") == []
