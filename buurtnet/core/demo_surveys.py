"""The demo's surveys (`demo_history`): one that closed a while ago with enough answers for its
scores to be published, and one open now, for a demo resident to answer. Made through
`core/surveys` on the days they were open, as residents answer them.
"""

from datetime import date, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import permissions, surveys
from buurtnet.core.demo_timeline import Neighbours, Timeline
from buurtnet.core.survey_scores import Answer
from buurtnet.models import Account, SurveyPeriod

SURVEY_DAYS = 14
CLOSED_RESPONDENTS = 14  # above the threshold of 10, so its scores are published
OPEN_RESPONDENTS = 3
OPEN_SINCE_DAYS = 4

# Most neighbours agree that people are pleasant and helpful; item 1 (people hardly know each
# other) is worded the other way round, so most disagree with it.
POSITIVE = (Answer.STRONGLY_AGREE, Answer.AGREE, Answer.NEUTRAL, Answer.DISAGREE)
POSITIVE_WEIGHTS = (2, 5, 3, 1)
NEGATIVE = (Answer.AGREE, Answer.NEUTRAL, Answer.DISAGREE, Answer.STRONGLY_DISAGREE)
NEGATIVE_WEIGHTS = (2, 3, 5, 1)
WISHES = (
    "Meer bankjes in het park.",
    "Een buurtfeest in de zomer.",
    "Minder hard rijden in de Merelstraat.",
    "",
    "",
)


async def closed_survey(
    session: AsyncSession,
    timeline: Timeline,
    director: Account,
    neighbours: Neighbours,
    month: date,
) -> SurveyPeriod:
    """Open for two weeks from early in `month`, answered by CLOSED_RESPONDENTS residents."""
    opens_on = month + timedelta(days=2)
    period = await _opened(session, timeline, director, opens_on)
    closes_on = period.closes_on
    for person in neighbours.some(timeline.rng, timeline.at(opens_on, time(0)), CLOSED_RESPONDENTS):
        answered_on = opens_on + timedelta(days=timeline.rng.randint(0, SURVEY_DAYS - 1))
        await _answer(session, timeline, person, period, min(answered_on, closes_on))
    return period


async def open_survey(
    session: AsyncSession, timeline: Timeline, director: Account, neighbours: Neighbours
) -> SurveyPeriod:
    """Opened a few days ago and open for a while yet; a few have answered."""
    period = await _opened(session, timeline, director, timeline.today - timedelta(OPEN_SINCE_DAYS))
    for person in neighbours.some(timeline.rng, timeline.now, OPEN_RESPONDENTS):
        await _answer(session, timeline, person, period, timeline.today)
    return period


async def _opened(
    session: AsyncSession, timeline: Timeline, director: Account, opens_on: date
) -> SurveyPeriod:
    assert director.neighbourhood_id is not None
    roles = await permissions.roles_of(session, director)
    closes_on = opens_on + timedelta(days=SURVEY_DAYS - 1)
    period = await surveys.open_period(
        session, roles, director.neighbourhood_id, opens_on, closes_on, opens_on
    )
    period.created_at = timeline.at(opens_on, time(9))
    return period


async def _answer(
    session: AsyncSession, timeline: Timeline, person: Account, period: SurveyPeriod, day: date
) -> None:
    rng = timeline.rng
    first = rng.choices(NEGATIVE, NEGATIVE_WEIGHTS)[0]
    rest = rng.choices(POSITIVE, POSITIVE_WEIGHTS, k=4)
    answers = surveys.SurveyAnswers(
        tuple(answer.value for answer in (first, *rest)),
        liveability_mark=rng.randint(5, 9),
        at_home_mark=rng.randint(6, 9),
        open_text=rng.choice(WISHES),
    )
    assert period.id is not None
    await surveys.answer(session, person, period.id, answers, day)
