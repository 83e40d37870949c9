"""Volunteer tasks within an activity: taking one on makes one going (when there is a place),
a full task takes nobody more, and who stops going lets go of their tasks."""

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import event_summaries, event_tasks, events, posts
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.core.event_input import EventInput, TaskPlan
from buurtnet.core.event_summaries import TaskView
from buurtnet.db import Database
from buurtnet.models import Account, Neighbourhood
from buurtnet.models import ParticipationStatus as Status
from tests.conftest import make_account
from tests.events_kit import answer, details, event_row, make_event, statuses, task_ids

GLOVES = TaskPlan(None, "Mensen met handschoenen", 2)
CARGO_BIKE = TaskPlan(None, "Iemand met een bakfiets", 1)


async def event_tasks_of(
    session: AsyncSession, post_id: int, viewer_id: int | None
) -> list[TaskView]:
    return (await event_summaries.tasks_of(session, [post_id], viewer_id)).get(post_id, [])


async def volunteer(
    database: Database, account: Account, post_id: int, task_id: int
) -> event_tasks.TaskAnswer:
    async with database.transaction() as session:
        return await event_tasks.volunteer(session, account, post_id, task_id)


async def test_taking_on_a_task_makes_one_going_and_a_full_task_takes_nobody_more(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, tasks=(GLOVES, CARGO_BIKE))
    assert post.id is not None
    gloves, bike = await task_ids(database, post.id)
    cor = await make_account(database, "cor", neighbourhood=neighbourhood)
    assert (await volunteer(database, neighbour, post.id, bike)).taken
    assert (await statuses(database, post.id))[neighbour.id or 0] == Status.GOING
    assert (await event_row(database, post.id)).going_count == 1
    refused = await volunteer(database, cor, post.id, bike)
    assert (refused.taken, refused.reason) == (False, "task_full")
    assert cor.id not in await statuses(database, post.id), "nothing half-written"
    assert (await volunteer(database, neighbour, post.id, bike)).taken, "the same again is fine"
    assert (await volunteer(database, resident, post.id, gloves)).taken, "the organiser helps"
    assert resident.id not in await statuses(database, post.id), "and takes no place"


async def test_someone_who_would_wait_cannot_take_on_a_task(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, capacity=1, tasks=(CARGO_BIKE,))
    assert post.id is not None
    [bike] = await task_ids(database, post.id)
    cor = await make_account(database, "cor", neighbourhood=neighbourhood)
    await answer(database, neighbour, post.id, Status.GOING)
    await answer(database, cor, post.id, Status.GOING)
    refused = await volunteer(database, cor, post.id, bike)
    assert (refused.taken, refused.reason) == (False, "event_full")
    assert (await statuses(database, post.id))[cor.id or 0] == Status.WAITING


async def test_who_stops_going_lets_go_of_tasks_and_letting_go_keeps_one_going(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await make_event(database, resident, tasks=(GLOVES, CARGO_BIKE))
    assert post.id is not None
    gloves, bike = await task_ids(database, post.id)
    await volunteer(database, neighbour, post.id, gloves)
    await volunteer(database, neighbour, post.id, bike)
    async with database.transaction() as session:
        await event_tasks.let_go(session, neighbour, post.id, bike)
    assert (await statuses(database, post.id))[neighbour.id or 0] == Status.GOING
    async with database.reading() as session:
        views = await event_tasks_of(session, post.id, neighbour.id)
    assert [(view.taken, view.mine) for view in views] == [(1, True), (0, False)]
    await answer(database, neighbour, post.id, Status.MAYBE)
    async with database.reading() as session:
        views = await event_tasks_of(session, post.id, neighbour.id)
    assert [view.taken for view in views] == [0, 0]


async def test_closed_sign_ups_let_who_comes_help_but_nobody_new(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, tasks=(GLOVES,))
    assert post.id is not None
    [gloves] = await task_ids(database, post.id)
    cor = await make_account(database, "cor", neighbourhood=neighbourhood)
    await answer(database, neighbour, post.id, Status.GOING)
    async with database.transaction() as session:
        await events.set_sign_ups_closed(session, resident, post.id, True)
    assert (await volunteer(database, neighbour, post.id, gloves)).taken
    refused = await volunteer(database, cor, post.id, gloves)
    assert refused.reason == "event_sign_ups_closed"


async def test_a_task_of_another_activity_is_not_found(
    database: Database, resident: Account, neighbour: Account
) -> None:
    first = await make_event(database, resident, tasks=(GLOVES,))
    second = await make_event(database, resident)
    assert first.id is not None and second.id is not None
    [gloves] = await task_ids(database, first.id)
    with pytest.raises(NotFound):
        await volunteer(database, neighbour, second.id, gloves)
    assert await statuses(database, second.id) == {}
    tampered = EventInput(
        posts.Draft(source="Andere tekst"), details(), (TaskPlan(gloves, "Overgenomen", 1),)
    )
    async with database.transaction() as session:
        with pytest.raises(NotFound):
            await events.edit_event(session, resident, second.id, tampered)


async def test_the_organiser_changes_and_removes_tasks_but_not_below_their_volunteers(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, tasks=(GLOVES, CARGO_BIKE))
    assert post.id is not None
    gloves, bike = await task_ids(database, post.id)
    cor = await make_account(database, "cor", neighbourhood=neighbourhood)
    await volunteer(database, neighbour, post.id, gloves)
    await volunteer(database, cor, post.id, gloves)
    draft = posts.Draft(source="Samen maken we de buurt schoon. Neem handschoenen mee!")
    fewer = EventInput(draft, details(), (TaskPlan(gloves, "Handschoenen", 1),))
    async with database.transaction() as session:
        with pytest.raises(InvalidInput) as refused:
            await events.edit_event(session, resident, post.id, fewer)
    assert refused.value.errors == {"task-1-places": "task_places_below_volunteers"}
    changed = EventInput(
        draft,
        details(),
        (TaskPlan(gloves, "Handschoenen", 3), TaskPlan(bike, "", 1), TaskPlan(None, "Koffie", 1)),
    )
    async with database.transaction() as session:
        await events.edit_event(session, resident, post.id, changed)
    async with database.reading() as session:
        views = await event_tasks_of(session, post.id, None)
    assert [(view.task.title, view.task.places, view.taken) for view in views] == [
        ("Handschoenen", 3, 2),
        ("Koffie", 1, 0),
    ]
