"""The director's dashboard: the liveability figures of their neighbourhoods (all of them for
admins) as charts with tables, what changed, the latest survey next to the CBS references, and a
printable quarterly report to share with partners. Rules: `core.dashboard`; the figures come
through `core.metric_figures` only, so the disclosure rules hold here as everywhere.

The period and range are chosen with a GET form (no JavaScript); a choice the form does not offer
gets a 400 page that leads back, never an error.
"""

from dataclasses import dataclass
from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet.core import dashboard, disclosure, metric_periods
from buurtnet.core.indicators import Dimension, of_dimension
from buurtnet.core.metric_figures import Audience
from buurtnet.models import PeriodKind
from buurtnet.web.auth import require_duty
from buurtnet.web.dashboard_views import (
    CBS_REFERENCES,
    SurveyRow,
    change_text,
    neighbourhood_dimension,
    overview_dimension,
    survey_chart,
)
from buurtnet.web.figure_tables import Formats
from buurtnet.web.services import local_today, services
from buurtnet.web.templating import gettext_for, render, request_locale

DASHBOARD = "/dashboard"
REPORT_QUARTERS = 8  # the report form offers the last eight complete quarters


@dataclass(frozen=True)
class Choice:
    """The periods a page shows: their kind and how many, ending with the latest complete."""

    period: PeriodKind
    count: int


class BadChoice(Exception):
    """A query value that the page's form does not offer."""


def read_choice(request: Request) -> Choice:
    query = request.query_params
    period_text = query.get("period", dashboard.DEFAULT_PERIOD.value)
    count_text = query.get("last", str(dashboard.DEFAULT_PERIOD_COUNT))
    if period_text not in set(PeriodKind):
        raise BadChoice
    if count_text not in {str(count) for count in dashboard.PERIOD_COUNTS}:
        raise BadChoice
    return Choice(PeriodKind(period_text), int(count_text))


def read_quarter(request: Request, today: date) -> tuple[int, int] | None:
    """The quarter asked for (the last complete one when none is), or None for what is not a
    quarter or one that is not over yet."""
    text = request.query_params.get("quarter")
    if text is None:
        return dashboard.last_complete_quarter(today)
    quarter = dashboard.parse_quarter(text)
    return quarter if quarter is not None and dashboard.is_over(*quarter, today) else None


def threshold(request: Request) -> int:
    return disclosure.threshold(services(request).settings.disclosure_threshold)


def formats_for(request: Request, period: PeriodKind) -> Formats:
    return Formats(request_locale(request), gettext_for(request), period, threshold(request))


async def overview(request: Request) -> Response:
    """The figures of every neighbourhood someone may see, side by side."""
    _, roles = require_duty(request, dashboard.opens_dashboard)
    try:
        choice = read_choice(request)
    except BadChoice:
        return bad_choice(request, DASHBOARD)
    today, k = local_today(request), threshold(request)
    starts = dashboard.recent_starts(today, choice.period, choice.count)
    async with services(request).database.reading() as session:
        places = await dashboard.visible_neighbourhoods(session, roles)
        ids = [place.id for place in places if place.id is not None]
        figures = await dashboard.read(session, ids, choice.period, starts, k)
        surveys = [
            SurveyRow(place, await dashboard.latest_survey(session, place.id or 0, today, k))
            for place in places
        ]
    formats = formats_for(request, choice.period)
    context = {
        "places": places,
        "dimensions": [
            overview_dimension(dimension, places, figures, starts, formats)
            for dimension in Dimension
        ],
        "survey_rows": surveys,
        "survey_chart": survey_chart(surveys, formats) if places else "",
        **_common(request, choice, starts, formats),
    }
    return render(request, "dashboard/overview.html", context)


async def neighbourhood_page(request: Request) -> Response:
    """One neighbourhood's figures: every indicator, and a change line for each."""
    _, roles = require_duty(request, dashboard.opens_dashboard)
    today, k = local_today(request), threshold(request)
    async with services(request).database.reading() as session:
        place = await dashboard.viewable(session, roles, request.path_params["slug"])
        assert place.id is not None
        try:
            choice = read_choice(request)
        except BadChoice:
            return bad_choice(request, request.url.path)
        starts = dashboard.recent_starts(today, choice.period, choice.count)
        audience = dashboard.audience(roles, place.id)
        figures = await dashboard.read(session, [place.id], choice.period, starts, k, audience)
        survey = SurveyRow(place, await dashboard.latest_survey(session, place.id, today, k))
    formats = formats_for(request, choice.period)
    dimensions = [
        neighbourhood_dimension(
            dimension,
            place,
            figures,
            starts,
            formats,
            of_dimension(dimension, director=audience == Audience.DIRECTOR),
        )
        for dimension in Dimension
    ]
    context = {
        "place": place,
        "dimensions": dimensions,
        "survey_rows": [survey],
        "survey_chart": survey_chart([survey], formats),
        "quarter": _quarter_text(dashboard.last_complete_quarter(today)),
        **_common(request, choice, starts, formats),
    }
    return render(request, "dashboard/neighbourhood.html", context)


async def quarterly_report(request: Request) -> Response:
    """A quarter of one neighbourhood on paper: its three months per dimension, a year of the
    headline figures for context, the survey, and how the figures are protected. Without care
    signals: the director shares it with partners."""
    _, roles = require_duty(request, dashboard.opens_dashboard)
    today, k = local_today(request), threshold(request)
    async with services(request).database.reading() as session:
        place = await dashboard.viewable(session, roles, request.path_params["slug"])
        assert place.id is not None
        quarter = read_quarter(request, today)
        if quarter is None:
            return bad_choice(request, request.url.path)
        months = metric_periods.quarter_months(*quarter)
        # The chart shows the year up to the quarter's end.
        year_of_months = dashboard.starts_up_to(months[-1], PeriodKind.MONTH, 12)
        figures = await dashboard.read(
            session, [place.id], PeriodKind.MONTH, year_of_months, k, dashboard.REPORT_AUDIENCE
        )
        quarter_end = metric_periods.last_day(months[-1], PeriodKind.MONTH)
        survey = SurveyRow(
            place, await dashboard.latest_survey(session, place.id, today, k, closed_by=quarter_end)
        )
    formats = formats_for(request, PeriodKind.MONTH)
    dimensions = [
        neighbourhood_dimension(
            dimension,
            place,
            figures,
            months,
            formats,
            of_dimension(dimension, director=False),
            chart_starts=year_of_months,
        )
        for dimension in Dimension
    ]
    context = {
        "place": place,
        "dimensions": dimensions,
        "quarter": _quarter_text(quarter),
        "quarter_name": _quarter_name(request, quarter),
        "quarters": _recent_quarters(request, today),
        "survey_rows": [survey],
        "survey_chart": survey_chart([survey], formats),
        "k": k,
        "period": PeriodKind.MONTH,
        "change_text": change_text,
        "cbs_references": CBS_REFERENCES,
        "score": formats.score,
    }
    return render(request, "dashboard/report.html", context)


def bad_choice(request: Request, back: str) -> Response:
    return render(request, "dashboard/bad_choice.html", {"back": back}, status_code=400)


def _common(
    request: Request, choice: Choice, starts: tuple[date, ...], formats: Formats
) -> dict[str, object]:
    return {
        "choice": choice,
        "period_counts": dashboard.PERIOD_COUNTS,
        "first_label": formats.period_label(starts[0]),
        "last_label": formats.period_label(starts[-1]),
        "k": formats.k,
        "period": choice.period,
        "change_text": change_text,
        "cbs_references": CBS_REFERENCES,
        "score": formats.score,
    }


def _quarter_text(quarter: tuple[int, int]) -> str:
    return f"{quarter[0]}-Q{quarter[1]}"


def _quarter_name(request: Request, quarter: tuple[int, int]) -> str:
    _ = gettext_for(request)
    return _("quarter %(quarter)d of %(year)d") % {"quarter": quarter[1], "year": quarter[0]}


def _recent_quarters(request: Request, today: date) -> list[tuple[str, str]]:
    """The quarters the report form offers, the latest first: (value, name)."""
    found = []
    quarter = dashboard.last_complete_quarter(today)
    for _ in range(REPORT_QUARTERS):
        found.append((_quarter_text(quarter), _quarter_name(request, quarter)))
        quarter = dashboard.previous_quarter(*quarter)
    return found


routes = [
    Route(DASHBOARD, overview, methods=["GET"]),
    Route(DASHBOARD + "/{slug}", neighbourhood_page, methods=["GET"]),
    Route(DASHBOARD + "/{slug}/report", quarterly_report, methods=["GET"]),
]
