"""The periods the liveability figures are counted over: ISO weeks, calendar months and the
quarters of the report, on the instance's calendar, also across a change of clocks."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from buurtnet.core.metric_periods import (
    bounds,
    is_published,
    last_day,
    last_published_start,
    next_start,
    parse_month,
    period_start,
    previous_start,
    quarter_months,
    quarter_of,
    starts_between,
)
from buurtnet.models import PeriodKind

WEEK, MONTH = PeriodKind.WEEK, PeriodKind.MONTH
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("day", "week", "month"),
    [
        (date(2026, 3, 4), date(2026, 3, 2), date(2026, 3, 1)),  # a Wednesday
        (date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 1)),  # a Monday starts its week
        (date(2026, 3, 8), date(2026, 3, 2), date(2026, 3, 1)),  # a Sunday ends it
        (date(2026, 1, 1), date(2025, 12, 29), date(2026, 1, 1)),  # ISO week 1 starts in 2025
        (date(2024, 2, 29), date(2024, 2, 26), date(2024, 2, 1)),
        (date(2026, 12, 31), date(2026, 12, 28), date(2026, 12, 1)),
    ],
)
def test_the_start_of_a_week_and_a_month(day: date, week: date, month: date) -> None:
    assert period_start(day, WEEK) == week
    assert week.isoweekday() == 1
    assert period_start(day, MONTH) == month


def test_next_and_previous_periods() -> None:
    assert next_start(date(2026, 3, 2), WEEK) == date(2026, 3, 9)
    assert next_start(date(2026, 12, 28), WEEK) == date(2027, 1, 4)
    assert next_start(date(2026, 11, 1), MONTH) == date(2026, 12, 1)
    assert next_start(date(2026, 12, 1), MONTH) == date(2027, 1, 1)
    assert previous_start(date(2026, 3, 2), WEEK) == date(2026, 2, 23)
    assert previous_start(date(2026, 1, 1), MONTH) == date(2025, 12, 1)
    assert previous_start(date(2026, 3, 1), MONTH) == date(2026, 2, 1)


def test_the_last_day_of_a_period() -> None:
    assert last_day(date(2026, 3, 2), WEEK) == date(2026, 3, 8)
    assert last_day(date(2026, 2, 1), MONTH) == date(2026, 2, 28)
    assert last_day(date(2024, 2, 1), MONTH) == date(2024, 2, 29)
    assert last_day(date(2026, 12, 1), MONTH) == date(2026, 12, 31)


def test_every_month_of_a_year_follows_the_one_before() -> None:
    starts = list(starts_between(date(2026, 1, 1), date(2026, 12, 31), MONTH))
    assert starts == [date(2026, month, 1) for month in range(1, 13)]
    for starts_on in starts:
        assert previous_start(next_start(starts_on, MONTH), MONTH) == starts_on
        assert next_start(starts_on, MONTH) == last_day(starts_on, MONTH) + timedelta(days=1)


def test_the_periods_between_two_days() -> None:
    # Every period that overlaps, also one that starts before the first day.
    assert list(starts_between(date(2026, 3, 4), date(2026, 3, 16), WEEK)) == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
    assert list(starts_between(date(2026, 1, 31), date(2026, 2, 1), MONTH)) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert list(starts_between(date(2026, 3, 4), date(2026, 3, 4), WEEK)) == [date(2026, 3, 2)]
    assert list(starts_between(date(2026, 4, 4), date(2026, 3, 1), MONTH)) == []
    # 2026 has 53 ISO weeks
    assert len(list(starts_between(date(2026, 1, 1), date(2026, 12, 31), WEEK))) == 53


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_bounds_of_a_winter_month_and_a_summer_week() -> None:
    assert bounds(date(2026, 1, 1), MONTH, AMSTERDAM) == (
        utc(2025, 12, 31, 23),
        utc(2026, 1, 31, 23),
    )
    assert bounds(date(2026, 6, 1), WEEK, AMSTERDAM) == (utc(2026, 5, 31, 22), utc(2026, 6, 7, 22))
    assert bounds(date(2026, 1, 1), MONTH, ZoneInfo("UTC")) == (utc(2026, 1, 1), utc(2026, 2, 1))


def test_bounds_across_the_change_to_summer_time() -> None:
    # Clocks go forward on Sunday 29 March 2026: that week and month are an hour short.
    week = bounds(date(2026, 3, 23), WEEK, AMSTERDAM)
    assert week == (utc(2026, 3, 22, 23), utc(2026, 3, 29, 22))
    assert week[1] - week[0] == timedelta(days=7, hours=-1)
    month = bounds(date(2026, 3, 1), MONTH, AMSTERDAM)
    assert month == (utc(2026, 2, 28, 23), utc(2026, 3, 31, 22))
    assert month[1] - month[0] == timedelta(days=31, hours=-1)


def test_bounds_across_the_change_to_winter_time() -> None:
    # Clocks go back on Sunday 25 October 2026: that week and month are an hour long(er).
    week = bounds(date(2026, 10, 19), WEEK, AMSTERDAM)
    assert week == (utc(2026, 10, 18, 22), utc(2026, 10, 25, 23))
    assert week[1] - week[0] == timedelta(days=7, hours=1)
    month = bounds(date(2026, 10, 1), MONTH, AMSTERDAM)
    assert month == (utc(2026, 9, 30, 22), utc(2026, 10, 31, 23))
    assert month[1] - month[0] == timedelta(days=31, hours=1)


@pytest.mark.parametrize("period", [WEEK, MONTH])
def test_consecutive_periods_meet_without_a_gap_or_overlap(period: PeriodKind) -> None:
    starts = list(starts_between(date(2025, 12, 1), date(2027, 1, 31), period))
    for starts_on, following in pairwise(starts):
        assert bounds(starts_on, period, AMSTERDAM)[1] == bounds(following, period, AMSTERDAM)[0]
    first, _ = bounds(starts[0], period, AMSTERDAM)
    _, end = bounds(starts[-1], period, AMSTERDAM)
    days = (next_start(starts[-1], period) - starts[0]).days
    assert end - first == timedelta(days=days)  # the two changes of a year cancel out


def test_a_moment_at_local_midnight_belongs_to_the_new_period() -> None:
    april = bounds(date(2026, 4, 1), MONTH, AMSTERDAM)
    midnight = datetime(2026, 4, 1, tzinfo=AMSTERDAM)
    assert april[0] == midnight
    assert april[0] <= midnight < april[1]
    assert not bounds(date(2026, 3, 1), MONTH, AMSTERDAM)[0] <= midnight < april[0]


@pytest.mark.parametrize(
    ("today", "published"),
    [
        (date(2026, 3, 31), False),  # its last day
        (date(2026, 4, 1), False),  # the grace day after it
        (date(2026, 4, 2), True),  # the second day after
        (date(2027, 1, 1), True),
    ],
)
def test_a_month_is_published_once_a_whole_day_has_passed_after_it(
    today: date, published: bool
) -> None:
    assert is_published(date(2026, 3, 1), MONTH, today) is published


@pytest.mark.parametrize(
    ("today", "published"),
    [
        (date(2026, 3, 8), False),  # the week of 2 March ends on Sunday the 8th
        (date(2026, 3, 9), False),  # Monday: the grace day
        (date(2026, 3, 10), True),  # Tuesday
    ],
)
def test_a_week_is_published_once_a_whole_day_has_passed_after_it(
    today: date, published: bool
) -> None:
    assert is_published(date(2026, 3, 2), WEEK, today) is published


@pytest.mark.parametrize(
    ("today", "month", "week"),
    [
        (date(2026, 4, 1), date(2026, 2, 1), date(2026, 3, 23)),  # a Wednesday, grace day
        (date(2026, 4, 2), date(2026, 3, 1), date(2026, 3, 23)),
        (date(2026, 4, 6), date(2026, 3, 1), date(2026, 3, 23)),  # a Monday: grace day of weeks
        (date(2026, 4, 7), date(2026, 3, 1), date(2026, 3, 30)),
        (date(2026, 1, 1), date(2025, 11, 1), date(2025, 12, 22)),  # across the year
    ],
)
def test_the_last_published_period(today: date, month: date, week: date) -> None:
    assert last_published_start(today, MONTH) == month
    assert last_published_start(today, WEEK) == week
    for period, latest in ((MONTH, month), (WEEK, week)):
        assert is_published(latest, period, today)
        assert not is_published(next_start(latest, period), period, today)


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2026, 1, 1), (2026, 1)),
        (date(2026, 3, 31), (2026, 1)),
        (date(2026, 4, 1), (2026, 2)),
        (date(2026, 9, 30), (2026, 3)),
        (date(2026, 12, 31), (2026, 4)),
    ],
)
def test_the_quarter_of_a_day(day: date, quarter: tuple[int, int]) -> None:
    assert quarter_of(day) == quarter


def test_the_months_of_a_quarter() -> None:
    assert quarter_months(2026, 1) == (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
    assert quarter_months(2026, 4) == (date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1))
    for quarter in range(1, 5):
        assert {quarter_of(month) for month in quarter_months(2026, quarter)} == {(2026, quarter)}


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-11", date(2026, 11, 1)),
        (" 2026-01 ", date(2026, 1, 1)),
        ("1999-12", date(1999, 12, 1)),
    ],
)
def test_parse_month(text: str, month: date) -> None:
    assert parse_month(text) == month


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "2026",
        "2026-",
        "-11",
        "2026-1",  # two digits for the month
        "2026-001",
        "2026-00",
        "2026-13",
        "26-11",
        "02026-11",
        "2026/11",
        "2026 11",
        "2026-11-01",
        "11-2026",
        "2026--11",
        "+2026-11",
        "2026-+1",
        "2026-1 ",
        "2026-1\n",
        "twee-elf",
        "2026-xi",
        "0000-01",  # there is no year 0
        "\x00",
        "2026-11" + "1" * 1000,
    ],
)
def test_parse_month_refuses_anything_else(text: str) -> None:
    assert parse_month(text) is None
