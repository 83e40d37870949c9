"""Activities through the browser's eyes (HTTP, no JavaScript): organising one with the form,
signing up until it is full, the waiting list, the organiser's tools, the lists and the month."""

import io
import re
from datetime import UTC, datetime, time, timedelta

import httpx
from PIL import Image
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.models import Account, Event, Neighbourhood, NotificationKind, utcnow
from tests.conftest import browser_for, csrf_token, log_in, make_account, post_form
from tests.events_kit import ZONE, event_row, last_sunday, notified, soon, statuses

DASH = "\N{EN DASH}"
CREATED = re.compile(r"^/posts/(\d+)$")


def english(app: Starlette) -> httpx.AsyncClient:
    """A browser that asks for English: the Dutch texts of activities are merged later."""
    return browser_for(app, headers={"Accept-Language": "en"})


def form_for(**fields: str) -> dict[str, str]:
    day = soon().astimezone(ZONE).date().isoformat()
    return {
        "title": "Opruimen op het Merelplein",
        "category": "clean_up",
        "source": "We ruimen samen het plein op. Neem handschoenen mee!",
        "start_date": day,
        "start_time": "10:00",
        "end_time": "12:00",
        "place": "Merelplein",
        "capacity": "",
        "visibility": "neighbourhood",
    } | fields


async def organise(client: httpx.AsyncClient, **fields: str) -> int:
    response = await post_form(client, "/events/new", "/events", form_for(**fields))
    assert response.status_code == 303, response.text
    found = CREATED.match(response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


async def say(client: httpx.AsyncClient, post_id: int, answer: str) -> httpx.Response:
    return await post_form(
        client, f"/posts/{post_id}", f"/events/{post_id}/participation", {"answer": answer}
    )


async def test_a_resident_organises_an_activity_and_neighbours_sign_up_until_full(
    app: Starlette,
    database: Database,
    resident: Account,
    neighbour: Account,
    neighbourhood: Neighbourhood,
) -> None:
    await make_account(database, "cor", neighbourhood=neighbourhood)
    async with english(app) as anna, english(app) as bram, english(app) as cor:
        for client, name in ((anna, "anna"), (bram, "bram"), (cor, "cor")):
            await log_in(client, name)
        post_id = await organise(anna, capacity="1")
        page = (await bram.get(f"/posts/{post_id}")).text
        assert "Opruimen op het Merelplein" in page and "Clean-up" in page
        assert soon().astimezone(ZONE).strftime("%A") in page
        assert f"10:00 {DASH} 12:00" in page and "Merelplein" in page
        assert "1 place left" in page and "I will come" in page

        assert (await say(bram, post_id, "going")).status_code == 303
        page = (await bram.get(f"/posts/{post_id}")).text
        assert "You are coming." in page and "<strong>Full</strong>" in page
        page = (await cor.get(f"/posts/{post_id}")).text
        assert "Put me on the waiting list" in page
        assert (await say(cor, post_id, "going")).status_code == 303
        page = (await cor.get(f"/posts/{post_id}")).text
        assert "You are on the waiting list, number 1." in page

        assert (await say(bram, post_id, "not_going")).status_code == 303
        page = (await cor.get(f"/posts/{post_id}")).text
        assert "You are coming." in page
        notes = (await cor.get("/notifications")).text
        assert "A place came free" in notes and "Show the activity" in notes

        organiser_view = (await anna.get(f"/events/{post_id}/participants")).text
        assert "@cor" in organiser_view and "@bram" in organiser_view
        assert (await bram.get(f"/events/{post_id}/participants")).status_code == 403


async def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(
    app: Starlette, database: Database, resident: Account
) -> None:
    spring = last_sunday(utcnow().year + 1, 3).isoformat()
    async with english(app) as anna:
        await log_in(anna, "anna")
        fields = form_for(
            start_date=spring, start_time="02:30", end_time="04:00", title="Nachtwandeling"
        )
        response = await post_form(anna, "/events/new", "/events", fields)
        assert response.status_code == 400
        assert "This time does not exist on that day" in response.text
        assert 'value="Nachtwandeling"' in response.text
        assert "We ruimen samen het plein op." in response.text
        assert "Nachtwandeling" not in (await anna.get("/events")).text


async def test_a_time_that_happens_twice_is_shown_as_summer_time(
    app: Starlette, database: Database, resident: Account
) -> None:
    autumn = last_sunday(utcnow().year + 1, 10)
    async with english(app) as anna:
        await log_in(anna, "anna")
        post_id = await organise(
            anna, start_date=autumn.isoformat(), start_time="02:30", end_time="04:00"
        )
        page = (await anna.get(f"/posts/{post_id}")).text
    assert f"02:30 (summer time) {DASH} 04:00" in page
    event = await event_row(database, post_id)
    starts = event.starts_at.replace(tzinfo=UTC)
    assert starts == datetime.combine(autumn, time(0, 30), tzinfo=UTC)


async def test_the_organiser_changes_closes_messages_and_cancels(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    async with english(app) as anna, english(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        post_id = await organise(anna)
        await say(bram, post_id, "maybe")
        assert (await bram.get(f"/events/{post_id}/edit")).status_code == 403
        edit = (await anna.get(f"/events/{post_id}/edit")).text
        assert 'value="Merelplein"' in edit and 'value="10:00"' in edit
        moved = form_for(place="Kerkplein", start_time="11:00", end_time="13:00")
        moved["task_title"] = "Iemand met een bakfiets"
        response = await post_form(
            anna, f"/events/{post_id}/edit", f"/events/{post_id}/edit", moved
        )
        assert response.status_code == 303
        assert await notified(database, neighbour, NotificationKind.EVENT_CHANGED) == [post_id]
        page = (await bram.get(f"/posts/{post_id}")).text
        assert (
            "Kerkplein" in page
            and f"11:00 {DASH} 13:00" in page
            and "Iemand met een bakfiets" in page
        )

        token = await csrf_token(anna, f"/posts/{post_id}")
        closed = await anna.post(
            f"/events/{post_id}/sign-ups", data={"csrf_token": token, "closed": "1"}
        )
        assert closed.status_code == 303 and (await event_row(database, post_id)).sign_ups_closed
        assert "Sign-ups are closed" in (await bram.get(f"/posts/{post_id}")).text

        sent = await post_form(
            anna, f"/events/{post_id}/message", f"/events/{post_id}/message", {"source": "Tot zo!"}
        )
        assert sent.status_code == 303
        assert "Tot zo!" in (await bram.get(f"/posts/{post_id}")).text
        assert "named you in a message" in (await bram.get("/notifications")).text

        cancelled = await post_form(
            anna, f"/events/{post_id}/cancel", f"/events/{post_id}/cancel", {}
        )
        assert cancelled.status_code == 303
        page = (await bram.get(f"/posts/{post_id}")).text
        assert "Cancelled" in page and "This activity does not take place." in page
        refused = await say(bram, post_id, "going")
        assert refused.status_code == 400 and "This activity is cancelled." in refused.text
        notes = (await bram.get("/notifications")).text
        assert "cancelled an activity you signed up for" in notes
        assert "changed the time or place of an activity" in notes


async def test_volunteer_tasks_through_the_page(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    async with english(app) as anna, english(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        fields = form_for() | {"task_title": "Handschoenen uitdelen", "task_places": "1"}
        post_id = await organise(anna, **fields)
        page = (await bram.get(f"/posts/{post_id}")).text
        task_id = re.search(rf'action="/events/{post_id}/tasks/(\d+)"', page)
        assert task_id, "a form to take on the task"
        token = await csrf_token(bram, f"/posts/{post_id}")
        path = f"/events/{post_id}/tasks/{task_id.group(1)}"
        taken = await bram.post(path, data={"csrf_token": token, "take": "1"})
        assert taken.status_code == 303
        assert (await statuses(database, post_id))[neighbour.id or 0] == "going"
        page = (await bram.get(f"/posts/{post_id}")).text
        assert "You do this" in page and "1 of 1 person" in page
        given_back = await bram.post(path, data={"csrf_token": token, "take": "0"})
        assert given_back.status_code == 303
        page = (await bram.get(f"/posts/{post_id}")).text
        assert "You do this" not in page and "You are coming." in page


async def test_the_outcome_afterwards_with_a_photo(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    async with english(app) as anna, english(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        post_id = await organise(anna)
        early = await post_form(
            anna, f"/events/{post_id}/outcome", "/events/outcome", {"post_id": str(post_id)}
        )
        assert early.status_code == 400 and "once the activity is over" in early.text
        async with database.transaction() as session:
            stored = await session.get(Event, post_id)
            assert stored is not None
            stored.starts_at = utcnow() - timedelta(hours=3)
            stored.ends_at = utcnow() - timedelta(hours=1)
        photo = io.BytesIO()
        Image.new("RGB", (64, 48), (20, 120, 40)).save(photo, "JPEG")
        token = await csrf_token(anna, f"/events/{post_id}/outcome")
        fields = {"csrf_token": token, "post_id": str(post_id), "attendance": "14"}
        fields |= {"litter_bags": "9", "note": "Dank allemaal!", "photo_alt": "Volle zakken"}
        saved = await anna.post(
            "/events/outcome",
            data=fields,
            files={"photo": ("zakken.jpg", photo.getvalue(), "image/jpeg")},
        )
        assert saved.status_code == 303, saved.text
        page = (await bram.get(f"/posts/{post_id}")).text
        assert "How it went" in page and "Dank allemaal!" in page
        assert 'alt="Volle zakken"' in page
        event = await event_row(database, post_id)
        assert (event.attendance, event.litter_bags) == (14, 9)
        assert (await bram.get(f"/events/{post_id}/outcome")).status_code == 403


async def test_lists_of_activities_and_the_month(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    async with english(app) as anna, english(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        post_id = await organise(anna, title="Buurtbarbecue", category="street_party")
        for path in ("/", "/n/vogelwijk", "/events"):
            page = (await bram.get(path)).text
            assert f'id="event-{post_id}"' in page and "Buurtbarbecue" in page, path
        month = soon().astimezone(ZONE).strftime("%Y-%m")
        page = (await bram.get(f"/events?month={month}")).text
        assert f'id="event-{post_id}-' in page
        assert (await bram.get("/events?when=past")).text.count("Buurtbarbecue") == 0
        bad = await bram.get("/events?month=2026-13")
        assert bad.status_code == 400 and "Choose a month like 2026-12." in bad.text
        assert (await bram.get("/events?neighbourhood=nergens")).status_code == 404
        async with english(app) as visitor:
            assert "Buurtbarbecue" not in (await visitor.get("/events")).text
            assert "Buurtbarbecue" not in (await visitor.get("/n/vogelwijk")).text
