"""The dashboard's figures as its pages show them: charts (`svg_charts`) with the tables
beside them (`figure_tables`), and the change lines, in the reader's language. Pure but for the
translations passed in.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from buurtnet.core.dashboard import HEADLINES, Figures, SurveySummary
from buurtnet.core.indicators import DIMENSION_LABELS, Dimension, Indicator, Measure
from buurtnet.core.metric_figures import Figure
from buurtnet.core.metric_trends import Change, Direction, Wording, changes
from buurtnet.core.survey_scores import (
    CBS_COHESION_NATIONAL,
    CBS_COHESION_NON_URBAN,
    CBS_COHESION_VERY_STRONGLY_URBAN,
)
from buurtnet.models import Neighbourhood, PeriodKind
from buurtnet.web import svg_charts
from buurtnet.web.figure_tables import (
    PERIOD_NAMES,
    Formats,
    Table,
    all_figures_table,
    comparison_table,
    figure_of,
)
from buurtnet.web.messages import N_

# The change lines, by how the figure's change reads, its direction and the kind of period.
CHANGE_TEXTS = {
    (Wording.AMOUNT, Direction.MORE, PeriodKind.MONTH): N_("More than the month before."),
    (Wording.AMOUNT, Direction.SAME, PeriodKind.MONTH): N_("About as many as the month before."),
    (Wording.AMOUNT, Direction.FEWER, PeriodKind.MONTH): N_("Fewer than the month before."),
    (Wording.AMOUNT, Direction.MORE, PeriodKind.WEEK): N_("More than the week before."),
    (Wording.AMOUNT, Direction.SAME, PeriodKind.WEEK): N_("About as many as the week before."),
    (Wording.AMOUNT, Direction.FEWER, PeriodKind.WEEK): N_("Fewer than the week before."),
    (Wording.LEVEL, Direction.MORE, PeriodKind.MONTH): N_("Higher than the month before."),
    (Wording.LEVEL, Direction.SAME, PeriodKind.MONTH): N_("About the same as the month before."),
    (Wording.LEVEL, Direction.FEWER, PeriodKind.MONTH): N_("Lower than the month before."),
    (Wording.LEVEL, Direction.MORE, PeriodKind.WEEK): N_("Higher than the week before."),
    (Wording.LEVEL, Direction.SAME, PeriodKind.WEEK): N_("About the same as the week before."),
    (Wording.LEVEL, Direction.FEWER, PeriodKind.WEEK): N_("Lower than the week before."),
    (Wording.DURATION, Direction.MORE, PeriodKind.MONTH): N_("Longer than the month before."),
    (Wording.DURATION, Direction.SAME, PeriodKind.MONTH): N_("About as long as the month before."),
    (Wording.DURATION, Direction.FEWER, PeriodKind.MONTH): N_("Shorter than the month before."),
    (Wording.DURATION, Direction.MORE, PeriodKind.WEEK): N_("Longer than the week before."),
    (Wording.DURATION, Direction.SAME, PeriodKind.WEEK): N_("About as long as the week before."),
    (Wording.DURATION, Direction.FEWER, PeriodKind.WEEK): N_("Shorter than the week before."),
}
TOO_FEW_TEXT = N_("Still too few people to say anything.")
UNKNOWN_TEXT = N_("No figures yet to compare with.")
CBS_REFERENCES = (
    (N_("The Netherlands"), CBS_COHESION_NATIONAL),
    (N_("Non-urban"), CBS_COHESION_NON_URBAN),
    (N_("Very strongly urban"), CBS_COHESION_VERY_STRONGLY_URBAN),
)


@dataclass(frozen=True)
class ChangeLine:
    """A change for the template to word (`change_text`); `place` when several are compared."""

    change: Change
    place: str = ""


@dataclass(frozen=True)
class DimensionView:
    dimension: Dimension
    heading: str
    headline: str  # the charted figure's label
    chart: Markup
    table: Table
    change_lines: tuple[ChangeLine, ...]


def change_text(change: Change, period: PeriodKind) -> str:
    """The msgid of a change line, for the template to translate."""
    if change.direction == Direction.TOO_FEW:
        return TOO_FEW_TEXT
    if change.direction == Direction.UNKNOWN:
        return UNKNOWN_TEXT
    return CHANGE_TEXTS[change.wording, change.direction, period]


def _point(figure: Figure | None) -> svg_charts.Point:
    if figure is None:
        return svg_charts.Point(None)
    return svg_charts.Point(figure.value, figure.suppressed)


def headline_chart(
    chart_id: str,
    indicator: Indicator,
    places: Sequence[Neighbourhood],
    figures: Figures,
    starts: Sequence[date],
    formats: Formats,
    heading: str,
) -> Markup:
    """One line per neighbourhood of the dimension's headline figure over the periods."""
    _ = formats.translate
    series = tuple(
        svg_charts.Series(
            place.name,
            tuple(
                _point(figure_of(figures.of(place.id or 0, start), indicator)) for start in starts
            ),
        )
        for place in places
    )
    description = _("%(figure)s per %(period)s, for %(places)s. The numbers are in the table.") % {
        "figure": _(indicator.label),
        "period": _(PERIOD_NAMES[formats.period]).lower(),
        "places": ", ".join(place.name for place in places),
    }
    chart = svg_charts.LineChart(
        chart_id=chart_id,
        title=f"{heading}: {_(indicator.label)}",
        description=description,
        x_labels=tuple(formats.short_period_label(start) for start in starts),
        series=series,
        suppressed_text=_("< %(k)d people: not shown") % {"k": formats.k},
        empty_text=_("No figures for these periods"),
        format_number=formats.number,
        whole_numbers=indicator.measure in (Measure.PEOPLE, Measure.COUNT),
    )
    return Markup(svg_charts.line_chart(chart))  # noqa: S704 - every text in it is escaped


def overview_dimension(
    dimension: Dimension,
    places: Sequence[Neighbourhood],
    figures: Figures,
    starts: Sequence[date],
    formats: Formats,
) -> DimensionView:
    """A dimension for several neighbourhoods side by side: the headline figure only."""
    _ = formats.translate
    indicator = HEADLINES[dimension]
    heading = _(DIMENSION_LABELS[dimension])
    lines = tuple(
        ChangeLine(change, place.name)
        for place in places
        for change in latest_changes([indicator], place, figures, starts)
    )
    return DimensionView(
        dimension,
        heading,
        _(indicator.label),
        headline_chart(f"chart-{dimension}", indicator, places, figures, starts, formats, heading),
        comparison_table(f"table-{dimension}", indicator, places, figures, starts, formats),
        lines,
    )


def neighbourhood_dimension(
    dimension: Dimension,
    place: Neighbourhood,
    figures: Figures,
    starts: Sequence[date],
    formats: Formats,
    indicators: Sequence[Indicator],
    chart_starts: Sequence[date] | None = None,
) -> DimensionView:
    """A dimension of one neighbourhood: the headline chart (over `chart_starts`, when the
    chart shows a longer stretch than the table), every figure of `starts` in the table, and a
    change line for each figure."""
    _ = formats.translate
    indicator = HEADLINES[dimension]
    heading = _(DIMENSION_LABELS[dimension])
    charted = starts if chart_starts is None else chart_starts
    chart = headline_chart(
        f"chart-{dimension}", indicator, [place], figures, charted, formats, heading
    )
    table = all_figures_table(
        f"table-{dimension}", dimension, place, figures, starts, formats, indicators
    )
    lines = tuple(ChangeLine(c) for c in latest_changes(indicators, place, figures, starts))
    return DimensionView(dimension, heading, _(indicator.label), chart, table, lines)


def latest_changes(
    indicators: Sequence[Indicator],
    place: Neighbourhood,
    figures: Figures,
    starts: Sequence[date],
) -> tuple[Change, ...]:
    """The change from the period before the latest shown to the latest (both complete)."""
    if not starts:
        return ()
    latest = figures.of(place.id or 0, starts[-1])
    previous = figures.of(place.id or 0, starts[-2]) if len(starts) > 1 else None
    return changes(indicators, latest, previous)


@dataclass(frozen=True)
class SurveyRow:
    place: Neighbourhood
    summary: SurveySummary | None


def survey_chart(rows: Sequence[SurveyRow], formats: Formats) -> Markup:
    """The cohesion score of each neighbourhood's latest survey with its interval, next to the
    CBS references."""
    _ = formats.translate
    intervals = []
    for row in rows:
        cohesion = row.summary.results.cohesion if row.summary else None
        missing = _("no survey yet") if row.summary is None else f"< {formats.k}"
        intervals.append(
            svg_charts.Interval(
                row.place.name,
                cohesion.mean if cohesion else None,
                cohesion.low if cohesion else None,
                cohesion.high if cohesion else None,
                missing,
            )
        )
    chart = svg_charts.IntervalChart(
        chart_id="chart-survey",
        title=_("Social cohesion (0 to 10), latest survey"),
        # `% {}` turns the msgid's "%%" into "%", as the templates' gettext does.
        description=_(
            "Each neighbourhood's score with its 95%% confidence interval as a bar, next to "
            "lines for the CBS figures. The numbers are in the table."
        )
        % {},
        rows=tuple(intervals),
        references=tuple(svg_charts.Reference(_(label), value) for label, value in CBS_REFERENCES),
        format_number=formats.score,
    )
    return Markup(svg_charts.interval_chart(chart))  # noqa: S704 - every text in it is escaped
