"""Someone who deletes their account takes their sign-ups, tasks and votes along: a place at an
activity to come goes to the first who waits, an open poll's counts go down, and what is over
(an activity's count, an ended poll's result) stays as it was."""

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from buurtnet.core import account_deletion, event_tasks
from buurtnet.core.event_input import TaskPlan
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    Event,
    Neighbourhood,
    NotificationKind,
    Poll,
    TaskVolunteer,
    utcnow,
)
from buurtnet.models import ParticipationStatus as Status
from tests.conftest import make_account
from tests.events_kit import answer, event_row, make_event, notified, statuses, task_ids
from tests.test_polls import cast, counts, option_ids, write_poll


async def delete(database: Database, account: Account) -> None:
    async with database.transaction() as session:
        stored = await session.get(Account, account.id)
        assert stored is not None
        await account_deletion.delete_account(session, stored)


async def test_a_place_comes_free_for_the_first_who_waits(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, capacity=1, tasks=(TaskPlan(None, "Bakfiets", 1),))
    assert post.id is not None
    [task_id] = await task_ids(database, post.id)
    async with database.transaction() as session:
        await event_tasks.volunteer(session, neighbour, post.id, task_id)
    carla = await make_account(database, "carla", neighbourhood=neighbourhood)
    assert (await answer(database, carla, post.id, Status.GOING)).outcome == "waiting"
    await delete(database, neighbour)
    assert await statuses(database, post.id) == {carla.id: Status.GOING}
    assert await notified(database, carla, NotificationKind.MOVED_UP) == [post.id]
    assert (await event_row(database, post.id)).going_count == 1
    async with database.reading() as session:
        assert (await session.exec(select(TaskVolunteer))).all() == []


async def test_an_activity_that_is_over_keeps_its_count(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await make_event(database, resident)
    assert post.id is not None
    await answer(database, neighbour, post.id, Status.GOING)
    async with database.transaction() as session:
        past = utcnow() - timedelta(days=2)
        await session.exec(
            update(Event)
            .where(col(Event.post_id) == post.id)
            .values(starts_at=past, ends_at=past + timedelta(hours=2))
        )
    await delete(database, neighbour)
    assert await statuses(database, post.id) == {}
    assert (await event_row(database, post.id)).going_count == 1


async def test_votes_go_from_open_polls_and_ended_results_stay(
    database: Database, resident: Account, neighbour: Account
) -> None:
    open_poll = await write_poll(database, resident)
    ended_poll = await write_poll(database, resident)
    for poll in (open_poll, ended_poll):
        await cast(database, neighbour, poll, (await option_ids(database, poll))[0])
    async with database.transaction() as session:
        await session.exec(
            update(Poll)
            .where(col(Poll.post_id) == ended_poll.id)
            .values(ends_at=utcnow() - timedelta(minutes=1))
        )
    await delete(database, neighbour)
    assert await counts(database, open_poll) == ([0, 0, 0], 0)
    assert await counts(database, ended_poll) == ([1, 0, 0], 1)
