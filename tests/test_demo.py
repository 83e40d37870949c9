"""The demo: every printed login works, a moderator finds a sign-up waiting, and there is a
clean-up to come (with a task half taken), one that is over (with its outcome) and an open poll,
each once, however often the demo is made."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import col, func, select
from starlette.applications import Starlette

from buurtnet.core import demo, permissions
from buurtnet.core.local_times import utc
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    Event,
    EventCategory,
    EventTask,
    Participation,
    Poll,
    PollOption,
    TaskVolunteer,
    utcnow,
)
from buurtnet.moderation import reports
from tests.conftest import browser_for, log_in

ZONE = ZoneInfo(demo.DEMO_TIME_ZONE)
SATURDAY = 5


async def test_every_printed_login_works_and_the_demo_can_be_made_twice(
    app: Starlette, database: Database
) -> None:
    for _ in range(2):
        async with database.transaction() as session:
            neighbourhood, logins = await demo.create_demo(session)
    async with database.reading() as session:
        count = (await session.exec(select(func.count()).select_from(Account))).one()
        activities = (await session.exec(select(func.count()).select_from(Event))).one()
        poll_count = (await session.exec(select(func.count()).select_from(Poll))).one()
    assert count == len(logins) + 1  # the people, plus one sign-up that waits
    assert (activities, poll_count) == (2, 1), "made twice, the demo adds nothing the second time"
    for login in logins:
        async with browser_for(app) as browser:
            await log_in(browser, login.username, login.password)
            assert (await browser.get(f"/n/{neighbourhood.slug}")).status_code == 200


async def test_a_sign_up_waits_for_the_demo_moderator(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.transaction() as session:
        await demo.create_demo(session)
    async with database.reading() as session:
        waiting = (
            await session.exec(select(Account).where(Account.status == AccountStatus.PENDING))
        ).one()
    await log_in(client, "mila", demo.DEMO_PASSWORD)
    page = await client.get("/moderation/sign-ups")
    assert waiting.display_name in page.text


async def clean_ups(database: Database) -> list[Event]:
    async with database.reading() as session:
        found = await session.exec(
            select(Event)
            .where(Event.category == EventCategory.CLEAN_UP)
            .order_by(col(Event.starts_at))
        )
        return list(found.all())


def local(moment: datetime) -> datetime:
    return utc(moment).astimezone(ZONE)


async def test_a_clean_up_to_come_with_a_task_half_taken_and_one_over_with_its_outcome(
    database: Database,
) -> None:
    now = utcnow()
    async with database.transaction() as session:
        await demo.create_demo(session, now=now)
    past, upcoming = await clean_ups(database)
    assert timedelta(days=6) <= utc(upcoming.starts_at) - now < timedelta(days=13)
    assert utc(past.ends_at) < now, "the one that is over"
    for event in (past, upcoming):
        starts, ends = local(event.starts_at), local(event.ends_at)
        assert starts.weekday() == SATURDAY
        assert (starts.time(), ends.time()) == (time(10), time(12)), "a Saturday morning"
    assert upcoming.outcome_at is None
    assert past.outcome_at is not None and utc(past.outcome_at) > utc(past.ends_at)
    assert (past.attendance, past.litter_bags) == (9, 14) and past.outcome_note
    async with database.reading() as session:
        answers = (
            await session.exec(
                select(Participation.status).where(Participation.post_id == upcoming.post_id)
            )
        ).all()
        taken = (
            await session.exec(
                select(EventTask.title, EventTask.places, func.count(col(TaskVolunteer.account_id)))
                .join(TaskVolunteer, col(TaskVolunteer.task_id) == col(EventTask.id), isouter=True)
                .where(EventTask.post_id == upcoming.post_id)
                .group_by(col(EventTask.id), col(EventTask.title), col(EventTask.places))
                .order_by(col(EventTask.position))
            )
        ).all()
    assert sorted(answers) == ["going", "going", "going", "maybe"]
    assert upcoming.going_count == 3
    assert taken == [
        ("3 mensen met handschoenen en een grijper", 3, 2),  # one place left
        ("Iemand met een bakfiets voor de volle zakken", 1, 0),
    ]


@pytest.mark.parametrize("days_later", range(7))
async def test_the_clean_ups_fall_on_saturday_mornings_whatever_the_day_it_is_made(
    database: Database, days_later: int
) -> None:
    now = utcnow() + timedelta(days=days_later)
    async with database.transaction() as session:
        await demo.create_demo(session, now=now)
    past, upcoming = await clean_ups(database)
    assert timedelta(days=5) < utc(upcoming.starts_at) - now < timedelta(days=13)
    assert local(upcoming.starts_at).weekday() == SATURDAY
    assert local(past.starts_at).time() == time(10)


async def test_ten_oclock_on_both_sides_of_the_change_to_summer_time(database: Database) -> None:
    monday = datetime(2027, 3, 22, 8, tzinfo=UTC)  # the clocks go forward on Sunday 28 March
    async with database.transaction() as session:
        await demo.create_demo(session, now=monday)
    past, upcoming = await clean_ups(database)
    assert utc(past.starts_at) == datetime(2027, 3, 6, 9, tzinfo=UTC)  # 10:00 winter time
    assert utc(upcoming.starts_at) == datetime(2027, 4, 3, 8, tzinfo=UTC)  # 10:00 summer time


async def test_an_open_poll_with_a_few_votes(database: Database) -> None:
    async with database.transaction() as session:
        await demo.create_demo(session)
    async with database.reading() as session:
        poll = (await session.exec(select(Poll))).one()
        votes = (
            await session.exec(
                select(PollOption.votes)
                .where(PollOption.post_id == poll.post_id)
                .order_by(col(PollOption.position))
            )
        ).all()
    assert utc(poll.ends_at) > utcnow() + timedelta(days=6) and not poll.multiple
    assert poll.voters_count == 3 and list(votes) == [2, 1, 0]


async def test_the_demo_activities_and_poll_show_on_their_pages(
    app: Starlette, client: httpx.AsyncClient, database: Database
) -> None:
    async with database.transaction() as session:
        await demo.create_demo(session)
    past, upcoming = await clean_ups(database)
    feed = await client.get("/n/vogelwijk/calendar.ics")
    assert "Opruimactie in het Vogelpark" in feed.text, "for everyone: in the neighbourhood feed"
    async with browser_for(app) as fatima:
        await log_in(fatima, "fatima", demo.DEMO_PASSWORD)
        assert "Opruimactie in het Vogelpark" in (await fatima.get("/events")).text
        assert "Opruimen rond de speeltuin" in (await fatima.get("/events?when=past")).text
        over = (await fatima.get(f"/posts/{past.post_id}")).text
        assert "veertien volle zakken" in over and ">14<" in over
        to_come = (await fatima.get(f"/posts/{upcoming.post_id}")).text
        assert "Iemand met een bakfiets" in to_come
        assert "Waar zou u hem het liefst zien?" in (await fatima.get("/")).text


async def test_the_moderators_find_a_report_waiting(database: Database) -> None:
    async with database.transaction() as session:
        neighbourhood, _ = await demo.create_demo(session)
    async with database.reading() as session:
        mila = (await session.exec(select(Account).where(Account.username == "mila"))).one()
        roles = await permissions.roles_of(session, mila)
        waiting = await reports.queue(session, roles)
    assert roles.moderates == {neighbourhood.id}
    assert [(item.reporter and item.reporter.username, item.post_count) for item in waiting] == [
        ("fatima", 1)
    ]
