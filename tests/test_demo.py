"""The demo: every printed login works, a moderator finds a sign-up waiting, and there is a
clean-up to come (with a task half taken), one that is over (with its outcome) and an open poll,
each once, however often the demo is made; behind that, half a year of history in two
neighbourhoods with their liveability figures worked out, and a survey closed in one and open in
the other (`demo_history`).

Tests of today's part make the demo without its history (`history=False`), which is quicker."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from buurtnet.core import (
    demo,
    demo_history,
    disclosure,
    metric_figures,
    metric_periods,
    neighbourhoods,
    permissions,
    surveys,
)
from buurtnet.core.indicators import STORED
from buurtnet.core.local_times import local_day, utc
from buurtnet.core.metric_figures import Audience
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    AccountStatus,
    Event,
    EventCategory,
    EventTask,
    Like,
    MetricRollup,
    Neighbourhood,
    NeighbourhoodDeparture,
    Participation,
    PeriodKind,
    Poll,
    PollOption,
    PollVote,
    Post,
    PostKind,
    Report,
    SurveyPeriod,
    TaskVolunteer,
    utcnow,
)
from buurtnet.moderation import reports
from tests.conftest import browser_for, log_in

ZONE = ZoneInfo(demo.DEMO_TIME_ZONE)
SATURDAY = 5
K = disclosure.DEFAULT_THRESHOLD
MONTH = PeriodKind.MONTH


async def counts(database: Database) -> list[int]:
    tables = (Account, Post, Like, Event, Participation, Poll, PollVote, MetricRollup)
    async with database.reading() as session:
        return [
            (await session.exec(select(func.count()).select_from(table))).one() for table in tables
        ]


async def test_every_printed_login_works_and_the_demo_can_be_made_twice(
    app: Starlette, database: Database
) -> None:
    async with database.transaction() as session:
        neighbourhood, logins = await demo.create_demo(session)
    made = await counts(database)
    async with database.transaction() as session:
        again, logins_again = await demo.create_demo(session)
    assert await counts(database) == made, "made twice, the demo adds nothing the second time"
    assert (again.id, logins_again) == (neighbourhood.id, logins)
    places = {login.neighbourhood for login in logins}
    assert places == {"vogelwijk", demo_history.SECOND_SLUG}
    directors = {
        login.neighbourhood: login.username for login in logins if login.role == "director"
    }
    assert directors == {"vogelwijk": "dirk", demo_history.SECOND_SLUG: "henk"}
    for login in logins:
        async with browser_for(app) as browser:
            await log_in(browser, login.username, login.password)
            assert (await browser.get(f"/n/{login.neighbourhood}")).status_code == 200
            if login.role == "director":
                async with database.reading() as session:
                    place = await neighbourhoods.get_by_slug(session, login.neighbourhood)
                    person = await accounts_named(session, login.username)
                    assert (await permissions.roles_of(session, person)).directs == {place.id}
                dashboard = await browser.get("/dashboard")
                assert dashboard.status_code == 200 and place.name in dashboard.text


async def accounts_named(session: AsyncSession, username: str) -> Account:
    return (await session.exec(select(Account).where(Account.username == username))).one()


async def test_a_sign_up_waits_for_the_demo_moderator(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.transaction() as session:
        await demo.create_demo(session, history=False)
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
        await demo.create_demo(session, now=now, history=False)
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
        await demo.create_demo(session, now=now, history=False)
    past, upcoming = await clean_ups(database)
    assert timedelta(days=5) < utc(upcoming.starts_at) - now < timedelta(days=13)
    assert local(upcoming.starts_at).weekday() == SATURDAY
    assert local(past.starts_at).time() == time(10)


async def test_ten_oclock_on_both_sides_of_the_change_to_summer_time(database: Database) -> None:
    monday = datetime(2027, 3, 22, 8, tzinfo=UTC)  # the clocks go forward on Sunday 28 March
    async with database.transaction() as session:
        await demo.create_demo(session, now=monday, history=False)
    past, upcoming = await clean_ups(database)
    assert utc(past.starts_at) == datetime(2027, 3, 6, 9, tzinfo=UTC)  # 10:00 winter time
    assert utc(upcoming.starts_at) == datetime(2027, 4, 3, 8, tzinfo=UTC)  # 10:00 summer time


async def test_an_open_poll_with_a_few_votes(database: Database) -> None:
    async with database.transaction() as session:
        await demo.create_demo(session, history=False)
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
    today = {event.title: event for event in await clean_ups(database)}  # not the history's
    past, upcoming = today["Opruimen rond de speeltuin"], today["Opruimactie in het Vogelpark"]
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


# ------------------------------------------------------------------ history


async def places(session: AsyncSession) -> tuple[Neighbourhood, Neighbourhood]:
    vogelwijk = await neighbourhoods.get_by_slug(session, "vogelwijk")
    return vogelwijk, await neighbourhoods.get_by_slug(session, demo_history.SECOND_SLUG)


async def posts_in(session: AsyncSession, place_id: int, month: date) -> int:
    start, end = metric_periods.bounds(month, MONTH, ZONE)
    query = select(func.count()).where(
        col(Post.neighbourhood_id) == place_id,
        col(Post.created_at) >= start,
        col(Post.created_at) < end,
    )
    return (await session.exec(query)).one()


async def test_two_neighbourhoods_with_half_a_year_of_history_and_its_figures(
    database: Database,
) -> None:
    now = utcnow()
    async with database.transaction() as session:
        await demo.create_demo(session, now=now)
    first = demo_history.history_start(now, ZONE)
    months = list(metric_periods.starts_between(first, local_day(now, ZONE), MONTH))
    past = months[:-1]
    assert len(past) == demo_history.HISTORY_MONTHS
    async with database.reading() as session:
        vogelwijk, bloemenbuurt = await places(session)
        for place in (vogelwijk, bloemenbuurt):
            assert place.cbs_code and place.cbs_code.startswith("BU") and place.homes
            assert place.id is not None
            for month in past:
                assert await posts_in(session, place.id, month) > 0, (place.slug, month)
            figures = await metric_figures.read_figures(
                session, [place.id], MONTH, first, months[-1], K, Audience.DIRECTOR
            )
            assert [period.starts_on for period in figures] == months, "rollups for every month"
        rows = (await session.exec(select(MetricRollup))).all()
        weeks = {row.starts_on for row in rows if row.period == PeriodKind.WEEK}
        assert len(weeks) >= 4 * demo_history.HISTORY_MONTHS
        assert len(rows) % len(STORED) == 0
        departures = (await session.exec(select(NeighbourhoodDeparture))).all()
        assert len(departures) == sum(demo_history.VOGELWIJK.leaving) + sum(
            demo_history.BLOEMENBUURT.leaving
        )
        fatima = await accounts_named(session, "fatima")  # her report waits: it is today's
        handled = (await session.exec(select(Report).where(Report.reporter_id != fatima.id))).all()
        assert handled and all(report.responded_at and report.closed_at for report in handled)
        answered_help = await session.exec(
            select(func.count()).where(
                col(Post.kind) == PostKind.HELP_REQUEST, col(Post.reply_count) > 0
            )
        )
        assert answered_help.one() > 0
        assert (await session.exec(select(func.count()).select_from(Like))).one() > 100
        assert (await session.exec(select(func.count()).select_from(PollVote))).one() > 50
        outcomes = (
            await session.exec(select(Event).where(col(Event.outcome_at).is_not(None)))
        ).all()
        assert len(outcomes) > demo_history.HISTORY_MONTHS
        assert all(event.attendance for event in outcomes)
        assert any(event.litter_bags for event in outcomes)
        latest = [
            (await session.exec(select(func.max(moment)))).one()
            for moment in (
                col(Post.created_at),
                col(Like.created_at),
                col(PollVote.created_at),
                col(Participation.created_at),
                col(Report.closed_at),
                col(Account.created_at),
            )
        ]
        assert all(moment and utc(moment) <= utcnow() for moment in latest), "none in the future"
        big = await metric_figures.read_figures(
            session, [vogelwijk.id or 0], MONTH, first, past[-1], K, Audience.DIRECTOR
        )
        small = await metric_figures.read_figures(
            session, [bloemenbuurt.id or 0], MONTH, first, past[-1], K, Audience.DIRECTOR
        )
    # Vogelwijk (some sixty members) passes the threshold with most figures; Bloemenbuurt (some
    # fifteen) mostly reads "< 10"; new members and departures are hidden in both.
    for shown in big:
        for key in ("active_residents", "members", "interacting_pairs", "active_share"):
            assert not shown.get(key).suppressed, (shown.starts_on, key)
        assert shown.get("new_members").suppressed and shown.get("members_left").suppressed
        assert shown.get("households_reached").value
    assert any(month.get("reports").value for month in big)
    assert any(month.get("reports").suppressed for month in big)
    assert all(month.get("members").value for month in small)
    assert sum(month.get("active_residents").suppressed for month in small) >= len(small) - 1
    assert all(month.get("sign_ups").suppressed for month in small)
    assert all(month.get("clean_up_bags").value is not None for month in small)


async def test_a_survey_closed_with_a_published_score_and_one_open_to_answer(
    database: Database,
) -> None:
    now = utcnow()
    async with database.transaction() as session:
        await demo.create_demo(session, now=now)
    today = local_day(now, ZONE)
    async with database.reading() as session:
        vogelwijk, bloemenbuurt = await places(session)
        closed = (
            await session.exec(
                select(SurveyPeriod).where(SurveyPeriod.neighbourhood_id == vogelwijk.id)
            )
        ).one()
        assert closed.id is not None and closed.closes_on < today
        results = await surveys.results(session, closed.id, today, K)
        noor = await accounts_named(session, "noor")
        still_open = await surveys.current_period(session, noor, today)
    assert results.final and results.respondents is not None and results.respondents >= K
    assert results.cohesion is not None and results.cohesion.n >= 12
    assert 0 <= results.cohesion.mean <= 10 and results.cohesion.low is not None
    assert results.liveability is not None and results.at_home is not None
    assert still_open is not None and still_open.neighbourhood_id == bloemenbuurt.id
    assert still_open.id is not None
    async with database.reading() as session:
        assert await surveys.results(session, still_open.id, today, K) == surveys.SurveyResults(
            False, None, None, None, None
        )
    answers = surveys.SurveyAnswers(("agree",) * 5, 8, 8)
    for expected in (True, False):  # once per period
        async with database.transaction() as session:
            assert await surveys.answer(session, noor, still_open.id, answers, today) is expected
