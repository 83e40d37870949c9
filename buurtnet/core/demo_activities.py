"""The demo's activities and poll: a clean-up next week with a volunteer task half taken, one of a
few weeks ago with what came of it, and a poll with a few votes.

Everything goes through core as a resident's clicks would. The clean-up that is over was made,
answered and recorded at moments in the past (core takes the `now` it is given, and checks the
times against it as it checks the form's), so no rule is bent to make it.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import (
    event_outcomes,
    event_summaries,
    event_tasks,
    events,
    participation,
    polls,
    posts,
)
from buurtnet.core.event_input import EventDetails, EventInput, TaskPlan
from buurtnet.core.local_times import to_utc
from buurtnet.models import (
    Account,
    EventCategory,
    ParticipationStatus,
    Post,
    Visibility,
)

SATURDAY = 5  # date.weekday()
UPCOMING_AT_LEAST = timedelta(days=6)  # the Saturday of next week, whatever today is
PAST_WEEKS_EARLIER = 4  # the clean-up that is over: four weeks before the next one
GOING = ParticipationStatus.GOING
MAYBE = ParticipationStatus.MAYBE


async def add_activities(
    session: AsyncSession, people: dict[str, Account], now: datetime, zone: ZoneInfo
) -> None:
    """A clean-up that is over, one still to come, and a poll, in that order."""
    next_saturday = _saturday_from(now.astimezone(zone).date() + UPCOMING_AT_LEAST)
    earlier = next_saturday - timedelta(weeks=PAST_WEEKS_EARLIER)
    await _past_clean_up(session, people, _morning(earlier, zone), zone)
    await _upcoming_clean_up(session, people, _morning(next_saturday, zone), zone, now)
    await _poll(session, people)


async def _past_clean_up(
    session: AsyncSession, people: dict[str, Account], starts_at: datetime, zone: ZoneInfo
) -> None:
    """Made two weeks ahead, answered the next day, its outcome written that afternoon."""
    made_at = starts_at - timedelta(weeks=2)
    post = await _clean_up(
        session,
        people["bram"],
        "Opruimen rond de speeltuin",
        "Wie helpt mee de speeltuin en de stoepen eromheen schoon te maken? Handschoenen en "
        "zakken liggen klaar. #opruimen",
        starts_at,
        (TaskPlan(None, "Mensen met handschoenen", 4),),
        zone,
        made_at,
    )
    post.created_at = made_at  # the post says when it was written, as the rest of its story
    session.add(post)
    assert post.id is not None
    answered_at = made_at + timedelta(days=1)
    [gloves] = await _task_ids(session, post.id)
    for name in ("anna", "fatima"):
        await event_tasks.volunteer(session, people[name], post.id, gloves, now=answered_at)
    await participation.respond(session, people["mila"], post.id, GOING, now=answered_at)
    outcome = event_outcomes.Outcome(
        attendance=9,
        litter_bags=14,
        note="Dank u wel allemaal! Negen buren, veertien volle zakken en een oude fiets uit de "
        "sloot. De gemeente heeft alles opgehaald.",
    )
    recorded_at = starts_at + timedelta(hours=5)
    await event_outcomes.record_outcome(session, people["bram"], post.id, outcome, now=recorded_at)


async def _upcoming_clean_up(
    session: AsyncSession,
    people: dict[str, Account],
    starts_at: datetime,
    zone: ZoneInfo,
    now: datetime,
) -> None:
    """Anna and Fatima took two of the three places for gloves; Mila comes, Dirk might."""
    tasks = (
        TaskPlan(None, "3 mensen met handschoenen en een grijper", 3),
        TaskPlan(None, "Iemand met een bakfiets voor de volle zakken", 1),
    )
    post = await _clean_up(
        session,
        people["bram"],
        "Opruimactie in het Vogelpark",
        "Samen maken we het Vogelpark weer schoon. Grijpers en vuilniszakken liggen klaar bij "
        "het buurthuis; na afloop is er koffie. Kinderen zijn welkom! #opruimen",
        starts_at,
        tasks,
        zone,
        now,
    )
    assert post.id is not None
    gloves, _bike = await _task_ids(session, post.id)
    for name in ("anna", "fatima"):
        await event_tasks.volunteer(session, people[name], post.id, gloves, now=now)
    await participation.respond(session, people["mila"], post.id, GOING, now=now)
    await participation.respond(session, people["dirk"], post.id, MAYBE, now=now)


async def _poll(session: AsyncSession, people: dict[str, Account]) -> None:
    """Fatima asks where the new bench should go; three neighbours voted."""
    places = ("Bij de speeltuin", "Op het Merelplein", "Bij de bushalte")
    post = await posts.create_post(
        session,
        people["fatima"],
        posts.Draft(
            "Er komt een nieuwe bank in onze buurt. Waar zou u hem het liefst zien?",
            poll=polls.PollDraft(places, duration=timedelta(days=7)),
        ),
    )
    assert post.id is not None
    playground, square, _bus_stop = [
        option.id or 0 for option in await polls.options_of(session, post.id)
    ]
    for name, choice in (("anna", playground), ("bram", square), ("mila", playground)):
        await polls.vote(session, people[name], post.id, [choice])


async def _clean_up(
    session: AsyncSession,
    organiser: Account,
    title: str,
    text: str,
    starts_at: datetime,
    tasks: tuple[TaskPlan, ...],
    zone: ZoneInfo,
    now: datetime,
) -> Post:
    """A clean-up of two hours for everyone (also in the neighbourhood's calendar feed)."""
    details = EventDetails(
        title=title,
        category=EventCategory.CLEAN_UP,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place="Vogelpark, ingang Merelstraat",
        capacity=20,
    )
    made = EventInput(posts.Draft(text, visibility=Visibility.PUBLIC), details, tasks)
    return await events.create_event(session, organiser, made, time_zone=zone.key, now=now)


async def _task_ids(session: AsyncSession, post_id: int) -> list[int]:
    views = (await event_summaries.tasks_of(session, [post_id], None)).get(post_id, [])
    return [view.task.id for view in views if view.task.id is not None]


def _saturday_from(day: date) -> date:
    """The first Saturday on or after `day`."""
    return day + timedelta(days=(SATURDAY - day.weekday()) % 7)


def _morning(day: date, zone: ZoneInfo) -> datetime:
    """Ten o'clock on the instance's clock that day, in UTC (never a time the clock skips)."""
    return to_utc(day, time(10), zone)
