"""Half a year of history for the demo (issue 16), so that a director's dashboard has figures to
show: two neighbourhoods whose residents joined and left, wrote, replied and liked, asked for
and offered help, came to activities, voted in polls, reported adverts, and answered a survey.

Vogelwijk has some sixty members and most of its figures pass the disclosure threshold;
Bloemenbuurt, with some fifteen, mostly reads "< 10". Accounts, posts, activities, polls,
reports and survey answers are made through core, as people's clicks would be, and dated back
over the months (`created_at` and the like); likes, votes and sign-ups are written as rows at
their moments (`demo_history_posts`, `demo_history_events` say why). A random generator with a
fixed seed spreads it all, so every demo tells the same story. The liveability figures are then
worked out for those months (`work_out_figures`), in a few seconds in all.
"""

import itertools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import accounts, metric_rollups, neighbourhoods
from buurtnet.core.demo_history_events import CLEAN_UP, OTHERS, activity
from buurtnet.core.demo_history_posts import (
    Liveliness,
    adverts,
    handled_reports,
    month_of_posts,
    poll,
)
from buurtnet.core.demo_surveys import closed_survey, open_survey
from buurtnet.core.demo_timeline import Neighbours, Timeline
from buurtnet.core.local_times import local_day
from buurtnet.models import Account, Duty, Neighbourhood, NeighbourhoodDeparture

HISTORY_MONTHS = 6
SEED = 16  # any fixed number: the same story every time
FOUNDED_DAYS_EARLIER = 120  # the first members joined in the months before the history starts
SURVEY_MONTH = 3  # the month (counted from the oldest) in which Vogelwijk's survey was open

SECOND_SLUG = "bloemenbuurt"
SECOND_NAME = "Bloemenbuurt"
SECOND_DESCRIPTION = "Een tweede voorbeeldbuurt: klein, met een buurtregisseur en een enquête."
# Username, display name and duty of the second neighbourhood's people with a printed login.
SECOND_PEOPLE: tuple[tuple[str, str, Duty | None], ...] = (
    ("henk", "Henk (buurtregisseur)", Duty.DIRECTOR),
    ("noor", "Noor Visser", None),
)

FIRST_NAMES = (
    "Lotte", "Daan", "Sem", "Emma", "Noah", "Julia", "Lucas", "Tess", "Finn", "Sara",
    "Milan", "Zoë", "Levi", "Eva", "Jesse", "Lisa", "Ahmed", "Yara", "Thijs", "Ilse",
    "Mohamed", "Fenna", "Ruben", "Naima", "Bas", "Femke", "Joost", "Ayşe", "Pieter", "Lieke",
)  # fmt: skip
LAST_NAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer",
    "Mulder", "de Boer", "Yilmaz", "Bos", "Vos", "Peters", "Hendriks", "El Idrissi",
)  # fmt: skip


@dataclass(frozen=True)
class Story:
    """What happens in one neighbourhood, month by month (oldest first)."""

    founders: int  # generated residents who lived there before the first month
    joining: tuple[int, ...]
    leaving: tuple[int, ...]
    liveliness: Liveliness
    activities: tuple[int, ...]  # the first of a month is a clean-up
    sign_ups: tuple[int, int]  # the least and most per activity
    voters: tuple[int, ...]  # 0: no poll that month
    reports: tuple[int, ...]  # all about one neighbour's adverts that month
    cbs_code: str  # the format of a CBS code, of a municipality that does not exist
    homes: int


VOGELWIJK = Story(
    founders=38,
    joining=(3, 2, 4, 3, 2, 5),
    leaving=(0, 1, 0, 1, 0, 0),
    liveliness=Liveliness(messages=6, replies=8, likes=30, help_requests=3, offers=2),
    activities=(2, 2, 2, 2, 2, 2),
    sign_ups=(8, 15),
    voters=(12, 15, 9, 18, 11, 14),
    reports=(1, 2, 11, 1, 0, 2),  # in the third month someone kept posting adverts
    cbs_code="BU99990101",
    homes=140,
)
BLOEMENBUURT = Story(
    founders=9,
    joining=(1, 0, 1, 1, 0, 1),
    leaving=(0, 0, 1, 0, 0, 0),
    liveliness=Liveliness(messages=2, replies=2, likes=6, help_requests=1, offers=1),
    activities=(1, 0, 1, 0, 1, 0),
    sign_ups=(3, 6),
    voters=(0, 0, 6, 0, 0, 0),
    reports=(0, 1, 0, 0, 0, 0),
    cbs_code="BU99990102",
    homes=90,
)


def history_start(now: datetime, zone: ZoneInfo) -> date:
    """The first day of the history: HISTORY_MONTHS whole months before the current one."""
    return Timeline.before(now, zone, HISTORY_MONTHS, SEED).months[0]


async def add_history(
    session: AsyncSession,
    vogelwijk: Neighbourhood,
    people: dict[str, Account],
    password_hash: str,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """The second neighbourhood with its director, and the history of both; everyone made here
    logs in with the demo's password (`password_hash`). The demo's own people (`people`) lived in
    Vogelwijk all along but play no part in its history, so that their notifications stay about
    today."""
    timeline = Timeline.before(now, zone, HISTORY_MONTHS, SEED)
    bloemenbuurt = await neighbourhoods.create_neighbourhood(
        session, SECOND_SLUG, SECOND_NAME, SECOND_DESCRIPTION
    )
    second = {
        username: await _account(session, bloemenbuurt, username, display_name, password_hash, duty)
        for username, display_name, duty in SECOND_PEOPLE
    }
    for account in (*people.values(), *second.values()):
        account.created_at = timeline.before_start(FOUNDED_DAYS_EARLIER)
    places, numbers = [], itertools.count()
    for place, story in ((vogelwijk, VOGELWIJK), (bloemenbuurt, BLOEMENBUURT)):
        place.cbs_code, place.homes = story.cbs_code, story.homes
        neighbours = await _residents(session, timeline, place, story, password_hash, numbers)
        places.append((neighbours, story))
    moderators = (people["mila"], people["beheerder"])  # the admin for Bloemenbuurt
    for number in range(len(timeline.months)):
        for (neighbours, story), moderator in zip(places, moderators, strict=True):
            await _month(session, timeline, neighbours, story, number, moderator)
    (vogelwijk_neighbours, _), (bloemenbuurt_neighbours, _) = places
    survey_month = timeline.months[SURVEY_MONTH]
    await closed_survey(session, timeline, people["dirk"], vogelwijk_neighbours, survey_month)
    await open_survey(session, timeline, second["henk"], bloemenbuurt_neighbours)


async def work_out_figures(session: AsyncSession, now: datetime, zone: ZoneInfo) -> int:
    """The liveability figures of every week and month from the history's start to today."""
    today = local_day(now, zone)
    return await metric_rollups.rebuild(session, history_start(now, zone), today, zone)


async def _month(
    session: AsyncSession,
    timeline: Timeline,
    neighbours: Neighbours,
    story: Story,
    number: int,
    moderator: Account,
) -> None:
    """Month `number` of one neighbourhood's story."""
    rng, month = timeline.rng, timeline.months[number]
    await month_of_posts(session, timeline, neighbours, month, story.liveliness)
    for index in range(story.activities[number]):
        plan = CLEAN_UP if index == 0 else OTHERS[(number + index) % len(OTHERS)]
        await activity(session, timeline, neighbours, month, plan, rng.randint(*story.sign_ups))
    if voters := story.voters[number]:
        await poll(session, timeline, neighbours, month, voters)
    if count := story.reports[number]:
        posted = await adverts(session, timeline, neighbours, month, 1 + count // 4)
        await handled_reports(session, timeline, neighbours, posted, count, moderator)
    for _ in range(story.leaving[number]):
        left_on = local_day(timeline.moment(month), timeline.zone)
        departure = NeighbourhoodDeparture(
            neighbourhood_id=neighbours.neighbourhood_id,
            joined_on=local_day(timeline.moment(timeline.months[0]), timeline.zone),
            left_on=left_on,
        )
        session.add(departure)


async def _residents(
    session: AsyncSession,
    timeline: Timeline,
    place: Neighbourhood,
    story: Story,
    password_hash: str,
    numbers: Iterator[int],
) -> Neighbours:
    """The founders, from before the first month, and who joined in each month."""
    assert place.id is not None
    neighbours = Neighbours(place.id)
    moments = [timeline.before_start(FOUNDED_DAYS_EARLIER) for _ in range(story.founders)]
    for month, count in zip(timeline.months, story.joining, strict=True):
        moments += [timeline.moment(month) for _ in range(count)]
    for moment in sorted(moments):
        number = next(numbers)
        first = FIRST_NAMES[number % len(FIRST_NAMES)]
        last = LAST_NAMES[number * 7 % len(LAST_NAMES)]
        username = f"{_ascii(first).lower()}{number + 1}"
        account = await _account(session, place, username, f"{first} {last}", password_hash)
        account.created_at = moment
        neighbours.add(account, moment)
    return neighbours


async def _account(
    session: AsyncSession,
    place: Neighbourhood,
    username: str,
    display_name: str,
    password_hash: str,
    duty: Duty | None = None,
) -> Account:
    new = accounts.NewAccount(
        username=username,
        email=f"{username}@example.org",
        password="",  # hashed once for all of them: `password_hash`
        display_name=display_name,
        neighbourhood_id=place.id,
        duty=duty,
        email_confirmed=True,
    )
    return await accounts.add_account(session, new, password_hash)


def _ascii(name: str) -> str:
    """Zoë as zoe: a username has letters a to z only."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
