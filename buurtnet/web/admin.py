"""The admin's page: how people can sign up, the limits of new accounts, and the neighbourhoods
of this instance."""

from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import neighbourhoods, site
from buurtnet.core.errors import InvalidInput
from buurtnet.models import RegistrationMode
from buurtnet.moderation import posting_limits
from buurtnet.web import forms
from buurtnet.web.auth import require_admin
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render


async def admin_page(request: Request) -> Response:
    require_admin(request)
    return await _render(request, {}, {})


async def save_registration_mode(request: Request) -> Response:
    require_admin(request)
    form = await forms.read_form(request)
    chosen = forms.text(form, "registration_mode", 20)
    if chosen not in set(RegistrationMode):
        _ = gettext_for(request)
        problem = _("Choose how people can sign up.")
        return await _render(request, {}, {}, mode_error=problem, status_code=400)
    async with services(request).database.transaction() as session:
        await site.set_registration_mode(session, RegistrationMode(chosen))
    return RedirectResponse("/admin?saved=registration", status_code=303)


async def save_new_account_limits(request: Request) -> Response:
    admin = require_admin(request)
    form = await forms.read_form(request)
    values = {field: forms.text(form, field, 10) for field in posting_limits.BOUNDS}
    try:
        async with services(request).database.transaction() as session:
            await posting_limits.set_new_account_limits(session, admin, values)
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return await _render(
            request, {}, {}, limit_values=values, limit_errors=errors, status_code=400
        )
    return RedirectResponse("/admin?saved=limits", status_code=303)


async def add_neighbourhood(request: Request) -> Response:
    require_admin(request)
    form = await forms.read_form(request)
    values = {name: forms.text(form, name, 2000) for name in ("slug", "name", "description")}
    try:
        async with services(request).database.transaction() as session:
            await neighbourhoods.create_neighbourhood(
                session, values["slug"], values["name"], values["description"]
            )
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return await _render(request, values, errors, status_code=400)
    return RedirectResponse("/admin?saved=neighbourhood", status_code=303)


async def _render(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    mode_error: str = "",
    limit_values: dict[str, str] | None = None,
    limit_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with services(request).database.reading() as session:
        mode = await site.registration_mode(session)
        limits = await posting_limits.new_account_limits(session)
        all_neighbourhoods = await neighbourhoods.list_all(session)
    current = {field: str(value) for field, value in asdict(limits).items()}
    context = {
        "mode": mode,
        "modes": list(RegistrationMode),
        "neighbourhoods": all_neighbourhoods,
        "values": values,
        "errors": errors,
        "mode_error": mode_error,
        "limits": limit_values or current,
        "limit_errors": limit_errors or {},
        "saved": request.query_params.get("saved", ""),
    }
    return render(request, "admin.html", context, status_code=status_code)


routes = [
    Route("/admin", admin_page, methods=["GET"]),
    Route("/admin/registration", save_registration_mode, methods=["POST"]),
    Route("/admin/new-accounts", save_new_account_limits, methods=["POST"]),
    Route("/admin/neighbourhoods", add_neighbourhood, methods=["POST"]),
]
