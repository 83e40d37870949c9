"""The figures of the dashboard as tables: a cell per neighbourhood or figure and period, in
the reader's language. A cell reads "< k" where a figure rests on fewer than k people and a dash
where there is no figure at all (no rollup for the period, no reports to take a median of).
Pure but for the translations passed in.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from babel.dates import format_date
from babel.numbers import format_decimal

from buurtnet.core.dashboard import Figures
from buurtnet.core.indicators import DIMENSION_LABELS, Dimension, Indicator, Measure
from buurtnet.core.metric_figures import Figure, PeriodFigures
from buurtnet.models import Neighbourhood, PeriodKind
from buurtnet.web.messages import N_

Translate = Callable[[str], str]
DASH = "\N{EN DASH}"  # no figure
PERIOD_NAMES = {PeriodKind.MONTH: N_("Month"), PeriodKind.WEEK: N_("Week")}


class CellState(StrEnum):
    SHOWN = "shown"
    SUPPRESSED = "suppressed"  # "< k"
    MISSING = "missing"  # no figure


@dataclass(frozen=True)
class Cell:
    text: str
    state: CellState = CellState.SHOWN


@dataclass(frozen=True)
class TableRow:
    header: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    table_id: str
    caption: str
    corner: str  # the header above the rows' headers
    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class Formats:
    """How numbers and periods read in the page's language."""

    locale: str
    translate: Translate
    period: PeriodKind
    k: int

    def number(self, value: float) -> str:
        return format_decimal(value, format="#,##0.#", locale=self.locale)

    def score(self, value: float) -> str:
        return format_decimal(value, format="0.0", locale=self.locale)

    def figure(self, indicator: Indicator, value: float) -> str:
        shown = self.number(value)
        return f"{shown}%" if indicator.measure == Measure.SHARE else shown

    def cell(self, figure: Figure | None) -> Cell:
        if figure is not None and figure.suppressed:
            return Cell(f"< {self.k}", CellState.SUPPRESSED)
        if figure is None or figure.value is None:
            return Cell(DASH, CellState.MISSING)
        return Cell(self.figure(figure.indicator, figure.value))

    def period_label(self, starts_on: date) -> str:
        _ = self.translate
        if self.period == PeriodKind.WEEK:
            year, week, _weekday = starts_on.isocalendar()
            return _("week %(week)d of %(year)d") % {"week": week, "year": year}
        return format_date(starts_on, "LLLL yyyy", locale=self.locale)

    def short_period_label(self, starts_on: date) -> str:
        _ = self.translate
        if self.period == PeriodKind.WEEK:
            week = starts_on.isocalendar()[1]
            return _("wk %(week)d") % {"week": week}
        return format_date(starts_on, "LLL ''yy", locale=self.locale)


def figure_of(row: PeriodFigures | None, indicator: Indicator) -> Figure | None:
    if row is None:
        return None
    return next((f for f in row.figures if f.indicator.key == indicator.key), None)


def comparison_table(
    table_id: str,
    indicator: Indicator,
    places: Sequence[Neighbourhood],
    figures: Figures,
    starts: Sequence[date],
    formats: Formats,
) -> Table:
    """The chart's numbers: a row per period, a column per neighbourhood."""
    _ = formats.translate
    return Table(
        table_id=table_id,
        caption=_("%(figure)s per %(period)s")
        % {
            "figure": _(indicator.label),
            "period": _(PERIOD_NAMES[formats.period]).lower(),
        },
        corner=_(PERIOD_NAMES[formats.period]),
        columns=tuple(place.name for place in places),
        rows=tuple(
            TableRow(
                formats.period_label(start),
                tuple(
                    formats.cell(figure_of(figures.of(place.id or 0, start), indicator))
                    for place in places
                ),
            )
            for start in reversed(starts)  # the latest first: what a reader looks for
        ),
    )


def all_figures_table(
    table_id: str,
    dimension: Dimension,
    place: Neighbourhood,
    figures: Figures,
    starts: Sequence[date],
    formats: Formats,
    indicators: Sequence[Indicator],
) -> Table:
    """Every figure of a dimension for one neighbourhood: a row per figure, a column per
    period, the latest first."""
    _ = formats.translate
    latest_first = tuple(reversed(starts))
    return Table(
        table_id=table_id,
        caption=_("%(dimension)s: all figures of %(place)s")
        % {
            "dimension": _(DIMENSION_LABELS[dimension]),
            "place": place.name,
        },
        corner=_("Figure"),
        columns=tuple(formats.period_label(start) for start in latest_first),
        rows=tuple(
            TableRow(
                _(indicator.label),
                tuple(
                    formats.cell(figure_of(figures.of(place.id or 0, start), indicator))
                    for start in latest_first
                ),
            )
            for indicator in indicators
        ),
    )
