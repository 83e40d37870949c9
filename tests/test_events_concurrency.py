"""Sign-ups at the same moment: the last place (or task) goes to exactly one person, the others
wait, and `going_count` stays in step. Real concurrent requests and transactions on the test's
database (SQLite or PostgreSQL), no mocked lock."""

import asyncio

import httpx
from starlette.applications import Starlette

from buurtnet.core import event_tasks, participation
from buurtnet.core.event_input import TaskPlan
from buurtnet.db import Database
from buurtnet.models import Account, Neighbourhood
from buurtnet.models import ParticipationStatus as Status
from tests.conftest import browser_for, csrf_token, log_in, make_account
from tests.events_kit import answer, event_row, make_event, statuses, task_ids

SIGNING_UP_AT_ONCE = 8
REQUESTS_AT_ONCE = 4


async def residents(database: Database, place: Neighbourhood, count: int) -> list[Account]:
    return [
        await make_account(database, f"tegelijk{number}", neighbourhood=place)
        for number in range(count)
    ]


async def test_requests_for_the_last_place_at_once(
    app: Starlette,
    database: Database,
    resident: Account,
    neighbour: Account,
    neighbourhood: Neighbourhood,
) -> None:
    """Requests through the app, side by side: one gets the last place, the others wait."""
    post = await make_event(database, resident, capacity=2)
    assert post.id is not None
    await answer(database, neighbour, post.id, Status.GOING)
    people = await residents(database, neighbourhood, REQUESTS_AT_ONCE)
    clients = [browser_for(app) for _person in people]
    try:
        for client, person in zip(clients, people, strict=True):
            await log_in(client, person.username)
        tokens = [await csrf_token(client, f"/posts/{post.id}") for client in clients]

        async def sign_up(client: httpx.AsyncClient, token: str) -> int:
            path = f"/events/{post.id}/participation"
            response = await client.post(path, data={"csrf_token": token, "answer": "going"})
            return response.status_code

        codes = await asyncio.gather(*map(sign_up, clients, tokens))
    finally:
        for client in clients:
            await client.aclose()
    assert codes == [303] * REQUESTS_AT_ONCE
    answers = await statuses(database, post.id)
    found = sorted(answers[person.id or 0] for person in people)
    assert found == ["going"] + ["waiting"] * (REQUESTS_AT_ONCE - 1)
    assert (await event_row(database, post.id)).going_count == 2


async def test_many_transactions_at_once_fill_exactly_the_places(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, capacity=3)
    assert post.id is not None
    people = await residents(database, neighbourhood, SIGNING_UP_AT_ONCE)

    async def sign_up(person: Account) -> participation.Outcome:
        async with database.transaction() as session:
            assert post.id is not None
            return (await participation.respond(session, person, post.id, Status.GOING)).outcome

    outcomes = await asyncio.gather(*(sign_up(person) for person in people))
    assert outcomes.count(participation.Outcome.GOING) == 3
    assert outcomes.count(participation.Outcome.WAITING) == SIGNING_UP_AT_ONCE - 3
    answers = await statuses(database, post.id)
    assert sorted(answers.values()).count("going") == 3
    assert (await event_row(database, post.id)).going_count == 3

    async def step_back(person: Account) -> None:
        async with database.transaction() as session:
            assert post.id is not None
            await participation.respond(session, person, post.id, Status.NOT_GOING)

    going = [person for person in people if answers[person.id or 0] == "going"]
    await asyncio.gather(*(step_back(person) for person in going))
    answers = await statuses(database, post.id)
    assert sorted(answers.values()).count("going") == 3, "three who waited moved up"
    assert (await event_row(database, post.id)).going_count == 3


async def test_a_double_click_signs_up_once(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await make_event(database, resident, capacity=5)
    assert post.id is not None

    async def sign_up() -> None:
        async with database.transaction() as session:
            assert post.id is not None
            await participation.respond(session, neighbour, post.id, Status.GOING)

    await asyncio.gather(sign_up(), sign_up(), sign_up())
    assert await statuses(database, post.id) == {neighbour.id: "going"}
    assert (await event_row(database, post.id)).going_count == 1


async def test_the_last_place_of_a_task_goes_to_one(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    post = await make_event(database, resident, tasks=(TaskPlan(None, "Bakfiets", 1),))
    assert post.id is not None
    [bike] = await task_ids(database, post.id)
    people = await residents(database, neighbourhood, 4)

    async def take(person: Account) -> bool:
        async with database.transaction() as session:
            assert post.id is not None
            return (await event_tasks.volunteer(session, person, post.id, bike)).taken

    taken = await asyncio.gather(*(take(person) for person in people))
    assert taken.count(True) == 1
    assert (await event_row(database, post.id)).going_count == 1
