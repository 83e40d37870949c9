"""The admin's page of partners' keys: the list, a form to issue a key for some neighbourhoods
(shown once, with how to use it), and revoking one. Rules: `core.partner_tokens`; the API the
keys open: `web.metrics_api` (docs/liveability.md, "Partners")."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import disclosure, neighbourhoods, partner_tokens
from buurtnet.core.errors import InvalidInput
from buurtnet.db import parse_row_id
from buurtnet.models import PartnerToken
from buurtnet.web import forms
from buurtnet.web.auth import current_roles, require_admin
from buurtnet.web.ids import path_id
from buurtnet.web.messages import translate_errors
from buurtnet.web.metrics_api import API
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

PAGE = "/admin/partners"
MAX_NEIGHBOURHOODS = 1000  # ticked boxes read from one form


async def partners_page(request: Request) -> Response:
    require_admin(request)
    return await _render(request)


async def issue(request: Request) -> Response:
    """Issue a key and show it on the answer itself: it is kept nowhere, so there is no page to
    redirect to that could show it again."""
    require_admin(request)
    form = await forms.read_form(request)
    partner = forms.text(form, "partner", 2 * partner_tokens.PARTNER_LENGTH)
    ticked = [value for value in form.getlist("neighbourhoods") if isinstance(value, str)]
    chosen = [parse_row_id(value) for value in ticked[:MAX_NEIGHBOURHOODS]]
    wanted = [place_id for place_id in chosen if place_id is not None]
    values: dict[str, object] = {"partner": partner, "neighbourhoods": wanted}
    try:
        async with services(request).database.transaction() as session:
            token, plain = await partner_tokens.issue(
                session, current_roles(request), partner, wanted
            )
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return await _render(request, values=values, errors=errors, status_code=400)
    return await _render(request, issued=(token, plain))


async def revoke(request: Request) -> Response:
    require_admin(request)
    token_id = path_id(request, "token_id")
    await forms.read_form(request)
    async with services(request).database.transaction() as session:
        await partner_tokens.revoke(session, current_roles(request), token_id)
    return RedirectResponse(f"{PAGE}?revoked=1", status_code=303)


async def _render(
    request: Request,
    *,
    values: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    issued: tuple[PartnerToken, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with services(request).database.reading() as session:
        listed = await partner_tokens.all_tokens(session, current_roles(request))
        places = await neighbourhoods.list_all(session)
    settings = services(request).settings
    example_slug = places[0].slug if places else "SLUG"
    if issued is not None:
        granted = next(item for item in listed if item.token.id == issued[0].id)
        example_slug = granted.neighbourhoods[0].slug
    context = {
        "listed": listed,
        "places": places,
        "values": values or {"partner": "", "neighbourhoods": []},
        "errors": errors or {},
        "issued": issued,
        "revoked": request.query_params.get("revoked") == "1",
        "api_url": settings.base_url + API,
        "k": disclosure.threshold(settings.disclosure_threshold),
        "example_slug": example_slug,
    }
    return render(request, "partners.html", context, status_code=status_code)


routes = [
    Route(PAGE, partners_page, methods=["GET"]),
    Route(PAGE, issue, methods=["POST"]),
    Route(PAGE + "/{token_id}/revoke", revoke, methods=["POST"]),
]
