"""Helpers for the tests of activities: make one through core as the form would, answer it, and
read its rows back. Times are relative to a `now` that the tests choose."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from buurtnet.core import event_input, events, participation, posts
from buurtnet.core.event_input import EventDetails, EventInput, TaskPlan
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    Event,
    EventCategory,
    EventTask,
    Notification,
    Participation,
    ParticipationStatus,
    Post,
    Visibility,
    utcnow,
)

ZONE = ZoneInfo("Europe/Amsterdam")


def soon(days: int = 7, hour: int = 10) -> datetime:
    """A whole hour some days from now, in UTC."""
    day = utcnow().astimezone(ZONE).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).astimezone(UTC)


def last_sunday(year: int, month: int) -> date:
    """The day the clocks change in the EU: the last Sunday of March or October."""
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def details(
    *,
    starts_at: datetime | None = None,
    hours: float = 2,
    capacity: int | None = None,
    category: EventCategory = EventCategory.CLEAN_UP,
    title: str = "Opruimen op het Merelplein",
    place: str = "Merelplein",
) -> EventDetails:
    start = starts_at or soon()
    return EventDetails(
        title=title,
        category=category,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        place=place,
        capacity=capacity,
    )


async def make_event(
    database: Database,
    organiser: Account,
    *,
    source: str = "Samen maken we de buurt schoon. Neem handschoenen mee!",
    visibility: Visibility = Visibility.NEIGHBOURHOOD,
    tasks: tuple[TaskPlan, ...] = (),
    now: datetime | None = None,
    **changes: object,
) -> Post:
    made = EventInput(
        posts.Draft(source=source, visibility=visibility),
        details(**changes),  # type: ignore[arg-type]
        tasks,
    )
    async with database.transaction() as session:
        return await events.create_event(
            session, organiser, made, time_zone=ZONE.key, now=now or utcnow()
        )


async def answer(
    database: Database,
    account: Account,
    post_id: int,
    status: ParticipationStatus,
    now: datetime | None = None,
) -> participation.Answered:
    async with database.transaction() as session:
        return await participation.respond(session, account, post_id, status, now=now)


async def event_row(database: Database, post_id: int) -> Event:
    async with database.reading() as session:
        found = await session.get(Event, post_id)
    assert found is not None
    return found


async def statuses(database: Database, post_id: int) -> dict[int, str]:
    """Who answered what, by account id."""
    async with database.reading() as session:
        rows = await session.exec(select(Participation).where(Participation.post_id == post_id))
        return {row.account_id: row.status for row in rows.all()}


async def notified(database: Database, account: Account, kind: str) -> list[int | None]:
    """The posts this person was told about, of this kind, oldest first."""
    async with database.reading() as session:
        found = await session.exec(
            select(Notification.post_id)
            .where(Notification.recipient_id == account.id, Notification.kind == kind)
            .order_by(col(Notification.id))
        )
        return list(found.all())


async def task_ids(database: Database, post_id: int) -> list[int]:
    async with database.reading() as session:
        found = await session.exec(
            select(EventTask.id).where(EventTask.post_id == post_id).order_by(col(EventTask.id))
        )
        return [task_id for task_id in found.all() if task_id is not None]


def typed(**fields: str) -> event_input.EventForm:
    """The form as a person fills it in, a week from now unless told."""
    day = soon().astimezone(ZONE).date().isoformat()
    values = {
        "title": "Buurtfeest",
        "category": "street_party",
        "start_date": day,
        "start_time": "14:00",
        "end_time": "18:00",
        "place": "Speeltuin Merelstraat",
    } | fields
    return event_input.EventForm(**values)  # type: ignore[arg-type]
