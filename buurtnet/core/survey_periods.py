"""A neighbourhood's survey periods as the survey pages show them: their state, who may see
their results, and the one a resident is invited to (docs/liveability.md, "Survey pages").

`core.surveys` opens periods, stores answers and computes results; this module only reads.
Dates are the instance's calendar days, passed in as `today`.
"""

from datetime import date, timedelta
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import surveys
from buurtnet.core.errors import NotFound
from buurtnet.core.permissions import Roles, can_direct
from buurtnet.models import Account, SurveyPeriod

DEFAULT_LENGTH = timedelta(weeks=4)


class PeriodState(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def state(period: SurveyPeriod, today: date) -> PeriodState:
    if today < period.opens_on:
        return PeriodState.UPCOMING
    return PeriodState.OPEN if surveys.is_open(period, today) else PeriodState.CLOSED


def default_dates(today: date) -> tuple[date, date]:
    """What the form to open a survey suggests: from today, for four weeks."""
    return today, today + DEFAULT_LENGTH


def may_view_results(roles: Roles, neighbourhood_id: int) -> bool:
    """The neighbourhood's director and the admins read a survey's published figures
    (METRICS.md "who sees what"); the open answers stay with the director (`surveys`)."""
    return roles.admin or can_direct(roles, neighbourhood_id)


async def periods_of(session: AsyncSession, neighbourhood_id: int) -> list[SurveyPeriod]:
    """The neighbourhood's periods, the latest first."""
    query = (
        select(SurveyPeriod)
        .where(col(SurveyPeriod.neighbourhood_id) == neighbourhood_id)
        .order_by(col(SurveyPeriod.opens_on).desc())
    )
    return list((await session.exec(query)).all())


async def resident_period(session: AsyncSession, resident: Account, period_id: int) -> SurveyPeriod:
    """A period of the resident's own neighbourhood, open or not; NotFound for any other, so
    that a form cannot tell whether another neighbourhood runs a survey."""
    period = await session.get(SurveyPeriod, period_id)
    if (
        period is None
        or resident.neighbourhood_id is None
        or period.neighbourhood_id != resident.neighbourhood_id
    ):
        raise NotFound("no such survey in the resident's neighbourhood")
    return period


async def invitation(session: AsyncSession, resident: Account, today: date) -> SurveyPeriod | None:
    """The survey open today in the resident's neighbourhood, if they have not answered it yet:
    the home page invites them to it."""
    period = await surveys.current_period(session, resident, today)
    if period is None or period.id is None:
        return None
    return None if await surveys.has_answered(session, resident, period.id) else period
