"""The periods the director's dashboard and its quarterly report show (core/dashboard): only
published ones (`metric_periods.is_published`), so never the period in progress nor the one
just ended on its grace day."""

from datetime import date

import pytest

from buurtnet.core import dashboard
from buurtnet.models import PeriodKind

MONTH, WEEK = PeriodKind.MONTH, PeriodKind.WEEK


@pytest.mark.parametrize(
    ("today", "first", "latest"),
    [
        (date(2026, 3, 31), date(2025, 9, 1), date(2026, 2, 1)),
        (date(2026, 4, 1), date(2025, 9, 1), date(2026, 2, 1)),  # March's grace day
        (date(2026, 4, 2), date(2025, 10, 1), date(2026, 3, 1)),
    ],
)
def test_the_months_shown_end_with_the_last_published(
    today: date, first: date, latest: date
) -> None:
    starts = dashboard.recent_starts(today, MONTH, 6)
    assert (starts[0], starts[-1], len(starts)) == (first, latest, 6)


def test_the_weeks_shown_end_with_the_last_published() -> None:
    monday, tuesday = date(2026, 4, 6), date(2026, 4, 7)
    assert dashboard.recent_starts(monday, WEEK, 2) == (date(2026, 3, 16), date(2026, 3, 23))
    assert dashboard.recent_starts(tuesday, WEEK, 2) == (date(2026, 3, 23), date(2026, 3, 30))


def test_a_year_up_to_a_month() -> None:
    year = dashboard.starts_up_to(date(2026, 3, 1), MONTH, 12)
    assert (year[0], year[-1], len(year)) == (date(2025, 4, 1), date(2026, 3, 1), 12)


@pytest.mark.parametrize(
    ("today", "quarter"),
    [
        (date(2026, 4, 1), (2025, 4)),  # March is not published yet
        (date(2026, 4, 2), (2026, 1)),
        (date(2026, 6, 30), (2026, 1)),
        (date(2026, 1, 1), (2025, 3)),
        (date(2026, 1, 2), (2025, 4)),
    ],
)
def test_the_last_complete_quarter_has_all_its_months_published(
    today: date, quarter: tuple[int, int]
) -> None:
    assert dashboard.last_complete_quarter(today) == quarter
    assert dashboard.is_over(*quarter, today)
    following = (quarter[0], quarter[1] + 1) if quarter[1] < 4 else (quarter[0] + 1, 1)
    assert not dashboard.is_over(*following, today)
