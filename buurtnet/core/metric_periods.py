"""The periods the liveability figures are counted over: ISO weeks (Monday to Sunday) and
calendar months, on the instance's calendar, and the quarters the report groups months in. Pure.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from buurtnet.core.local_times import day_bounds
from buurtnet.models import PeriodKind

# A period is published (final) once this many whole days have passed after its last day.
GRACE_DAYS = 1


def period_start(day: date, period: PeriodKind) -> date:
    """The first day of the week or month that `day` falls in."""
    if period == PeriodKind.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_start(starts_on: date, period: PeriodKind) -> date:
    if period == PeriodKind.WEEK:
        return starts_on + timedelta(days=7)
    return date(starts_on.year + starts_on.month // 12, starts_on.month % 12 + 1, 1)


def previous_start(starts_on: date, period: PeriodKind) -> date:
    if period == PeriodKind.WEEK:
        return starts_on - timedelta(days=7)
    return period_start(starts_on - timedelta(days=1), period)


def last_day(starts_on: date, period: PeriodKind) -> date:
    return next_start(starts_on, period) - timedelta(days=1)


def starts_between(first: date, last: date, period: PeriodKind) -> Iterator[date]:
    """The starts of every period that overlaps `first` to `last` (both included); none when
    `last` is before `first`."""
    if last < first:
        return
    starts_on = period_start(first, period)
    while starts_on <= last:
        yield starts_on
        starts_on = next_start(starts_on, period)


def bounds(starts_on: date, period: PeriodKind, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period as UTC moments: from its first midnight, up to (not including) the next
    period's, on the zone's calendar (a week or month across a change of clocks included)."""
    return day_bounds(starts_on, last_day(starts_on, period), zone)


def parse_month(text: str) -> date | None:
    """'2026-11' as the first of that month, or None."""
    year, dash, month = text.strip().partition("-")
    if not dash or not (year.isdecimal() and len(year) == 4) or not month.isdecimal():
        return None
    # Year 9999 has no next month to end on, year 0 none at all.
    if not 1 <= int(year) <= 9998 or not 1 <= int(month) <= 12 or len(month) != 2:
        return None
    return date(int(year), int(month), 1)


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter 1-4)."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_months(year: int, quarter: int) -> tuple[date, date, date]:
    first_month = (quarter - 1) * 3 + 1
    return tuple(date(year, first_month + offset, 1) for offset in range(3))  # type: ignore[return-value]


def is_published(starts_on: date, period: PeriodKind, today: date) -> bool:
    """Whether the period's figures are final: once `GRACE_DAYS` whole days have passed after
    its last day on the instance's calendar. Until then the hourly job still recomputes them (a
    like on the last evening, an attendance recorded the day after); from then on nothing but
    an admin's rebuild touches them, so they may be shown and exported without anyone watching
    them move."""
    return today > last_day(starts_on, period) + timedelta(days=GRACE_DAYS)


def last_published_start(today: date, period: PeriodKind) -> date:
    """The start of the latest published period: the one before the period in progress, or,
    during its grace day, the one before that."""
    latest = previous_start(period_start(today, period), period)
    return latest if is_published(latest, period, today) else previous_start(latest, period)
