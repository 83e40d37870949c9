"""The activities of the demo's history (`demo_history`): made a few weeks ahead, signed up for
in the days after, and afterwards the organiser's count of who came (and, for a clean-up, the
bags of litter). The activity and its outcome are made through core at those moments, as
`demo_activities` does; the sign-ups are written as rows at their moments, with the count of
who goes kept in step (through core, one at a time, they made the demo slow).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import event_outcomes, events, posts
from buurtnet.core.demo_timeline import MONTH, Neighbours, Timeline
from buurtnet.core.event_input import EventDetails, EventInput
from buurtnet.core.metric_periods import last_day
from buurtnet.models import Account, Event, EventCategory, Participation, ParticipationStatus

SATURDAY = 5
HOURS = 2
MADE_DAYS_AHEAD = (10, 21)
GOING = ParticipationStatus.GOING
GOING_SHARE = 0.8  # the others answer "maybe"


@dataclass(frozen=True)
class Plan:
    title: str
    category: EventCategory
    text: str
    place: str
    clock: time


CLEAN_UP = Plan(
    "Opruimen in het park",
    EventCategory.CLEAN_UP,
    "Samen maken we het park en de stoepen schoon. Handschoenen en zakken liggen klaar. #opruimen",
    "Ingang van het park",
    time(10),
)
OTHERS = (
    Plan(
        "Koffieochtend",
        EventCategory.OTHER,
        "Kom een kopje koffie drinken en maak kennis met de buren.",
        "Buurthuis",
        time(10, 30),
    ),
    Plan(
        "Repair Café",
        EventCategory.REPAIR_CAFE,
        "Neem uw kapotte lamp, broek of fiets mee. Samen maken we het weer heel.",
        "Buurthuis",
        time(13),
    ),
    Plan(
        "Buurtoverleg",
        EventCategory.MEETING,
        "We praten over de plannen voor het plein. Iedereen is welkom.",
        "Buurthuis, grote zaal",
        time(14),
    ),
    Plan(
        "Spelmiddag voor jong en oud",
        EventCategory.SPORT_AND_GAMES,
        "Sjoelen, jeu de boules en een tafel met bordspellen.",
        "Het plein",
        time(14),
    ),
)
NOTES = (
    "Dank u wel allemaal, het was gezellig!",
    "Fijn dat u er was. Tot de volgende keer.",
)


async def activity(
    session: AsyncSession,
    timeline: Timeline,
    neighbours: Neighbours,
    month: date,
    plan: Plan,
    sign_ups: int,
) -> None:
    """One activity on a Saturday of the month, its sign-ups and what came of it."""
    rng = timeline.rng
    saturdays = [
        day
        for day in (month + timedelta(days=offset) for offset in range(last_day(month, MONTH).day))
        if day.weekday() == SATURDAY
    ]
    starts_at = timeline.at(rng.choice(saturdays), plan.clock)
    ends_at = starts_at + timedelta(hours=HOURS)
    made_at = starts_at - timedelta(days=rng.randint(*MADE_DAYS_AHEAD))
    organiser = neighbours.one(rng, made_at)
    details = EventDetails(plan.title, plan.category, starts_at, ends_at, plan.place)
    made = EventInput(posts.Draft(plan.text), details, ())
    post = await events.create_event(
        session, organiser, made, time_zone=timeline.zone.key, now=made_at
    )
    post.created_at = made_at
    assert post.id is not None
    present = neighbours.some(rng, made_at, sign_ups + 1)
    people = [person for person in present if person.id != organiser.id][:sign_ups]
    going = sign_up(session, timeline, post.id, people, made_at, starts_at)
    event = await session.get(Event, post.id)
    assert event is not None
    event.going_count = going
    came = max(1, going + rng.randint(-2, 3))  # some did not come, some walked by
    bags = rng.randint(came, 2 * came) if plan.category == EventCategory.CLEAN_UP else None
    result = event_outcomes.Outcome(attendance=came, litter_bags=bags, note=rng.choice(NOTES))
    recorded_at = timeline.later(ends_at, 1, 30)
    await event_outcomes.record_outcome(session, organiser, post.id, result, now=recorded_at)


def sign_up(
    session: AsyncSession,
    timeline: Timeline,
    post_id: int,
    people: list[Account],
    made_at: datetime,
    starts_at: datetime,
) -> int:
    """Their answers, most of them going, in the days after the activity was made; returns how
    many are going."""
    going = 0
    for person in people:
        assert person.id is not None
        answer = GOING if timeline.rng.random() < GOING_SHARE else ParticipationStatus.MAYBE
        going += answer == GOING
        answered_at = min(timeline.later(made_at, 1, 24 * 9), starts_at - timedelta(hours=1))
        session.add(
            Participation(
                post_id=post_id,
                account_id=person.id,
                status=answer,
                queued_at=answered_at,
                created_at=answered_at,
            )
        )
    return going
