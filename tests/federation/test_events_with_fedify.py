"""Activities between buurtnet and Fedify, an independent ActivityPub server, on loopback, as
Mobilizon federates events (INTEROP.md section 3): Fedify hears of a public activity from its
organiser and through the neighbourhood's group, with every field; alice signs up with a `Join`
and is accepted, steps back with a `Leave` so that the resident on the waiting list moves up,
and is refused once it is full again."""

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import select

from buurtnet.core import events, posts
from buurtnet.core.event_input import EventDetails, EventInput
from buurtnet.core.participation import Outcome
from buurtnet.models import (
    Account,
    EventCategory,
    Neighbourhood,
    NotificationKind,
    Participation,
    ParticipationStatus,
    Post,
    Visibility,
)
from tests.conftest import make_account
from tests.events_kit import ZONE, answer, event_row, notified, soon, statuses
from tests.federation.fedify import FedifyPeer, ReceivedActivity
from tests.federation.instances import Instance, remote_account
from tests.federation.test_with_fedify import followed_by_fedify
from tests.kit.waiting import wait_until

ACTIVITY_JSON = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
TITLE = "Opruimen op het Merelplein"
PLACE = "Merelplein 3"
SOURCE = "Samen maken we de buurt schoon. Neem handschoenen mee!"
LATITUDE, LONGITUDE = 52.0907, 5.1214
MESSAGE = "Ik neem een grijper mee."


@pytest.fixture
async def bram(buurtnet: Instance, vogelwijk: Neighbourhood) -> Account:
    return await make_account(buurtnet.database, "bram", neighbourhood=vogelwijk)


async def public_activity(buurtnet: Instance, organiser: Account, starts_at: datetime) -> Post:
    """A public clean-up of two hours with one place, as the form makes it."""
    made = EventInput(
        posts.Draft(source=SOURCE, visibility=Visibility.PUBLIC),
        EventDetails(
            title=TITLE,
            category=EventCategory.CLEAN_UP,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            place=PLACE,
            latitude=LATITUDE,
            longitude=LONGITUDE,
            capacity=1,
        ),
        (),
    )
    async with buurtnet.database.transaction() as session:
        return await events.create_event(session, organiser, made, time_zone=ZONE.key)


def utc_moment(value: Any) -> datetime:
    """A time as the Event gives it: ISO 8601 in UTC."""
    assert isinstance(value, str) and value.endswith("Z"), value
    return datetime.fromisoformat(value)


def check_event(event: Any, buurtnet: Instance, post: Post, starts_at: datetime) -> None:
    """Every field of the Event as INTEROP.md section 3 has it (Mobilizon's shape)."""
    assert isinstance(event, dict), event
    assert post.id is not None
    group_url = buurtnet.group_url("vogelwijk")
    assert (event["type"], event["id"]) == ("Event", buurtnet.post_url("anna", post))
    assert event["name"] == TITLE
    assert SOURCE in event["content"] and event["mediaType"] == "text/html"
    assert utc_moment(event["startTime"]) == starts_at
    assert utc_moment(event["endTime"]) == starts_at + timedelta(hours=2)
    assert event["timezone"] == "Europe/Amsterdam"
    assert event["joinMode"] == "free"
    assert event["maximumAttendeeCapacity"] == 1
    assert event["remainingAttendeeCapacity"] == 1
    assert event["participantCount"] == 0
    assert event["status"] == "CONFIRMED"
    assert event["category"] == "CAUSES"
    assert event["url"] == buurtnet.federation.uris.post_page(post.id)
    assert event["location"] == {
        "type": "Place",
        "name": PLACE,
        "address": {
            "type": "PostalAddress",
            "streetAddress": PLACE,
            "addressLocality": "Vogelwijk",
        },
        "latitude": LATITUDE,
        "longitude": LONGITUDE,
    }
    # For Mastodon, which shows an Event as its name, this line and a link: plain text, with
    # the start in the activity's own time zone and the place.
    summary = event["summary"]
    assert isinstance(summary, str) and "<" not in summary
    assert starts_at.astimezone(ZONE).strftime("%H:%M") in summary and PLACE in summary
    assert PUBLIC in event["to"]
    assert event["attributedTo"] == buurtnet.actor_url("anna")
    assert event["audience"] == group_url


async def answer_of(buurtnet: Instance, post_id: int, account_id: int) -> Participation | None:
    async with buurtnet.database.reading() as session:
        found = await session.exec(
            select(Participation).where(
                Participation.post_id == post_id, Participation.account_id == account_id
            )
        )
        return found.first()


async def served_event(buurtnet: Instance, event_url: str) -> dict[str, Any]:
    """The Event as buurtnet serves it now, raw (Fedify's parser drops Mobilizon's fields)."""
    async with httpx.AsyncClient() as http:
        response = await http.get(event_url, headers={"Accept": ACTIVITY_JSON})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def test_fedify_hears_of_an_activity_signs_up_steps_back_and_is_refused_when_full(
    buurtnet: Instance, peer: FedifyPeer, anna: Account, bram: Account
) -> None:
    anna_url, group_url = buurtnet.actor_url("anna"), buurtnet.group_url("vogelwijk")
    await followed_by_fedify(buurtnet, peer, anna_url)
    await followed_by_fedify(buurtnet, peer, group_url)
    starts_at = soon(days=7, hour=10)
    post = await public_activity(buurtnet, anna, starts_at)
    assert post.id is not None
    event_url = buurtnet.post_url("anna", post)
    create_url = buurtnet.federation.uris.post_activity("anna", post.id)

    # The organiser's followers get the Create; the group's followers its two Announces.
    create = await peer.wait_for("Create", object_id=event_url)
    shared_event = await peer.wait_for("Announce", object_id=event_url)
    shared_create = await peer.wait_for("Announce", object_id=create_url)
    assert create["actor"] == anna_url and create["objectType"] == "Event"
    assert create["signature"] == {"spec": "draft-cavage", "keyId": f"{anna_url}#main-key"}
    assert PUBLIC in create["raw"]["to"]
    for announce in (shared_event, shared_create):
        assert announce["actor"] == group_url
        assert announce["signature"] == {"spec": "draft-cavage", "keyId": f"{group_url}#main-key"}
    assert (shared_event["objectType"], shared_create["objectType"]) == ("Event", "Create")
    for event in (
        create["raw"]["object"],
        shared_event["raw"]["object"],
        shared_create["raw"]["object"]["object"],
    ):
        check_event(event, buurtnet, post, starts_at)

    # Fedify's own parser reads the Event as we serve it (signed: not from its cache).
    seen = await peer.lookup(event_url, signed=True)
    assert (seen["found"], seen["type"], seen["id"]) == (True, "Event", event_url)
    assert seen["json"] is not None and seen["json"]["name"] == TITLE
    assert utc_moment(seen["json"]["startTime"]) == starts_at
    assert seen["json"]["location"]["name"] == PLACE

    # alice signs up, with a message, and has the one place.
    join = await peer.join(event_url, anna_url, message=MESSAGE)
    assert join["delivered"], join["error"]
    accept = await peer.wait_for("Accept", object_id=join["id"])
    check_answer(accept, anna_url, join["id"], peer.actor_url, event_url)
    alice = await remote_account(buurtnet, peer.actor_url)
    assert alice is not None and alice.id is not None
    alice_answer = await answer_of(buurtnet, post.id, alice.id)
    assert alice_answer is not None
    assert (alice_answer.status, alice_answer.uri) == (ParticipationStatus.GOING, join["id"])
    assert alice_answer.message == MESSAGE
    assert (await event_row(buurtnet.database, post.id)).going_count == 1
    counts = await served_event(buurtnet, event_url)
    assert (counts["participantCount"], counts["remainingAttendeeCapacity"]) == (1, 0)

    # A resident wants to go too: full, so the waiting list.
    assert bram.id is not None
    waiting = await answer(buurtnet.database, bram, post.id, ParticipationStatus.GOING)
    assert waiting.outcome == Outcome.WAITING

    # alice steps back: bram moves up, and is told.
    leave = await peer.leave(event_url, anna_url)
    assert leave["delivered"], leave["error"]

    async def bram_moved_up() -> bool:
        found = await statuses(buurtnet.database, post.id or 0)
        return found.get(bram.id or 0) == ParticipationStatus.GOING

    await wait_until(bram_moved_up)
    now = await statuses(buurtnet.database, post.id)
    assert now.get(alice.id) not in (ParticipationStatus.GOING, ParticipationStatus.WAITING)
    assert await notified(buurtnet.database, bram, NotificationKind.MOVED_UP) == [post.id]
    assert (await event_row(buurtnet.database, post.id)).going_count == 1

    # Full again: alice's new Join is refused, and takes no place.
    again = await peer.join(event_url, anna_url)
    assert again["delivered"], again["error"]
    reject = await peer.wait_for("Reject", object_id=again["id"])
    check_answer(reject, anna_url, again["id"], peer.actor_url, event_url)
    now = await statuses(buurtnet.database, post.id)
    assert now.get(alice.id) not in (ParticipationStatus.GOING, ParticipationStatus.WAITING)
    assert now[bram.id] == ParticipationStatus.GOING
    assert (await event_row(buurtnet.database, post.id)).going_count == 1


def check_answer(
    answer: ReceivedActivity, organiser: str, join_id: str, actor: str, event_url: str
) -> None:
    """An Accept or Reject from the organiser, signed, with alice's Join embedded."""
    assert answer["actor"] == organiser
    assert answer["signature"] == {"spec": "draft-cavage", "keyId": f"{organiser}#main-key"}
    assert answer["objectType"] == "Join"
    join = answer["raw"]["object"]
    assert isinstance(join, dict), join
    assert (join["id"], join["type"], join["actor"], join["object"]) == (
        join_id,
        "Join",
        actor,
        event_url,
    )
