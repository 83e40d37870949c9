"""Edges of activities found in review: a cancelled activity gives no places, an edit that changes
nothing is no change, tasks stay within their bound across edits, an activity that is deleted
still tells who signed up, a blocked neighbour hears nothing, and no day the clock cannot hold."""

from zoneinfo import ZoneInfo

import pytest

from buurtnet.core import event_input, events, participation, post_removal, posts, relations
from buurtnet.core.errors import InvalidInput
from buurtnet.core.event_input import EventInput, TaskPlan
from buurtnet.db import Database
from buurtnet.models import Account, Neighbourhood, NotificationKind, Post, utcnow
from buurtnet.models import ParticipationStatus as Status
from tests.conftest import make_account
from tests.events_kit import (
    ZONE,
    answer,
    details,
    event_row,
    make_event,
    notified,
    statuses,
    task_ids,
    typed,
)


async def test_a_cancelled_activity_gives_no_place_to_who_waits(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, capacity=1)
    assert post.id is not None
    waiting = await make_account(database, "carla", neighbourhood=neighbourhood)
    await answer(database, neighbour, post.id, Status.GOING)
    await answer(database, waiting, post.id, Status.GOING)
    async with database.transaction() as session:
        await events.cancel_event(session, resident, post.id)
    async with database.transaction() as session:
        await participation.withdraw(session, neighbour, post.id)
    assert (await statuses(database, post.id))[waiting.id or 0] == Status.WAITING
    assert await notified(database, waiting, NotificationKind.MOVED_UP) == []


async def test_saving_the_form_unchanged_changes_nothing(
    database: Database, resident: Account, neighbour: Account
) -> None:
    """The form shows coordinates with 6 decimals; more typed ones are kept as it shows them."""
    form = typed(latitude="52.0907374321", longitude="5.1214201111")
    draft = event_input.read(form, posts.Draft(source="Kom ook!"), ZONE, utcnow())
    assert (draft.details.latitude, draft.details.longitude) == (52.090737, 5.12142)
    async with database.transaction() as session:
        post = await events.create_event(session, resident, draft, time_zone=ZONE.key)
    assert post.id is not None
    await answer(database, neighbour, post.id, Status.GOING)
    async with database.transaction() as session:
        await events.edit_event(session, resident, post.id, draft)
    assert (await event_row(database, post.id)).sequence == 0
    assert await notified(database, neighbour, NotificationKind.EVENT_CHANGED) == []


async def test_tasks_stay_within_their_bound_across_edits(
    database: Database, resident: Account
) -> None:
    five = tuple(TaskPlan(None, f"Taak {number}", 1) for number in range(5))
    post = await make_event(database, resident, tasks=five)
    assert post.id is not None
    draft = posts.Draft(source="Samen maken we de buurt schoon. Neem handschoenen mee!")
    async with database.transaction() as session:
        await events.edit_event(session, resident, post.id, EventInput(draft, details(), five))
    assert len(await task_ids(database, post.id)) == 10
    with pytest.raises(InvalidInput) as refused:
        async with database.transaction() as session:
            await events.edit_event(
                session, resident, post.id, EventInput(draft, details(), five[:1])
            )
    assert refused.value.errors == {"tasks": "tasks_too_many"}
    [first, *_rest] = await task_ids(database, post.id)
    swap = (TaskPlan(first, "", 1), TaskPlan(None, "Nieuwe taak", 1))  # one out, one in
    async with database.transaction() as session:
        await events.edit_event(session, resident, post.id, EventInput(draft, details(), swap))
    assert len(await task_ids(database, post.id)) == 10


async def test_an_activity_deleted_before_it_happens_tells_who_signed_up(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident)
    assert post.id is not None
    not_coming = await make_account(database, "carla", neighbourhood=neighbourhood)
    await answer(database, neighbour, post.id, Status.MAYBE)
    await answer(database, not_coming, post.id, Status.NOT_GOING)
    async with database.transaction() as session:
        stored = await session.get(Post, post.id)
        assert stored is not None
        await post_removal.remove_posts(session, [stored])
    assert await notified(database, neighbour, NotificationKind.EVENT_CANCELLED) == [None]
    assert await notified(database, not_coming, NotificationKind.EVENT_CANCELLED) == []


async def test_who_blocked_the_organiser_hears_nothing_of_the_activity(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident)
    assert post.id is not None
    carla = await make_account(database, "carla", neighbourhood=neighbourhood)
    for person in (neighbour, carla):
        await answer(database, person, post.id, Status.GOING)
    async with database.transaction() as session:
        await relations.block(session, carla, resident.id or 0)
    async with database.transaction() as session:
        await events.cancel_event(session, resident, post.id)
    assert await notified(database, neighbour, NotificationKind.EVENT_CANCELLED) == [post.id]
    assert await notified(database, carla, NotificationKind.EVENT_CANCELLED) == []


@pytest.mark.parametrize(
    ("zone", "why"),
    [("America/New_York", "date_invalid"), ("Europe/Amsterdam", "event_start_too_far")],
)
def test_a_day_past_what_the_clock_holds_is_a_wrong_date(zone: str, why: str) -> None:
    """West of UTC the last evening of year 9999 is in a year no moment can hold."""
    form = typed(start_date="31-12-9999", start_time="23:00", end_time="23:30")
    with pytest.raises(InvalidInput) as refused:
        event_input.read(form, posts.Draft(source="Kom"), ZoneInfo(zone), utcnow())
    assert refused.value.errors["start_date"] == why
