"""The streets or housing complexes of a neighbourhood, which newcomers choose from on the
welcome page: the form for an admin or the neighbourhood's director, beside its CBS figures."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import places
from buurtnet.core.errors import InvalidInput
from buurtnet.models import Neighbourhood
from buurtnet.moderation import place_settings
from buurtnet.web import forms
from buurtnet.web.auth import current_roles, require_account
from buurtnet.web.messages import translate_errors
from buurtnet.web.neighbourhood_figures import settable_neighbourhood
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render


async def places_page(request: Request) -> Response:
    require_account(request)
    async with services(request).database.reading() as session:
        neighbourhood = await settable_neighbourhood(request, session)
    return _render_form(request, neighbourhood, neighbourhood.places)


async def save_places(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form(request)
    typed = forms.text(form, "places", places.PLACES_FORM_LENGTH)
    try:
        async with services(request).database.transaction() as session:
            neighbourhood = await settable_neighbourhood(request, session)
            assert neighbourhood.id is not None
            await place_settings.set_places(
                session, account, current_roles(request), neighbourhood.id, typed
            )
    except InvalidInput as error:
        async with services(request).database.reading() as session:
            neighbourhood = await settable_neighbourhood(request, session)
        errors = translate_errors(error.errors, gettext_for(request))
        return _render_form(request, neighbourhood, typed, errors, status_code=400)
    return RedirectResponse(f"/n/{neighbourhood.slug}/places?saved=1", status_code=303)


def _render_form(
    request: Request,
    neighbourhood: Neighbourhood,
    typed: str,
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    context = {
        "neighbourhood": neighbourhood,
        "typed": typed,
        "errors": errors or {},
        "saved": request.query_params.get("saved", ""),
        "max_places": places.MAX_PLACES,
    }
    return render(request, "neighbourhood_places.html", context, status_code=status_code)


routes = [
    Route("/n/{slug}/places", places_page, methods=["GET"]),
    Route("/n/{slug}/places", save_places, methods=["POST"]),
]
