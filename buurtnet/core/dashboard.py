"""What the director's dashboard reads (shared METRICS.md sections 4 and 5): which
neighbourhoods someone may see, the periods it shows, the published figures of those periods and
the latest survey result of each neighbourhood. Every figure comes through `metric_figures` and
`surveys.results`, so the dashboard shows nothing the disclosure rules hold back.

Directors see their own neighbourhoods, admins all of them; nobody else opens the dashboard.
Care-signal counts are for the neighbourhood's director only (METRICS.md): they appear on the page
of a neighbourhood its viewer directs (`audience`), never on the overview, nor for an admin who
does not direct it, nor in the quarterly report, which directors share with partners.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import metric_figures, metric_periods, neighbourhoods, surveys
from buurtnet.core.errors import NotAllowed
from buurtnet.core.indicators import BY_KEY, Dimension, Indicator
from buurtnet.core.metric_figures import Audience, PeriodFigures
from buurtnet.core.permissions import Roles, can_direct
from buurtnet.models import Neighbourhood, PeriodKind, SurveyPeriod

# The figure each dimension's chart follows over time; the table beside it holds all of them.
HEADLINES: dict[Dimension, Indicator] = {
    Dimension.CONNECTION: BY_KEY["active_residents"],
    Dimension.PARTICIPATION: BY_KEY["sign_ups"],
    Dimension.GROWTH: BY_KEY["members"],
    Dimension.SIGNALS: BY_KEY["reports"],
}
# How many periods a page may show: as many months or weeks, ending with the latest complete one.
PERIOD_COUNTS = (6, 12, 24)
DEFAULT_PERIOD_COUNT = 12
DEFAULT_PERIOD = PeriodKind.MONTH
OVERVIEW_AUDIENCE = Audience.PARTNER  # several neighbourhoods side by side: no care signals
REPORT_AUDIENCE = Audience.PARTNER  # a report travels to partners: never care signals
QUARTER = re.compile(r"(\d{4})-Q([1-4])")
FIRST_YEAR = 2000


@dataclass(frozen=True)
class SurveySummary:
    """A neighbourhood's latest closed survey and its published results."""

    period: SurveyPeriod
    results: surveys.SurveyResults


@dataclass(frozen=True)
class Figures:
    """The published figures of some neighbourhoods over some periods, by neighbourhood and
    period start; a period without a rollup is missing."""

    by_cell: dict[tuple[int, date], PeriodFigures]

    def of(self, neighbourhood_id: int, starts_on: date) -> PeriodFigures | None:
        return self.by_cell.get((neighbourhood_id, starts_on))


def opens_dashboard(roles: Roles) -> bool:
    """Directors (of any neighbourhood) and admins."""
    return roles.admin or bool(roles.directs)


def may_view(roles: Roles, neighbourhood_id: int) -> bool:
    """A neighbourhood's figures: its director's, and every admin's (METRICS.md section 4)."""
    return roles.admin or can_direct(roles, neighbourhood_id)


async def visible_neighbourhoods(session: AsyncSession, roles: Roles) -> list[Neighbourhood]:
    """The neighbourhoods whose figures someone may see, by name."""
    return [
        place
        for place in await neighbourhoods.list_all(session)
        if place.id is not None and may_view(roles, place.id)
    ]


def audience(roles: Roles, neighbourhood_id: int) -> Audience:
    """Whose figures a neighbourhood's page shows: with care signals for its director only."""
    return Audience.DIRECTOR if can_direct(roles, neighbourhood_id) else Audience.PARTNER


async def viewable(session: AsyncSession, roles: Roles, slug: str) -> Neighbourhood:
    """The neighbourhood of a slug: NotFound when there is none, NotAllowed when it is not
    someone's to see (neighbourhoods are public, so a refusal tells nothing new)."""
    place = await neighbourhoods.get_by_slug(session, slug)
    if place.id is None or not may_view(roles, place.id):
        raise NotAllowed("not a neighbourhood of this director")
    return place


def recent_starts(today: date, period: PeriodKind, count: int) -> tuple[date, ...]:
    """The starts of the last `count` published periods, oldest first: what is not published
    (the period in progress, the one just ended on its grace day) would still change."""
    return starts_up_to(metric_periods.last_published_start(today, period), period, count)


def starts_up_to(latest: date, period: PeriodKind, count: int) -> tuple[date, ...]:
    """The starts of `count` periods ending with the one starting on `latest`, oldest first."""
    starts = [latest]
    while len(starts) < count:
        starts.append(metric_periods.previous_start(starts[-1], period))
    return tuple(reversed(starts))


def parse_quarter(text: str) -> tuple[int, int] | None:
    """'2026-Q3' as (2026, 3), or None."""
    found = QUARTER.fullmatch(text.strip().upper())
    if found is None or int(found.group(1)) < FIRST_YEAR:
        return None
    return int(found.group(1)), int(found.group(2))


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def last_complete_quarter(today: date) -> tuple[int, int]:
    """The latest quarter whose months are all published."""
    month = metric_periods.last_published_start(today, PeriodKind.MONTH)
    year, quarter = metric_periods.quarter_of(month)
    if month == metric_periods.quarter_months(year, quarter)[-1]:
        return year, quarter
    return previous_quarter(year, quarter)


def is_over(year: int, quarter: int, today: date) -> bool:
    """Whether the quarter's months are all published: a report is only made of those."""
    return (year, quarter) <= last_complete_quarter(today)


async def read(
    session: AsyncSession,
    neighbourhood_ids: Sequence[int],
    period: PeriodKind,
    starts: Sequence[date],
    k: int,
    audience: Audience = OVERVIEW_AUDIENCE,
) -> Figures:
    """The published figures of these neighbourhoods for these periods."""
    if not starts:
        return Figures({})
    found = await metric_figures.read_figures(
        session, neighbourhood_ids, period, min(starts), max(starts), k, audience
    )
    return Figures({(row.neighbourhood_id, row.starts_on): row for row in found})


async def latest_survey(
    session: AsyncSession,
    neighbourhood_id: int,
    today: date,
    k: int,
    closed_by: date | None = None,
) -> SurveySummary | None:
    """The neighbourhood's survey that closed last (before today, and on or before `closed_by`
    when given), with its published results; None when it has had none."""
    last_day = today if closed_by is None else min(today, closed_by)
    query = (
        select(SurveyPeriod)
        .where(
            col(SurveyPeriod.neighbourhood_id) == neighbourhood_id,
            col(SurveyPeriod.closes_on) < today,
            col(SurveyPeriod.closes_on) <= last_day,
        )
        .order_by(col(SurveyPeriod.closes_on).desc())
        .limit(1)
    )
    period = (await session.exec(query)).first()
    if period is None or period.id is None:
        return None
    return SurveySummary(period, await surveys.results(session, period.id, today, k))
