"""The neighbourhood page's small summary for residents: "in March 2026 in Vogelwijk: 4
activities, at least 65 neighbours took part" (shared METRICS.md section 4).

Only the last published month (`metric_periods.is_published`), never the month in progress nor
the one just ended during its grace day: a figure that moves while anyone can watch the page
would show what one neighbour just did. The figures come through
`metric_figures` for the public, so counts of people are rounded down to fives and hidden below k,
exactly as everywhere else.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import metric_figures
from buurtnet.core.local_times import local_day
from buurtnet.core.metric_figures import Audience, Figure, PeriodFigures
from buurtnet.core.metric_periods import last_published_start
from buurtnet.models import PeriodKind


@dataclass(frozen=True)
class MonthSummary:
    """None: the figure is not there (and not mentioned). `active_hidden`: it rests on fewer
    than k people ("fewer than k neighbours took part")."""

    month: date
    events_held: int | None
    active_residents: int | None
    active_hidden: bool
    help_asked: int | None
    help_answered: int | None


async def last_month(
    session: AsyncSession, neighbourhood_id: int, now: datetime, zone: ZoneInfo, k: int
) -> MonthSummary | None:
    """The summary of the last published month; None when it has no figures to tell."""
    month = last_published_start(local_day(now, zone), PeriodKind.MONTH)
    found = await metric_figures.read_figures(
        session, [neighbourhood_id], PeriodKind.MONTH, month, month, k, Audience.PUBLIC
    )
    return summary_of(found[0]) if found else None


def summary_of(figures: PeriodFigures) -> MonthSummary | None:
    active = figures.get("active_residents")
    summary = MonthSummary(
        month=figures.starts_on,
        events_held=_whole(figures.get("events_held")),
        active_residents=_whole(active),
        active_hidden=active.suppressed,
        help_asked=_whole(figures.get("help_asked")),
        help_answered=_whole(figures.get("help_answered")),
    )
    told = (summary.events_held, summary.active_residents, summary.help_asked)
    if all(value is None for value in told) and not summary.active_hidden:
        return None
    return summary


def _whole(figure: Figure) -> int | None:
    return None if figure.value is None else round(figure.value)
