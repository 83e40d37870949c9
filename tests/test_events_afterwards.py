"""The reminder the day before (once, to who comes or might come), and what the organiser records
afterwards: not before the end, not by anyone else; a new photo replaces the old one, whose files
go, as the outcome photo's files go when the activity is deleted."""

from datetime import timedelta
from pathlib import Path

import pytest
from starlette.applications import Starlette

from buurtnet.core import event_outcomes, media, posts, reminders
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.core.event_outcomes import MAX_ATTENDANCE, MAX_LITTER_BAGS, Outcome, OutcomeForm
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    Event,
    EventCategory,
    ModerationState,
    Neighbourhood,
    NotificationKind,
    Post,
    utcnow,
)
from buurtnet.models import ParticipationStatus as Status
from tests.conftest import make_account
from tests.events_kit import answer, event_row, make_event, notified
from tests.kit.federation import run_queue, worker_for

HOURS = timedelta(hours=1)


async def test_a_reminder_the_day_before_to_who_comes_or_might_once(
    app: Starlette, database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    now = utcnow()
    post = await make_event(database, resident, starts_at=now + 20 * HOURS, capacity=1)
    later = await make_event(database, resident, starts_at=now + 30 * HOURS)
    assert post.id is not None and later.id is not None
    going, maybe, waiting, not_going = [
        await make_account(database, name, neighbourhood=neighbourhood)
        for name in ("gaat", "misschien", "wachtend", "niet")
    ]
    await answer(database, going, post.id, Status.GOING)
    await answer(database, maybe, post.id, Status.MAYBE)
    await answer(database, not_going, post.id, Status.NOT_GOING)
    await answer(database, waiting, post.id, Status.GOING)
    await answer(database, going, later.id, Status.GOING)
    async with database.transaction() as session:
        assert await reminders.send_due(session, now) == 1
    # The worker runs the same task (registered like the housekeeping) and finds nothing left.
    await worker_for(app.state.federation).run_periodic_tasks()
    for person in (going, maybe):
        assert await notified(database, person, NotificationKind.REMINDER) == [post.id]
    for person in (waiting, not_going):
        assert await notified(database, person, NotificationKind.REMINDER) == []
    assert (await event_row(database, post.id)).reminded_at is not None
    assert (await event_row(database, later.id)).reminded_at is None


async def test_no_reminder_for_a_cancelled_activity_nor_one_made_too_late(
    database: Database, resident: Account, neighbour: Account
) -> None:
    now = utcnow()
    soon = await make_event(database, resident, starts_at=now + 5 * HOURS)
    cancelled = await make_event(database, resident, starts_at=now + 20 * HOURS)
    assert soon.id is not None and cancelled.id is not None
    for post_id in (soon.id, cancelled.id):
        await answer(database, neighbour, post_id, Status.GOING)
    async with database.transaction() as session:
        stored = await session.get(Event, cancelled.id)
        assert stored is not None
        stored.cancelled_at = now
    async with database.transaction() as session:
        assert await reminders.send_due(session, now) == 1  # the late one, marked and skipped
    assert await notified(database, neighbour, NotificationKind.REMINDER) == []
    assert (await event_row(database, soon.id)).reminded_at is not None


async def test_no_reminder_for_an_activity_removed_by_a_moderator(
    database: Database, resident: Account, neighbour: Account
) -> None:
    now = utcnow()
    removed = await make_event(database, resident, starts_at=now + 20 * HOURS)
    assert removed.id is not None
    await answer(database, neighbour, removed.id, Status.GOING)
    async with database.transaction() as session:
        stored = await session.get(Post, removed.id)
        assert stored is not None
        stored.moderation = ModerationState.REMOVED
    async with database.transaction() as session:
        assert await reminders.send_due(session, now) == 0
    assert await notified(database, neighbour, NotificationKind.REMINDER) == []


async def test_the_worker_sends_due_reminders_by_itself(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    post = await make_event(database, resident, starts_at=utcnow() + 20 * HOURS)
    assert post.id is not None
    await answer(database, neighbour, post.id, Status.GOING)
    await worker_for(app.state.federation).run_periodic_tasks()
    assert await notified(database, neighbour, NotificationKind.REMINDER) == [post.id]


async def ended_event(
    database: Database, organiser: Account, category: EventCategory = EventCategory.CLEAN_UP
) -> int:
    past = utcnow() - timedelta(days=2)
    post = await make_event(
        database, organiser, starts_at=past + HOURS, now=past, category=category
    )
    assert post.id is not None
    return post.id


async def test_the_outcome_only_after_the_end_and_only_by_the_organiser(
    database: Database, resident: Account, neighbour: Account
) -> None:
    upcoming = await make_event(database, resident)
    assert upcoming.id is not None
    outcome = Outcome(attendance=12, litter_bags=7, note="Dank je wel allemaal!")
    async with database.transaction() as session:
        with pytest.raises(InvalidInput) as refused:
            await event_outcomes.record_outcome(session, resident, upcoming.id, outcome)
    assert refused.value.errors == {"form": "outcome_too_early"}
    post_id = await ended_event(database, resident)
    async with database.transaction() as session:
        with pytest.raises(NotAllowed):
            await event_outcomes.record_outcome(session, neighbour, post_id, outcome)
    assert (await event_row(database, post_id)).outcome_at is None
    async with database.transaction() as session:
        await event_outcomes.record_outcome(session, resident, post_id, outcome)
    event = await event_row(database, post_id)
    assert (event.attendance, event.litter_bags, event.outcome_note) == (
        12,
        7,
        "Dank je wel allemaal!",
    )
    party = await ended_event(database, resident, EventCategory.STREET_PARTY)
    async with database.transaction() as session:
        await event_outcomes.record_outcome(session, resident, party, outcome)
    assert (await event_row(database, party)).litter_bags is None, "bags only for a clean-up"


def test_the_outcome_form_has_bounds() -> None:
    assert event_outcomes.read(OutcomeForm(attendance=" 14 ", note=" Fijn ")) == Outcome(
        14, None, "Fijn"
    )
    with pytest.raises(InvalidInput) as refused:
        event_outcomes.read(OutcomeForm(attendance="-1", litter_bags="1000001", note="x" * 2001))
    assert refused.value.errors == {
        "attendance": "attendance_invalid",
        "litter_bags": "litter_bags_invalid",
        "note": "outcome_note_too_long",
    }


async def test_an_outcome_made_elsewhere_than_the_form_is_held_to_the_same_bounds(
    database: Database, resident: Account
) -> None:
    post_id = await ended_event(database, resident)
    wrong = Outcome(attendance=-1, litter_bags=MAX_LITTER_BAGS + 1, note="x" * 2001)
    async with database.transaction() as session:
        with pytest.raises(InvalidInput) as refused:
            await event_outcomes.record_outcome(session, resident, post_id, wrong)
    assert refused.value.errors == {
        "attendance": "attendance_invalid",
        "litter_bags": "litter_bags_invalid",
        "note": "outcome_note_too_long",
    }
    assert (await event_row(database, post_id)).outcome_at is None
    async with database.transaction() as session:
        kept = Outcome(attendance=MAX_ATTENDANCE, litter_bags=0, note="  Fijn\r\n")
        await event_outcomes.record_outcome(session, resident, post_id, kept)
    event = await event_row(database, post_id)
    assert (event.attendance, event.litter_bags, event.outcome_note) == (MAX_ATTENDANCE, 0, "Fijn")


async def test_photos_of_the_outcome_are_removed_when_replaced_and_with_the_activity(
    app: Starlette, database: Database, resident: Account, tmp_path: Path
) -> None:
    storage = app.state.services.storage
    post_id = await ended_event(database, resident)
    first = media.StoredImage("a" * 32 + ".jpg", "b" * 32 + ".jpg", "image/jpeg", 4, 3, "Zakken")
    second = media.StoredImage("c" * 32 + ".jpg", "d" * 32 + ".jpg", "image/jpeg", 4, 3, "Plein")
    for image in (first, second):
        for key in image.keys:
            await storage.save(key, b"jpeg")
    outcome = Outcome(attendance=3, litter_bags=None, note="")
    for image in (first, second):
        async with database.transaction() as session:
            await event_outcomes.record_outcome(session, resident, post_id, outcome, image)
        await run_queue(app)
    assert [await storage.load(key) for key in first.keys] == [None, None]
    assert [await storage.load(key) for key in second.keys] == [b"jpeg", b"jpeg"]
    assert (await event_row(database, post_id)).outcome_alt_text == "Plein"
    async with database.transaction() as session:
        await posts.delete_post(session, resident, post_id)
    await run_queue(app)
    assert [await storage.load(key) for key in second.keys] == [None, None]
