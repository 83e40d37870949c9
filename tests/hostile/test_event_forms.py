"""Bad input to the forms of activities: a clear message on the form (400) and nothing written;
tampered ids are not found (404); refused sign-ups say why (400) and change nothing; hostile
titles and places stay text."""

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.models import (
    Account,
    Event,
    EventTask,
    Neighbourhood,
    Participation,
    Post,
    Visibility,
    utcnow,
)
from buurtnet.models import ParticipationStatus as Status
from tests.conftest import browser_for, csrf_token, log_in, make_account, post_form
from tests.events_kit import ZONE, answer, event_row, make_event, soon
from tests.hostile.test_web_pages import VECTORS, active_content


def english(app: Starlette) -> httpx.AsyncClient:
    return browser_for(app, headers={"Accept-Language": "en"})


def form_for(**fields: str) -> dict[str, str]:
    day = soon().astimezone(ZONE).date().isoformat()
    return {
        "title": "Repair café",
        "category": "repair_cafe",
        "source": "Neem uw kapotte spullen mee.",
        "start_date": day,
        "start_time": "14:00",
        "end_time": "17:00",
        "place": "Buurthuis De Linde",
        "visibility": "neighbourhood",
    } | fields


async def counts(database: Database) -> tuple[int, ...]:
    async with database.reading() as session:
        return tuple(
            [
                (await session.exec(select(func.count()).select_from(table))).one()
                for table in (Post, Event, EventTask, Participation)
            ]
        )


BAD_FORMS = [
    ({"end_time": "13:00"}, "end_time", "The end must be after the start."),
    ({"start_date": "1900-01-01"}, "start_date", "This moment has passed."),
    ({"start_date": "2999-06-01"}, "start_date", "Choose a start within two years from now."),
    ({"start_date": "morgen"}, "start_date", "Fill in a date, for example 24-12-2026."),
    ({"start_time": "25:61"}, "start_time", "Fill in a time, for example 14:30."),
    ({"capacity": "0"}, "capacity", "Fill in a number from 1 to 10000"),
    ({"capacity": "-3"}, "capacity", "Fill in a number from 1 to 10000"),
    ({"capacity": "1000000"}, "capacity", "Fill in a number from 1 to 10000"),
    ({"title": ""}, "title", "Give the activity a name."),
    ({"title": "Lang " * 40}, "title", "at most 120 characters"),
    ({"category": "casino"}, "category", "Choose a kind of activity from the list."),
    ({"latitude": "123", "longitude": "5"}, "latitude", "from -90 to 90"),
    ({"latitude": "52", "longitude": "200"}, "longitude", "from -180 to 180"),
    ({"latitude": "52.1"}, "longitude", "Fill in both the latitude and the longitude"),
    ({"place": ""}, "place", "Fill in where it is"),
    ({"source": ""}, "source", "Tell in a few words what will happen."),
    ({"task_title": "Koffie zetten", "task_places": "0"}, "task-1-places", "from 1 to 1000"),
    ({"task_title": "Koffie zetten", "task_id": "999999"}, "form", ""),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD_FORMS)
async def test_a_bad_activity_form_comes_back_with_a_message(
    app: Starlette,
    database: Database,
    resident: Account,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = await counts(database)
    async with english(app) as anna:
        await log_in(anna, "anna")
        response = await post_form(anna, "/events/new", "/events", form_for(**fields))
    if field == "form":  # a task id in the form of a new activity: not ours to change
        assert response.status_code == 404
    else:
        assert response.status_code == 400, response.text
        assert message in response.text
        assert f'id="{field}-error"' in response.text or f'href="#{field}"' in response.text
        assert "Neem uw kapotte spullen mee." in response.text or field == "source"
    assert await counts(database) == before


async def test_a_resident_without_a_neighbourhood_cannot_organise(
    app: Starlette, database: Database
) -> None:
    await make_account(database, "zwerver")
    async with english(app) as client:
        await log_in(client, "zwerver")
        response = await post_form(client, "/events/new", "/events", form_for())
    assert response.status_code == 400 and "not part of a neighbourhood" in response.text
    assert await counts(database) == (0, 0, 0, 0)


async def test_a_file_that_is_no_photo_is_refused_and_nothing_stays(
    app: Starlette, database: Database, resident: Account, tmp_path: Path
) -> None:
    async with english(app) as anna:
        await log_in(anna, "anna")
        token = await csrf_token(anna, "/events/new")
        response = await anna.post(
            "/events",
            data={"csrf_token": token, **form_for()},
            files={"photo": ("foto.jpg", b"<svg onload=alert(1)>", "image/jpeg")},
        )
    assert response.status_code == 400 and "not a photo we can show" in response.text
    assert await counts(database) == (0, 0, 0, 0)
    media = tmp_path / "media"
    assert not media.exists() or not any(media.iterdir())


async def test_without_the_form_token_nothing_happens(
    app: Starlette, database: Database, resident: Account
) -> None:
    async with english(app) as anna:
        await log_in(anna, "anna")
        response = await anna.post("/events", data=form_for())
    assert response.status_code == 403
    assert await counts(database) == (0, 0, 0, 0)


async def refusal(client: httpx.AsyncClient, post_id: int, answer_value: str) -> httpx.Response:
    token = await csrf_token(client, "/events")
    path = f"/events/{post_id}/participation"
    return await client.post(path, data={"csrf_token": token, "answer": answer_value})


async def test_sign_ups_that_cannot_be_taken_say_why(
    app: Starlette,
    database: Database,
    resident: Account,
    neighbour: Account,
    neighbourhood: Neighbourhood,
) -> None:
    past = utcnow() - timedelta(days=2)
    ended = await make_event(database, resident, starts_at=past + timedelta(hours=1), now=past)
    cancelled = await make_event(database, resident)
    closed = await make_event(database, resident)
    hidden = await make_event(database, resident, visibility=Visibility.DIRECT)
    assert None not in (ended.id, cancelled.id, closed.id, hidden.id)
    async with database.transaction() as session:
        for post, change in ((cancelled, "cancelled_at"), (closed, "sign_ups_closed")):
            stored = await session.get(Event, post.id)
            assert stored is not None
            setattr(stored, change, utcnow() if change == "cancelled_at" else True)
    before = await counts(database)
    async with english(app) as bram:
        await log_in(bram, "bram")
        for post, message in (
            (ended, "This activity is over."),
            (cancelled, "This activity is cancelled."),
            (closed, "The organiser has closed the sign-ups."),
        ):
            response = await refusal(bram, post.id or 0, "going")
            assert response.status_code == 400 and message in response.text
        assert (await refusal(bram, hidden.id or 0, "going")).status_code == 404
        wrong = await refusal(bram, closed.id or 0, "ja graag")
        assert wrong.status_code == 400 and "Choose: I will come, maybe" in wrong.text
        for path in ("/events/999999/participation", "/events/abc/participation"):
            token = await csrf_token(bram, "/events")
            response = await bram.post(path, data={"csrf_token": token, "answer": "going"})
            assert response.status_code == 404, path
        not_an_event = await make_post(database, neighbour)
        assert (await refusal(bram, not_an_event, "going")).status_code == 404
    assert await counts(database) == (before[0] + 1, *before[1:])


async def make_post(database: Database, author: Account) -> int:
    async with database.transaction() as session:
        post = Post(author_id=author.id or 0, source="Gewoon een bericht", content_html="<p>x</p>")
        session.add(post)
        await session.flush()
        assert post.id is not None
        return post.id


async def test_tampered_ids_are_not_found_and_change_nothing(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    mine = await make_event(database, resident, tasks=())
    other = await make_event(database, neighbour)
    assert mine.id is not None and other.id is not None
    async with database.transaction() as session:
        session.add(EventTask(post_id=other.id, title="Van een ander", places=2))
    async with database.reading() as session:
        foreign_task = (await session.exec(select(EventTask.id))).one()
    before = await counts(database)
    async with english(app) as anna:
        await log_in(anna, "anna")
        token = await csrf_token(anna, "/events")
        for path in (
            f"/events/{mine.id}/tasks/{foreign_task}",
            f"/events/{mine.id}/tasks/99999999999",
            f"/events/{mine.id}/tasks/²",
        ):
            response = await anna.post(path, data={"csrf_token": token, "take": "1"})
            assert response.status_code == 404, path
        for path in ("/events/0/edit", "/events/2147483648/edit", "/events/-1/cancel"):
            assert (await anna.get(path)).status_code == 404, path
        assert (await anna.get(f"/events/{other.id}/edit")).status_code == 403
        edit = form_for(task_id=str(foreign_task), task_title="Van mij nu", task_places="1")
        response = await post_form(anna, "/events/new", f"/events/{mine.id}/edit", edit)
        assert response.status_code == 404
        for post_id in ("", "x", "99999999999", str(other.id)):
            response = await anna.post(
                "/events/outcome", data={"csrf_token": token, "post_id": post_id}
            )
            assert response.status_code in (403, 404), post_id
    assert await counts(database) == before
    async with database.reading() as session:
        task = await session.get(EventTask, foreign_task)
    assert task is not None and task.title == "Van een ander"
    assert (await event_row(database, mine.id)).sequence == 0


async def test_the_outcome_before_the_end_or_by_someone_else_is_refused(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    upcoming = await make_event(database, resident)
    past = utcnow() - timedelta(days=2)
    ended = await make_event(database, resident, starts_at=past + timedelta(hours=1), now=past)
    assert upcoming.id is not None and ended.id is not None
    fields = {"attendance": "10", "litter_bags": "3", "note": "Top"}
    async with english(app) as anna, english(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        token = await csrf_token(anna, "/events")
        early = await anna.post(
            "/events/outcome", data={"csrf_token": token, "post_id": str(upcoming.id)} | fields
        )
        assert early.status_code == 400 and "once the activity is over" in early.text
        bram_token = await csrf_token(bram, "/events")
        other = await bram.post(
            "/events/outcome", data={"csrf_token": bram_token, "post_id": str(ended.id)} | fields
        )
        assert other.status_code == 403
        wrong = await anna.post(
            "/events/outcome",
            data={"csrf_token": token, "post_id": str(ended.id), "attendance": "-4"},
        )
        assert wrong.status_code == 400 and "from 0 to 10000" in wrong.text
    for post_id in (upcoming.id, ended.id):
        assert (await event_row(database, post_id)).outcome_at is None


async def test_bad_months_and_neighbourhoods_in_the_list(app: Starlette, resident: Account) -> None:
    async with english(app) as anna:
        await log_in(anna, "anna")
        for month in (
            "2026-00",
            "1899-01",
            "9999-01",
            "december",
            "2026-1-1",
            "\uff12\uff10\uff12\uff16-01",
        ):
            response = await anna.get("/events", params={"month": month})
            assert response.status_code == 400, month
            assert "Choose a month like 2026-12." in response.text
        assert (await anna.get("/events?neighbourhood=%00")).status_code == 404


async def test_hostile_titles_places_and_texts_stay_inert(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    async with browser_for(app) as bram:
        await log_in(bram, "bram")
        for number, vector in enumerate(VECTORS[:40]):
            post = await make_event(
                database,
                resident,
                source=f"Kom! {vector}",
                title=f"Feest {vector}"[:120],
                place=f"Plein {vector}"[:300],
                starts_at=soon(days=1 + number % 20),
            )
            assert post.id is not None
            await answer(database, neighbour, post.id, Status.GOING)
            for path in (f"/posts/{post.id}", "/events", "/"):
                page = await bram.get(path)
                assert page.status_code == 200, (path, vector)
                assert active_content(page.text) == [], (path, vector)
