"""The resident survey for directors: open a survey period for a neighbourhood, see its periods
and, once one has closed, its results as `core.surveys` publishes them. Admins read the results
of every neighbourhood but open no survey; the open answers are for the director only."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from babel.numbers import format_decimal
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import disclosure, local_times, neighbourhoods, survey_periods, surveys
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.core.permissions import Roles, can_direct
from buurtnet.core.survey_periods import PeriodState
from buurtnet.core.survey_scores import (
    CBS_COHESION_NATIONAL,
    CBS_COHESION_NON_URBAN,
    CBS_COHESION_VERY_STRONGLY_URBAN,
)
from buurtnet.models import Neighbourhood, SurveyPeriod
from buurtnet.web import forms
from buurtnet.web.auth import current_roles, require_account, require_duty
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import local_today, services
from buurtnet.web.surveys import OPEN_QUESTION
from buurtnet.web.templating import gettext_for, render, request_locale

LIST = "/surveys"
DATES = ("opens_on", "closes_on")
DATE_INVALID = "survey_date_invalid"
CBS_REFERENCES = {
    "national": CBS_COHESION_NATIONAL,
    "non_urban": CBS_COHESION_NON_URBAN,
    "very_urban": CBS_COHESION_VERY_STRONGLY_URBAN,
}


def page_of(neighbourhood: Neighbourhood) -> str:
    return f"/n/{neighbourhood.slug}/survey"


@dataclass(frozen=True)
class PeriodView:
    """A period as the page lists it: results once closed, open answers for the director."""

    period: SurveyPeriod
    state: PeriodState
    results: surveys.SurveyResults | None = None
    open_answers: list[str] | None = None


def runs_surveys(roles: Roles) -> bool:
    return roles.admin or bool(roles.directs)


async def overview(request: Request) -> Response:
    """The neighbourhoods whose surveys the person may see: those they direct, or all (admin)."""
    _, roles = require_duty(request, runs_surveys)
    async with services(request).database.reading() as session:
        every = await neighbourhoods.list_all(session)
    shown = [
        place
        for place in every
        if place.id is not None and survey_periods.may_view_results(roles, place.id)
    ]
    return render(request, "surveys/overview.html", {"neighbourhoods": shown, "page_of": page_of})


async def neighbourhood_page(request: Request) -> Response:
    require_account(request)
    async with services(request).database.reading() as session:
        neighbourhood = await _neighbourhood(session, request, survey_periods.may_view_results)
    opens_on, closes_on = survey_periods.default_dates(local_today(request))
    values = {"opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()}
    return await _render(request, neighbourhood, values, {})


async def open_period(request: Request) -> Response:
    require_account(request)
    form = await forms.read_form(request)
    values = {name: forms.text(form, name, 20).strip() for name in DATES}
    days = {name: local_times.parse_day(values[name]) for name in DATES}
    unreadable = {name: DATE_INVALID for name, day in days.items() if day is None}
    opens_on, closes_on = days["opens_on"], days["closes_on"]
    try:
        async with services(request).database.transaction() as session:
            neighbourhood = await _neighbourhood(session, request, can_direct)
            if opens_on is None or closes_on is None:
                raise InvalidInput(unreadable)
            assert neighbourhood.id is not None
            await surveys.open_period(
                session,
                current_roles(request),
                neighbourhood.id,
                opens_on,
                closes_on,
                local_today(request),
            )
    except InvalidInput as error:
        async with services(request).database.reading() as session:
            neighbourhood = await _neighbourhood(session, request, can_direct)
        errors = translate_errors(error.errors, gettext_for(request))
        return await _render(request, neighbourhood, values, errors, status_code=400)
    return RedirectResponse(page_of(neighbourhood) + "?opened=1", status_code=303)


async def _neighbourhood(
    session: AsyncSession, request: Request, allowed: Callable[[Roles, int], bool]
) -> Neighbourhood:
    """The neighbourhood of the path (NotFound), if the person's roles allow (NotAllowed)."""
    neighbourhood = await neighbourhoods.get_by_slug(session, request.path_params["slug"])
    assert neighbourhood.id is not None
    if not allowed(current_roles(request), neighbourhood.id):
        raise NotAllowed
    return neighbourhood


async def _render(
    request: Request,
    neighbourhood: Neighbourhood,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Response:
    assert neighbourhood.id is not None
    roles = current_roles(request)
    today = local_today(request)
    k = disclosure.threshold(services(request).settings.disclosure_threshold)
    async with services(request).database.reading() as session:
        periods = await survey_periods.periods_of(session, neighbourhood.id)
        views = [await _view(session, roles, period, today, k) for period in periods]
    locale = request_locale(request)
    context = {
        "neighbourhood": neighbourhood,
        "periods": views,
        "may_open": can_direct(roles, neighbourhood.id),
        "opened": request.query_params.get("opened") == "1",
        "k": k,
        "cbs": {name: decimal(value, locale) for name, value in CBS_REFERENCES.items()},
        "decimal": lambda value: decimal(value, locale),
        "open_question": OPEN_QUESTION,
        "values": values,
        "errors": errors,
    }
    return render(request, "surveys/neighbourhood.html", context, status_code=status_code)


async def _view(
    session: AsyncSession, roles: Roles, period: SurveyPeriod, today: date, k: int
) -> PeriodView:
    state = survey_periods.state(period, today)
    if state != PeriodState.CLOSED or period.id is None:
        return PeriodView(period, state)
    results = await surveys.results(session, period.id, today, k)
    open_answers = None
    if can_direct(roles, period.neighbourhood_id):
        open_answers = await surveys.open_answers(session, roles, period.id, today, k)
    return PeriodView(period, state, results, open_answers)


def decimal(value: float, locale: str) -> str:
    """A score as the page's language writes it, with one decimal: "6,4" in Dutch."""
    return format_decimal(value, format="0.0", locale=locale)


routes = [
    Route(LIST, overview, methods=["GET"]),
    Route("/n/{slug}/survey", neighbourhood_page, methods=["GET"]),
    Route("/n/{slug}/survey", open_period, methods=["POST"]),
]
