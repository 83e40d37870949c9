"""Sign-ups from other servers that should change nothing: a Join without an object, of a post
that is no activity, of an id that is not ours; a message that is too long or carries HTML; a
Leave of an activity one never joined; the same Join sent twice. Each is dropped without an
answer, or taken once and bounded; no place is taken that should not be."""

from typing import Any

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.models import Account, Participation, Visibility
from buurtnet.models import ParticipationStatus as Status
from tests.conftest import BASE_URL, write_post
from tests.events_kit import answer, event_row, make_event, statuses
from tests.kit.federation import deliver, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB
from tests.test_events_federation import answers_to, join_of, leave_of


async def participations(database: Database) -> list[Participation]:
    async with database.reading() as session:
        return list((await session.exec(select(Participation))).all())


async def test_a_join_without_an_object_is_dropped_without_an_answer(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    resident: Account,
) -> None:
    post = await make_event(database, resident, visibility=Visibility.PUBLIC)
    join = join_of(BOB, post)
    del join["object"]
    assert (await deliver(client, BOB, join)).status_code == 202
    await run_queue(app)
    assert answers_to(network, BOB) == []
    assert await participations(database) == []


@pytest.mark.parametrize(
    "target",
    [
        "a message",  # a post of ours that is no activity
        f"{BASE_URL}/users/anna/statuses/999999",  # no such post
        "https://elsewhere.example/events/1",  # not ours to answer
        f"{BASE_URL}/n/vogelwijk",  # a group: joining a neighbourhood is following it
    ],
)
async def test_a_join_of_what_is_no_activity_of_ours_gets_no_answer(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    resident: Account,
    target: str,
) -> None:
    if target == "a message":
        message = await write_post(database, resident, "Hallo", visibility=Visibility.PUBLIC)
        target = f"{BASE_URL}/users/anna/statuses/{message.id}"
    join: dict[str, Any] = {
        "id": f"{BOB.id}#joins/1",
        "type": "Join",
        "actor": BOB.id,
        "object": target,
    }
    assert (await deliver(client, BOB, join)).status_code == 202
    await run_queue(app)
    assert answers_to(network, BOB) == []
    assert await participations(database) == []


async def test_a_message_with_html_or_too_long_is_kept_as_bounded_text(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    resident: Account,
) -> None:
    post = await make_event(database, resident, visibility=Visibility.PUBLIC)
    join = join_of(BOB, post) | {"participationMessage": "<script>alert(1)</script>" + "x" * 5000}
    assert (await deliver(client, BOB, join)).status_code == 202
    await run_queue(app)
    [row] = await participations(database)
    assert row.status == Status.GOING
    assert "<script" not in row.message and len(row.message) <= 500


async def test_a_leave_of_an_activity_never_joined_changes_nothing(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    resident: Account,
    neighbour: Account,
) -> None:
    post = await make_event(database, resident, visibility=Visibility.PUBLIC, capacity=1)
    assert post.id is not None
    await answer(database, neighbour, post.id, Status.GOING)
    assert (await deliver(client, BOB, leave_of(BOB, post))).status_code == 202
    await run_queue(app)
    assert await statuses(database, post.id) == {neighbour.id: Status.GOING}
    assert (await event_row(database, post.id)).going_count == 1


async def test_the_same_join_twice_is_taken_once(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    resident: Account,
) -> None:
    post = await make_event(database, resident, visibility=Visibility.PUBLIC, capacity=3)
    assert post.id is not None
    join = join_of(BOB, post)
    for _ in range(2):
        assert (await deliver(client, BOB, join)).status_code == 202
    await run_queue(app)
    assert [body["type"] for body in answers_to(network, BOB)] == ["Accept"]
    assert (await event_row(database, post.id)).going_count == 1
    [row] = await participations(database)
    assert row.uri == join["id"] and row.status == Status.GOING
