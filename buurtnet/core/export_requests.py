"""What an export of the liveability figures asks for: the kind of period, the months it
covers and the file format, read from the partners' API, the dashboard's download or the command
line (docs/liveability.md, "Partners"). Pure: `today` is passed in.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from buurtnet.core import metric_periods
from buurtnet.core.errors import InvalidInput
from buurtnet.models import PeriodKind

FIRST_YEAR = 2000
MAX_MONTHS = 120  # ten years in one file at most
DEFAULT_MONTHS = {PeriodKind.MONTH: 12, PeriodKind.WEEK: 3}  # without `from`: a year, a quarter


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


@dataclass(frozen=True)
class Range:
    """The periods wanted: those that start from `first` to `last` (both included), and the
    surveys that closed in those days. Periods not yet published are left out on the way."""

    period: PeriodKind
    first: date
    last: date


def parse_format(text: str) -> ExportFormat:
    """'json' (also when empty) or 'csv'; InvalidInput otherwise."""
    chosen = text.strip().lower() or ExportFormat.JSON
    if chosen not in set(ExportFormat):
        raise InvalidInput.single("format", "export_format_invalid")
    return ExportFormat(chosen)


def parse_range(period_text: str, from_text: str, to_text: str, today: date) -> Range:
    """The range of a request: a period kind ('month' or 'week', 'month' when empty) and the
    months from and to ('2026-01'), both included. Without `to`: up to the month of the last
    published period (`metric_periods.is_published`); without `from`: a year of months, or a
    quarter of weeks, up to `to`. InvalidInput names the first parameter found wrong."""
    chosen = period_text.strip().lower() or PeriodKind.MONTH
    if chosen not in set(PeriodKind):
        raise InvalidInput.single("period", "export_period_invalid")
    period = PeriodKind(chosen)
    last_published = metric_periods.last_published_start(today, period)
    published_month = metric_periods.period_start(last_published, PeriodKind.MONTH)
    # A `to` in the future reads as up to now: what is not published yet is left out anyway.
    this_month = metric_periods.period_start(today, PeriodKind.MONTH)
    to_month = min(_month(to_text, "to"), this_month) if to_text.strip() else published_month
    from_month = _month(from_text, "from") if from_text.strip() else None
    if from_month is None:
        from_month = _months_back(to_month, DEFAULT_MONTHS[period] - 1)
    if from_month > to_month:
        raise InvalidInput.single("from", "export_range_reversed")
    if _months_between(from_month, to_month) >= MAX_MONTHS:
        raise InvalidInput.single("to", "export_range_too_long")
    if from_month > last_published:
        raise InvalidInput.single("from", "export_not_over")
    return Range(period, from_month, metric_periods.last_day(to_month, PeriodKind.MONTH))


def one_month(text: str, today: date) -> Range:
    """One month, '2026-01', as the command line takes it."""
    return parse_range(PeriodKind.MONTH, text, text, today)


def _month(text: str, field: str) -> date:
    month = metric_periods.parse_month(text)
    if month is None or month.year < FIRST_YEAR:
        raise InvalidInput.single(field, "export_month_invalid")
    return month


def _months_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month
