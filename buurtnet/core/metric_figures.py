"""What may be shown of the liveability figures: the one disclosure rule that the dashboard, the
quarterly report, the partners' API, the command-line export and the public summary all read
through (shared METRICS.md section 3; docs/liveability.md).

- A count of people below k is not shown (`Figure.suppressed`: "< k", or empty with a flag in an
  export); at or above k it is rounded to fives (`disclosure.suppress`).
- Shares and rates per 100 are worked out from the published, rounded counts, never from the
  exact ones, so they reveal nothing the counts do not; with either count hidden they are hidden.
- A median time is shown only when the reports it rests on are at least k.
- Every cell is a function of its own stored value only: the same neighbourhood, period and
  indicator read the same in every page and export, whatever else was asked for. Two exports with
  different filters therefore differ only in which cells they hold, never in a cell's value, and
  nothing is ever added up across neighbourhoods or periods.
- Care signals only for the director and admins (`Audience.DIRECTOR`).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import disclosure
from buurtnet.core.indicators import INDICATORS, Indicator, Measure
from buurtnet.models import MetricRollup, PeriodKind


class Audience(StrEnum):
    """Who the figures are for; decides only whether care signals are among them."""

    DIRECTOR = "director"  # the neighbourhood's director, and admins
    PARTNER = "partner"  # a partner's token, the command-line export
    PUBLIC = "public"  # the neighbourhood page's summary


@dataclass(frozen=True)
class Figure:
    """An indicator as it may be shown. `value` None and `suppressed` True: rests on fewer than
    k people ("< k"); `value` None and `suppressed` False: there is no such figure (no reports
    to take a median of, no number of homes)."""

    indicator: Indicator
    value: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class PeriodFigures:
    neighbourhood_id: int
    period: PeriodKind
    starts_on: date
    figures: tuple[Figure, ...]

    def get(self, key: str) -> Figure:
        return next(figure for figure in self.figures if figure.indicator.key == key)


def indicators_for(audience: Audience) -> tuple[Indicator, ...]:
    return tuple(
        indicator
        for indicator in INDICATORS
        if audience == Audience.DIRECTOR or not indicator.director_only
    )


def publish(stored: Mapping[str, float | None], k: int, audience: Audience) -> tuple[Figure, ...]:
    """The figures of one neighbourhood and period, from its stored values, as they may be
    shown. Pure: the same stored values give the same figures, wherever they are shown."""
    shown: dict[str, Figure] = {}
    for indicator in indicators_for(audience):
        if indicator.measure in (Measure.SHARE, Measure.PER_100):
            continue
        shown[indicator.key] = one_figure(indicator, stored, k)
    for indicator in indicators_for(audience):
        if indicator.measure in (Measure.SHARE, Measure.PER_100):
            shown[indicator.key] = worked_out(indicator, shown, stored)
    return tuple(shown[indicator.key] for indicator in indicators_for(audience))


def one_figure(indicator: Indicator, stored: Mapping[str, float | None], k: int) -> Figure:
    value = stored.get(indicator.key)
    if value is None:
        return Figure(indicator, None)
    if indicator.measure == Measure.PEOPLE:
        rounded = disclosure.suppress(round(value), k)
        return Figure(indicator, None if rounded is None else float(rounded), rounded is None)
    if indicator.measure == Measure.HOURS:
        basis = stored.get(indicator.numerator or "")
        if basis is None or disclosure.suppress(round(basis), k) is None:
            return Figure(indicator, None, suppressed=True)
        return Figure(indicator, round(value, 1))
    if indicator.measure == Measure.RATIO:
        return Figure(indicator, round(value, 1))
    return Figure(indicator, float(round(value)))  # COUNT


def worked_out(
    indicator: Indicator, shown: Mapping[str, Figure], stored: Mapping[str, float | None]
) -> Figure:
    """A share or rate from the published counts: hidden when either is hidden."""
    numerator = shown.get(indicator.numerator or "")
    denominator = shown.get(indicator.denominator or "")
    if numerator is None or denominator is None:
        # A count the audience may not see (none today); never worked out from the stored one.
        return Figure(indicator, None, suppressed=True)
    if numerator.suppressed or denominator.suppressed:
        return Figure(indicator, None, suppressed=True)
    if numerator.value is None or not denominator.value:
        return Figure(indicator, None)
    scale = 100.0
    value = numerator.value / denominator.value * scale
    if indicator.measure == Measure.SHARE:
        return Figure(indicator, float(min(round(value), 100)))
    return Figure(indicator, round(value, 1))


async def read_figures(
    session: AsyncSession,
    neighbourhood_ids: Sequence[int],
    period: PeriodKind,
    first: date,
    last: date,
    k: int,
    audience: Audience,
) -> list[PeriodFigures]:
    """The published figures of these neighbourhoods for the periods starting from `first` to
    `last` (both included), oldest first per neighbourhood; periods without a rollup are left
    out. Reads the small rollup table only."""
    if not neighbourhood_ids:
        return []
    query = select(MetricRollup).where(
        col(MetricRollup.neighbourhood_id).in_(list(neighbourhood_ids)),
        col(MetricRollup.period) == period,
        col(MetricRollup.starts_on) >= first,
        col(MetricRollup.starts_on) <= last,
    )
    cells: dict[tuple[int, date], dict[str, float | None]] = {}
    for row in (await session.exec(query)).all():
        cells.setdefault((row.neighbourhood_id, row.starts_on), {})[row.indicator] = row.value
    return [
        PeriodFigures(neighbourhood_id, period, starts_on, publish(stored, k, audience))
        for (neighbourhood_id, starts_on), stored in sorted(cells.items())
    ]


def as_rows(periods: Iterable[PeriodFigures]) -> list[dict[str, object]]:
    """Flat rows for an export (CSV or JSON): one per neighbourhood, period and indicator, the
    value empty and `suppressed` true where it may not be shown."""
    return [
        {
            "neighbourhood_id": figures.neighbourhood_id,
            "period": figures.period.value,
            "starts_on": figures.starts_on.isoformat(),
            "indicator": figure.indicator.key,
            "dimension": figure.indicator.dimension.value,
            "value": figure.value,
            "suppressed": figure.suppressed,
        }
        for figures in periods
        for figure in figures.figures
    ]
