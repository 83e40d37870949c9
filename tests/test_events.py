"""Activities in core: made as posts with their details, answered, full and waiting, changed,
cancelled and deleted; the organiser's message; someone elsewhere taking part."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import col, select

from buurtnet.core import events, feeds, participation, posts
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.event_input import EventInput
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    Event,
    Job,
    Mention,
    Neighbourhood,
    NotificationKind,
    Post,
    PostKind,
    Visibility,
    utcnow,
)
from buurtnet.models import ParticipationStatus as Status
from tests.conftest import make_account
from tests.events_kit import answer, details, event_row, make_event, notified, soon, statuses

Outcome = participation.Outcome


async def people(database: Database, neighbourhood: Neighbourhood, count: int) -> list[Account]:
    return [
        await make_account(database, f"buur{number}", neighbourhood=neighbourhood)
        for number in range(count)
    ]


async def test_an_activity_is_a_post_with_its_details(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await make_event(database, resident, source="Neem handschoenen mee #opruimen @bram")
    assert post.kind == PostKind.EVENT and post.id is not None
    event = await event_row(database, post.id)
    assert (event.title, event.place, event.time_zone) == (
        "Opruimen op het Merelplein",
        "Merelplein",
        "Europe/Amsterdam",
    )
    assert await notified(database, neighbour, NotificationKind.MENTION) == [post.id]
    async with database.reading() as session:
        page = await feeds.home_feed(session, neighbour)
    [view] = [view for view in page.items if view.post.id == post.id]
    assert view.event is not None and view.event.event.title == "Opruimen op het Merelplein"
    assert 'href="/tags/opruimen"' in view.post.content_html


async def test_the_composer_cannot_make_an_activity_without_its_details(
    database: Database, resident: Account
) -> None:
    assert posts.parse_kind("event") == PostKind.MESSAGE
    post = await make_event(database, resident)
    assert post.id is not None
    async with database.transaction() as session:
        draft = posts.Draft(source="Nieuwe tekst", kind=PostKind.MESSAGE)
        await posts.edit_post(session, resident, post.id, draft)  # the post's own edit form
    async with database.reading() as session:
        stored = await session.get(Post, post.id)
    assert stored is not None and stored.kind == PostKind.EVENT


async def test_going_until_full_then_the_waiting_list_moves_up(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, capacity=2)
    assert post.id is not None
    first, second, third, fourth = await people(database, neighbourhood, 4)
    assert (await answer(database, first, post.id, Status.GOING)).outcome == Outcome.GOING
    assert (await answer(database, second, post.id, Status.GOING)).outcome == Outcome.GOING
    assert (await answer(database, third, post.id, Status.GOING)).outcome == Outcome.WAITING
    assert (await answer(database, fourth, post.id, Status.GOING)).outcome == Outcome.WAITING
    assert (await event_row(database, post.id)).going_count == 2
    # Saying "going" again while waiting keeps one's place in the queue.
    assert (await answer(database, third, post.id, Status.GOING)).outcome == Outcome.WAITING

    left = await answer(database, first, post.id, Status.NOT_GOING)
    assert left.outcome == Outcome.NOT_GOING and left.moved_up == (third.id,)
    assert (await statuses(database, post.id))[third.id or 0] == Status.GOING
    assert (await statuses(database, post.id))[fourth.id or 0] == Status.WAITING
    assert (await event_row(database, post.id)).going_count == 2
    assert await notified(database, third, NotificationKind.MOVED_UP) == [post.id]
    assert await notified(database, fourth, NotificationKind.MOVED_UP) == []

    maybe = await answer(database, second, post.id, Status.MAYBE)
    assert maybe.moved_up == (fourth.id,)
    assert (await event_row(database, post.id)).going_count == 2


async def test_leaving_frees_a_place_and_the_organiser_takes_none(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, capacity=1)
    assert post.id is not None
    [waiting] = await people(database, neighbourhood, 1)
    await answer(database, neighbour, post.id, Status.GOING)
    await answer(database, waiting, post.id, Status.GOING)
    async with database.transaction() as session:
        left = await participation.withdraw(session, neighbour, post.id)
    assert left.outcome == Outcome.LEFT and left.moved_up == (waiting.id,)
    assert neighbour.id not in await statuses(database, post.id)
    with pytest.raises(NotAllowed):
        await answer(database, resident, post.id, Status.GOING)
    assert (await event_row(database, post.id)).going_count == 1


async def test_closed_sign_ups_take_nobody_new_but_let_people_step_back(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, capacity=1)
    assert post.id is not None
    [late, waiting] = await people(database, neighbourhood, 2)
    await answer(database, neighbour, post.id, Status.GOING)
    await answer(database, waiting, post.id, Status.GOING)
    async with database.transaction() as session:
        await events.set_sign_ups_closed(session, resident, post.id, True)
    refused = await answer(database, late, post.id, Status.GOING)
    assert (refused.outcome, refused.reason) == (Outcome.REFUSED_CLOSED, "event_sign_ups_closed")
    assert (await answer(database, late, post.id, Status.MAYBE)).refused
    stepped_back = await answer(database, neighbour, post.id, Status.NOT_GOING)
    assert stepped_back.moved_up == (waiting.id,), "who waited before the closing moves up"
    async with database.transaction() as session:
        with pytest.raises(NotAllowed):
            await events.set_sign_ups_closed(session, neighbour, post.id, False)
        await events.set_sign_ups_closed(session, resident, post.id, False)
    assert (await answer(database, late, post.id, Status.MAYBE)).outcome == Outcome.MAYBE


async def test_no_waiting_list_when_asked_for_none(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, capacity=1)
    assert post.id is not None
    [other] = await people(database, neighbourhood, 1)
    await answer(database, neighbour, post.id, Status.GOING)
    async with database.transaction() as session:
        refused = await participation.respond(
            session, other, post.id, Status.GOING, waiting_list=False
        )
    assert (refused.outcome, refused.reason) == (Outcome.REFUSED_FULL, "event_full")
    assert other.id not in await statuses(database, post.id)


async def test_an_ended_or_cancelled_activity_takes_no_answers(
    database: Database, resident: Account, neighbour: Account
) -> None:
    past = utcnow() - timedelta(days=3)
    ended = await make_event(database, resident, starts_at=past + timedelta(hours=1), now=past)
    assert ended.id is not None
    refused = await answer(database, neighbour, ended.id, Status.GOING)
    assert (refused.outcome, refused.reason) == (Outcome.REFUSED_CLOSED, "event_ended")
    post = await make_event(database, resident)
    assert post.id is not None
    async with database.transaction() as session:
        await events.cancel_event(session, resident, post.id)
    for status in (Status.GOING, Status.MAYBE, Status.NOT_GOING):
        refused = await answer(database, neighbour, post.id, status)
        assert (refused.outcome, refused.reason) == (Outcome.REFUSED_CLOSED, "event_cancelled")
    assert await statuses(database, post.id) == {}


async def test_cancelling_tells_who_takes_part_and_keeps_the_activity(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, capacity=1)
    assert post.id is not None
    maybe, waiting, not_going = await people(database, neighbourhood, 3)
    await answer(database, neighbour, post.id, Status.GOING)
    await answer(database, maybe, post.id, Status.MAYBE)
    await answer(database, waiting, post.id, Status.GOING)
    await answer(database, not_going, post.id, Status.NOT_GOING)
    async with database.transaction() as session:
        with pytest.raises(NotAllowed):
            await events.cancel_event(session, neighbour, post.id)
    async with database.transaction() as session:
        await events.cancel_event(session, resident, post.id)
    event = await event_row(database, post.id)
    assert event.cancelled_at is not None and event.sequence == 1
    for person in (neighbour, maybe, waiting):
        assert await notified(database, person, NotificationKind.EVENT_CANCELLED) == [post.id]
    assert await notified(database, not_going, NotificationKind.EVENT_CANCELLED) == []
    async with database.reading() as session:
        assert (await posts.get_visible(session, neighbour, post.id)).id == post.id


async def test_a_change_of_time_or_place_tells_who_takes_part(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident)
    assert post.id is not None
    [not_going] = await people(database, neighbourhood, 1)
    await answer(database, neighbour, post.id, Status.GOING)
    await answer(database, not_going, post.id, Status.NOT_GOING)
    draft = posts.Draft(source="Samen maken we de buurt schoon. Neem handschoenen mee!")
    renamed = EventInput(draft, replace(details(), title="Grote schoonmaak"))
    async with database.transaction() as session:
        await events.edit_event(session, resident, post.id, renamed)
    event = await event_row(database, post.id)
    assert (event.title, event.sequence) == ("Grote schoonmaak", 1)
    assert await notified(database, neighbour, NotificationKind.EVENT_CHANGED) == []

    async with database.transaction() as session:
        stored = await session.get(Event, post.id)
        assert stored is not None
        stored.reminded_at = utcnow()
    later = details(starts_at=soon(days=8))
    moved = EventInput(draft, replace(later, title="Grote schoonmaak", place="Kerkplein"))
    async with database.transaction() as session:
        await events.edit_event(session, resident, post.id, moved)
    event = await event_row(database, post.id)
    assert (event.place, event.sequence, event.reminded_at) == ("Kerkplein", 2, None)
    assert await notified(database, neighbour, NotificationKind.EVENT_CHANGED) == [post.id]
    assert await notified(database, not_going, NotificationKind.EVENT_CHANGED) == []
    async with database.transaction() as session:
        with pytest.raises(NotAllowed):
            await events.edit_event(session, neighbour, post.id, moved)


async def test_more_places_move_the_waiting_list_up_and_fewer_than_going_are_refused(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, capacity=1)
    assert post.id is not None
    [waiting] = await people(database, neighbourhood, 1)
    await answer(database, neighbour, post.id, Status.GOING)
    await answer(database, waiting, post.id, Status.GOING)
    draft = posts.Draft(source="Samen maken we de buurt schoon. Neem handschoenen mee!")
    async with database.transaction() as session:
        await events.edit_event(session, resident, post.id, EventInput(draft, details(capacity=5)))
    assert (await statuses(database, post.id))[waiting.id or 0] == Status.GOING
    assert (await event_row(database, post.id)).going_count == 2
    assert await notified(database, waiting, NotificationKind.MOVED_UP) == [post.id]
    async with database.transaction() as session:
        with pytest.raises(InvalidInput) as refused:
            await events.edit_event(
                session, resident, post.id, EventInput(draft, details(capacity=1))
            )
    assert refused.value.errors == {"capacity": "capacity_below_going"}
    assert (await event_row(database, post.id)).capacity == 5


async def test_the_organisers_message_reaches_who_takes_part_and_survives_an_edit(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident)
    assert post.id is not None
    maybe, not_going, bystander = await people(database, neighbourhood, 3)
    async with database.transaction() as session:
        with pytest.raises(InvalidInput):
            await events.message_participants(session, resident, post.id, "Hallo allemaal")
    await answer(database, neighbour, post.id, Status.GOING)
    await answer(database, maybe, post.id, Status.MAYBE)
    await answer(database, not_going, post.id, Status.NOT_GOING)
    async with database.transaction() as session:
        with pytest.raises(NotAllowed):
            await events.message_participants(session, neighbour, post.id, "Ik ben de baas")
        message = await events.message_participants(
            session, resident, post.id, "We beginnen om tien uur."
        )
    assert message.visibility == Visibility.DIRECT and message.in_reply_to_id == post.id
    assert message.id is not None
    for person in (neighbour, maybe):
        assert await notified(database, person, NotificationKind.MENTION) == [message.id]
    async with database.reading() as session:
        for person, sees in ((neighbour, True), (maybe, True), (not_going, False)):
            try:
                await posts.get_visible(session, person, message.id)
            except NotFound:
                assert not sees
            else:
                assert sees
        with pytest.raises(NotFound):
            await posts.get_visible(session, bystander, message.id)
    async with database.transaction() as session:
        edited = posts.Draft(source="We beginnen om elf uur.", visibility=Visibility.DIRECT)
        await posts.edit_post(session, resident, message.id, edited)
    async with database.reading() as session:
        addressed = await session.exec(
            select(Mention.account_id).where(Mention.post_id == message.id)
        )
        assert set(addressed.all()) == {neighbour.id, maybe.id}


async def test_an_edit_still_drops_whoever_is_no_longer_named(
    database: Database, resident: Account, neighbour: Account
) -> None:
    async with database.transaction() as session:
        post = await posts.create_post(
            session, resident, posts.Draft(source="Hoi @bram", visibility=Visibility.DIRECT)
        )
    assert post.id is not None
    async with database.transaction() as session:
        await posts.edit_post(
            session, resident, post.id, posts.Draft(source="Hoi", visibility=Visibility.DIRECT)
        )
    async with database.reading() as session:
        with pytest.raises(NotFound):
            await posts.get_visible(session, neighbour, post.id)


async def test_deleting_the_post_deletes_the_activity_and_its_answers(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await make_event(database, resident)
    assert post.id is not None
    await answer(database, neighbour, post.id, Status.GOING)
    async with database.transaction() as session:
        stored = await session.get(Event, post.id)
        assert stored is not None
        stored.outcome_image_key, stored.outcome_thumbnail_key = (
            "a" * 32 + ".jpg",
            "b" * 32 + ".jpg",
        )
    async with database.transaction() as session:
        await posts.delete_post(session, resident, post.id)
    async with database.reading() as session:
        assert await session.get(Event, post.id) is None
        jobs = (await session.exec(select(Job).order_by(col(Job.id)))).all()
    assert await statuses(database, post.id) == {}
    assert any("a" * 32 + ".jpg" in job.payload and "b" * 32 in job.payload for job in jobs)


async def test_someone_elsewhere_takes_part_in_a_public_activity_only(
    database: Database, resident: Account
) -> None:
    async with database.transaction() as session:
        remote = Account(
            username="bob",
            username_key="bob@ver.example",
            domain="ver.example",
            actor_uri="https://ver.example/users/bob",
        )
        session.add(remote)
    public = await make_event(database, resident, visibility=Visibility.PUBLIC, capacity=1)
    local_only = await make_event(database, resident)
    assert public.id is not None and local_only.id is not None
    async with database.transaction() as session:
        joined = await participation.respond(
            session, remote, public.id, Status.GOING, join_uri="https://ver.example/joins/1"
        )
    assert joined.outcome == Outcome.GOING
    with pytest.raises(NotFound):
        await answer(database, remote, local_only.id, Status.GOING)
    assert (await event_row(database, public.id)).going_count == 1
