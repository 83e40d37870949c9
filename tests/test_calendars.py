"""Activities in calendar apps, through the app: the .ics of one activity, the neighbourhood's
feed and the personal feed behind its secret link, each parsed back with `icalendar`; and the
pages that link to them.

Activities are made here as a post of kind `event` with its `Event` row, written directly, so
these tests do not wait on the pages that create activities.
"""

import logging
import re
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from babel.support import NullTranslations
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.core import account_deletion, calendars, posts
from buurtnet.core.login_sessions import hash_token
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    CalendarFeed,
    Event,
    EventCategory,
    Neighbourhood,
    Participation,
    ParticipationStatus,
    Post,
    PostKind,
    Visibility,
    utcnow,
)
from buurtnet.web.services import Services
from tests.conftest import BASE_URL, browser_for, log_in, make_account, post_form, write_post
from tests.test_calendars_ical import geo_of

FEED_LINK = re.compile(r'id="feed-url"[^>]* value="([^"]+)"')
ENGLISH = {"accept-language": "en"}


class MarkedDutch(NullTranslations):
    """Dutch that shows it was chosen, whether or not the catalog has the text yet."""

    def gettext(self, message: str) -> str:
        return f"[nl] {message}"


@pytest.fixture(autouse=True)
def marked_dutch(app: Starlette) -> None:
    found: Services = app.state.services
    found.translations["nl"] = MarkedDutch()


async def make_activity(
    database: Database,
    organiser: Account,
    title: str = "Opruimen in het park",
    *,
    visibility: Visibility = Visibility.PUBLIC,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    text: str = "Wij ruimen samen het park op. Neem handschoenen mee.",
    **details: Any,
) -> Post:
    """An activity as its core will make one: a post of kind `event` and its event details."""
    starts_at = starts_at or utcnow().replace(microsecond=0) + timedelta(days=3)
    async with database.transaction() as session:
        post = await posts.create_post(
            session,
            organiser,
            posts.Draft(source=text, kind=PostKind.EVENT, visibility=visibility),
        )
        assert post.id is not None
        session.add(
            Event(
                post_id=post.id,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at or starts_at + timedelta(hours=2),
                **details,
            )
        )
    return post


async def take_part(
    database: Database, post: Post, account: Account, status: ParticipationStatus
) -> None:
    assert post.id is not None and account.id is not None
    async with database.transaction() as session:
        session.add(Participation(post_id=post.id, account_id=account.id, status=status))


async def change_event(database: Database, post: Post, **changes: Any) -> None:
    async with database.transaction() as session:
        event = await session.get(Event, post.id)
        assert event is not None
        for name, value in changes.items():
            setattr(event, name, value)


def parsed(response: httpx.Response) -> Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events_by_uid(calendar: Calendar) -> dict[str, CalendarEvent]:
    return {str(event["UID"]): event for event in calendar.events}


def uid_of(author: str, post: Post) -> str:
    return f"{BASE_URL}/users/{author}/statuses/{post.id}"


def instant(event: CalendarEvent, name: str) -> datetime:
    value = event.decoded(name)
    assert isinstance(value, datetime) and value.tzinfo is not None
    return value


async def personal_link(client: httpx.AsyncClient) -> str:
    """Make (or renew) the personal feed on the settings page; the path of its link."""
    page = await post_form(client, "/settings/calendar", "/settings/calendar", {})
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    found = FEED_LINK.search(page.text)
    assert found, "the new link is on the page"
    assert found.group(1).startswith(BASE_URL + "/calendar/")
    assert 'href="webcal://testserver/calendar/' in page.text
    return found.group(1).removeprefix(BASE_URL)


# ------------------------------------------------------------------ one activity


async def test_the_file_of_an_activity_holds_its_details(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    starts_at = datetime.fromisoformat("2027-06-12T08:00:00+00:00")
    post = await make_activity(
        database,
        resident,
        "Opruimen in het park",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        place="Speeltuin, Merelstraat 4",
        latitude=52.0907,
        longitude=5.1214,
        category=EventCategory.CLEAN_UP,
        sequence=2,
    )
    response = await client.get(f"/events/{post.id}.ics")
    calendar = parsed(response)
    assert response.headers["content-disposition"] == (
        f'attachment; filename="opruimen-in-het-park-{post.id}.ics"'
    )
    assert response.headers["cache-control"] == "private, no-store"
    [event] = calendar.events
    assert str(event["UID"]) == uid_of("anna", post)
    assert event.decoded("SEQUENCE") == 2
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Opruimen in het park"
    assert str(event["LOCATION"]) == "Speeltuin, Merelstraat 4"
    assert geo_of(event) == pytest.approx((52.0907, 5.1214))
    assert str(event["URL"]) == f"{BASE_URL}/posts/{post.id}"
    assert str(event["DESCRIPTION"]).startswith("Wij ruimen samen het park op.")
    assert [str(name) for name in event.categories] == ["[nl] Clean-up"]
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert "DTSTART;TZID=Europe/Amsterdam:20270612T100000" in response.text
    assert instant(event, "DTSTART") == starts_at
    assert instant(event, "DTEND") == starts_at + timedelta(hours=3)
    assert [str(zone["TZID"]) for zone in calendar.timezones] == ["Europe/Amsterdam"]


async def test_without_an_end_or_a_place_those_are_left_out(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    starts_at = datetime.fromisoformat("2027-06-12T08:00:00+00:00")
    post = await make_activity(database, resident, starts_at=starts_at, ends_at=starts_at)
    [event] = parsed(await client.get(f"/events/{post.id}.ics")).events
    assert instant(event, "DTSTART") == starts_at
    assert "DTEND" not in event and "GEO" not in event and "LOCATION" not in event
    assert [str(name) for name in event.categories] == ["[nl] Activity"]


async def test_the_language_follows_the_reader(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    post = await make_activity(database, resident, category=EventCategory.REPAIR_CAFE)
    [english] = parsed(await client.get(f"/events/{post.id}.ics", headers=ENGLISH)).events
    [dutch] = parsed(await client.get(f"/events/{post.id}.ics")).events
    assert [str(name) for name in english.categories] == ["Repair café"]
    assert [str(name) for name in dutch.categories] == ["[nl] Repair café"]


async def test_only_who_may_see_the_post_gets_the_file(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    post = await make_activity(database, resident, visibility=Visibility.NEIGHBOURHOOD)
    message = await write_post(
        database, resident, "Gewoon een bericht", visibility=Visibility.PUBLIC
    )
    async with browser_for(app) as visitor:
        assert (await visitor.get(f"/events/{post.id}.ics")).status_code == 404
    async with browser_for(app) as bram:
        await log_in(bram, "bram")
        assert (await bram.get(f"/events/{post.id}.ics")).status_code == 200
        assert (await bram.get(f"/events/{message.id}.ics")).status_code == 404
        async with database.transaction() as session:  # edited into a message: no longer one
            stored = await session.get(Post, post.id)
            assert stored is not None
            stored.kind = PostKind.MESSAGE
        assert (await bram.get(f"/events/{post.id}.ics")).status_code == 404


async def test_a_cancelled_activity_says_so(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    post = await make_activity(database, resident, "Buurtfeest")
    await change_event(database, post, cancelled_at=utcnow(), sequence=1)
    [event] = parsed(await client.get(f"/events/{post.id}.ics")).events
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "[nl] Cancelled: Buurtfeest"
    assert event.decoded("SEQUENCE") == 1


async def test_names_with_commas_semicolons_and_newlines_come_back_whole(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    title = "Koffie, thee; en taart\nvoor iedereen\\"
    place = "Buurthuis De Linde, zaal 2; achteringang\nbel aanbellen"
    text = "Regel één, met komma;\nregel twee.\n\n" + "Lange zin met é en 🌳. " * 200
    post = await make_activity(database, resident, title, place=place, text=text)
    response = await client.get(f"/events/{post.id}.ics")
    [event] = parsed(response).events
    assert str(event["SUMMARY"]) == title
    assert str(event["LOCATION"]) == place
    assert str(event["DESCRIPTION"]) == f"{posts.clean_source(text)}\n\n{BASE_URL}/posts/{post.id}"
    assert "SUMMARY:Koffie\\, thee\\; en taart\\nvoor iedereen\\\\" in response.text
    lines = response.content.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75  # folded, in octets
    assert sum(line.startswith(b" ") for line in lines) > 50


# ------------------------------------------------------------------ the neighbourhood's feed


async def test_the_neighbourhood_feed_lists_its_public_activities(
    app: Starlette, database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    now = utcnow().replace(microsecond=0)
    elsewhere = await make_account(
        database, "carla", neighbourhood=await other_place(database, "bomenbuurt")
    )
    soon = await make_activity(database, resident, "Straks", starts_at=now + timedelta(days=2))
    lately = await make_activity(database, resident, "Net", starts_at=now - timedelta(weeks=5))
    long_ago = await make_activity(database, resident, "Lang", starts_at=now - timedelta(weeks=7))
    members = await make_activity(database, resident, "Leden", visibility=Visibility.NEIGHBOURHOOD)
    there = await make_activity(database, elsewhere, "Daar")
    unlisted = await make_activity(database, resident, "Alleen met de link")
    async with database.transaction() as session:  # as a post from elsewhere may be
        stored = await session.get(Post, unlisted.id)
        assert stored is not None
        stored.visibility = Visibility.UNLISTED
    async with browser_for(app) as visitor:
        response = await visitor.get("/n/vogelwijk/calendar.ics")
        calendar = parsed(response)
        assert set(events_by_uid(calendar)) == {uid_of("anna", soon), uid_of("anna", lately)}
        assert [str(event["SUMMARY"]) for event in calendar.events] == ["Net", "Straks"]
        assert str(calendar["X-WR-CALNAME"]) == "[nl] Activities in Vogelwijk"
        assert calendar.refresh_interval == timedelta(hours=1)
        assert str(calendar["X-PUBLISHED-TTL"]) == "PT60M"
        assert response.headers["cache-control"] == "public, max-age=900"
        assert 'filename="vogelwijk.ics"' in response.headers["content-disposition"]
        again = await visitor.get(
            "/n/vogelwijk/calendar.ics", headers={"if-none-match": response.headers["etag"]}
        )
        assert again.status_code == 304 and again.content == b""
    async with browser_for(app) as anna:  # a member gets what a visitor gets
        await log_in(anna, "anna")
        assert (await anna.get("/n/vogelwijk/calendar.ics")).content == response.content
    assert long_ago.id and members.id and there.id  # made, and left out


async def other_place(database: Database, slug: str) -> Neighbourhood:
    async with database.transaction() as session:
        place = Neighbourhood(slug=slug, name=slug.title())
        session.add(place)
    return place


async def test_a_change_and_a_cancellation_reach_the_feed_under_the_same_uid(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    post = await make_activity(database, resident, "Buurtfeest")
    [before] = parsed(await client.get("/n/vogelwijk/calendar.ics")).events
    later = instant(before, "DTSTART") + timedelta(hours=1)
    await change_event(database, post, starts_at=later, sequence=1)
    [moved] = parsed(await client.get("/n/vogelwijk/calendar.ics")).events
    await change_event(database, post, cancelled_at=utcnow(), sequence=2)
    [cancelled] = parsed(await client.get("/n/vogelwijk/calendar.ics")).events
    assert str(before["UID"]) == str(moved["UID"]) == str(cancelled["UID"]) == uid_of("anna", post)
    assert [item.decoded("SEQUENCE") for item in (before, moved, cancelled)] == [0, 1, 2]
    assert instant(moved, "DTSTART") == later
    assert [str(item["STATUS"]) for item in (moved, cancelled)] == ["CONFIRMED", "CANCELLED"]
    assert instant(cancelled, "DTSTAMP") >= instant(moved, "DTSTAMP")


async def test_an_empty_feed_is_still_a_calendar(
    client: httpx.AsyncClient, resident: Account
) -> None:
    calendar = parsed(await client.get("/n/vogelwijk/calendar.ics"))
    assert calendar.events == []
    assert [str(zone["TZID"]) for zone in calendar.timezones] == ["Europe/Amsterdam"]


# ------------------------------------------------------------------ the personal feed


async def test_the_personal_feed_lists_what_the_resident_organises_or_takes_part_in(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    own = await make_activity(database, resident, "Mijn eigen")
    going, maybe, waiting, not_going, other = [
        await make_activity(database, neighbour, name)
        for name in ("Ja", "Misschien", "Wachtlijst", "Nee", "Niet gereageerd")
    ]
    statuses = [
        (going, ParticipationStatus.GOING),
        (maybe, ParticipationStatus.MAYBE),
        (waiting, ParticipationStatus.WAITING),
        (not_going, ParticipationStatus.NOT_GOING),
    ]
    for post, status in statuses:
        await take_part(database, post, resident, status)
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        link = await personal_link(anna)
    async with browser_for(app) as calendar_app:  # no cookie
        response = await calendar_app.get(link)
    found = events_by_uid(parsed(response))
    expected = {uid_of("anna", own)} | {uid_of("bram", post) for post in (going, maybe, waiting)}
    assert set(found) == expected
    assert response.headers["cache-control"] == "private, no-store"
    assert other.id is not None


async def test_the_table_keeps_only_the_hash_and_a_new_link_ends_the_old(
    app: Starlette, database: Database, resident: Account
) -> None:
    async with browser_for(app, headers=ENGLISH) as anna:
        await log_in(anna, "anna")
        first = await personal_link(anna)
        token = first.removeprefix("/calendar/").removesuffix(".ics")
        async with database.reading() as session:
            [stored] = (await session.exec(select(CalendarFeed))).all()
        assert stored.token_hash == hash_token(token) and token not in stored.token_hash
        second = await personal_link(anna)
        page = await anna.get("/settings/calendar")
        assert "Create a new calendar link" in page.text and token not in page.text
        assert second.removeprefix("/calendar/").removesuffix(".ics") not in page.text
        async with browser_for(app) as calendar_app:
            assert (await calendar_app.get(first)).status_code == 404
            assert (await calendar_app.get(second)).status_code == 200
        stopped = await post_form(anna, "/settings/calendar", "/settings/calendar/stop", {})
        assert stopped.headers["location"] == "/settings/calendar?stopped=1"
        async with browser_for(app) as calendar_app:
            assert (await calendar_app.get(second)).status_code == 404


async def test_the_personal_feed_speaks_the_residents_language(
    app: Starlette, database: Database, resident: Account
) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        link = await personal_link(anna)
    async with browser_for(app) as calendar_app:
        calendar = parsed(await calendar_app.get(link))
        assert str(calendar["X-WR-CALNAME"]) == "[nl] My activities (Buurtnet)"
        async with database.transaction() as session:
            stored = await session.get(Account, resident.id)
            assert stored is not None
            stored.locale = "en"
        calendar = parsed(await calendar_app.get(link))  # asked in Dutch, for someone in English
        assert str(calendar["X-WR-CALNAME"]) == "My activities (Buurtnet)"


async def test_a_deleted_account_opens_no_feed(
    app: Starlette, database: Database, resident: Account
) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        link = await personal_link(anna)
    async with database.transaction() as session:
        await account_deletion.delete_account(session, resident)
    async with browser_for(app) as calendar_app:
        assert (await calendar_app.get(link)).status_code == 404
    async with database.reading() as session:  # not even the hash of the token is kept
        assert await calendars.feed_of(session, resident.id or 0) is None


async def test_an_error_on_the_personal_feed_is_logged_without_the_token(
    app: Starlette,
    resident: Account,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        link = await personal_link(anna)

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(calendars, "personal_activities", broken)
    token = link.removeprefix("/calendar/").removesuffix(".ics")
    with caplog.at_level(logging.DEBUG):
        async with browser_for(app) as calendar_app:
            response = await calendar_app.get(link)
    assert response.status_code == 500
    # Every record but the test client's own (a calendar app keeps its own log).
    ours = [record for record in caplog.records if record.name != "httpx"]
    assert [record.getMessage() for record in ours] == ["error on a personal calendar feed"]
    assert "the database went away" in caplog.text  # with its traceback
    assert all(token not in logging.Formatter().format(record) for record in ours)


# ------------------------------------------------------------------ the pages that link to them


async def test_the_pages_link_to_the_calendars(
    app: Starlette, database: Database, resident: Account
) -> None:
    post = await make_activity(database, resident)
    message = await write_post(
        database, resident, "Gewoon een bericht", visibility=Visibility.PUBLIC
    )
    async with browser_for(app) as visitor:
        assert f'href="/events/{post.id}.ics"' in (await visitor.get(f"/posts/{post.id}")).text
        assert "/events/" not in (await visitor.get(f"/posts/{message.id}")).text
        assert 'href="/n/vogelwijk/calendar"' in (await visitor.get("/n/vogelwijk")).text
        page = await visitor.get("/n/vogelwijk/calendar")
        assert 'href="webcal://testserver/n/vogelwijk/calendar.ics"' in page.text
        assert f'value="{BASE_URL}/n/vogelwijk/calendar.ics"' in page.text
        assert "/settings/calendar" not in page.text
        settings = await visitor.get("/settings/calendar")
        assert settings.status_code == 303
    async with browser_for(app, headers=ENGLISH) as anna:
        await log_in(anna, "anna")
        assert 'href="/settings/calendar"' in (await anna.get("/settings")).text
        assert "Create my calendar link" in (await anna.get("/settings/calendar")).text
