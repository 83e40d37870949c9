"""The admin's page of moderators and directors per neighbourhood: appoint, and take back.
Rules: `moderation.roles`."""

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core.errors import InvalidInput
from buurtnet.core.permissions import Roles, is_admin
from buurtnet.db import parse_row_id
from buurtnet.models import Account
from buurtnet.moderation import roles
from buurtnet.web import forms
from buurtnet.web.auth import require_admin, require_duty
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

PAGE = "/admin/roles"
Change = Callable[[AsyncSession, Account, Roles, roles.Appointment], Awaitable[bool]]
Endpoint = Callable[[Request], Awaitable[Response]]


async def roles_page(request: Request) -> Response:
    require_admin(request)
    return await _render(request, {}, {})


def change(decide: Change, done: str) -> Endpoint:
    """Appoint or take back: the same fields, another decision; back to the page with `done`."""

    async def endpoint(request: Request) -> Response:
        admin, held = require_duty(request, is_admin)
        form = await forms.read_form(request)
        values = {
            name: forms.text(form, name, 200) for name in ("username", "neighbourhood", "duty")
        }
        wanted = roles.Appointment(
            username=values["username"],
            neighbourhood_id=parse_row_id(values["neighbourhood"]),
            duty=roles.duty_named(values["duty"]),
        )
        try:
            async with services(request).database.transaction() as session:
                await decide(session, admin, held, wanted)
        except InvalidInput as error:
            errors = translate_errors(error.errors, gettext_for(request))
            return await _render(request, values, errors, status_code=400)
        return RedirectResponse(f"{PAGE}?saved={done}", status_code=303)

    return endpoint


async def _render(
    request: Request, values: dict[str, str], errors: dict[str, str], *, status_code: int = 200
) -> Response:
    async with services(request).database.reading() as session:
        listed = await roles.duties_by_neighbourhood(session)
    context = {
        "listed": listed,
        "values": values,
        "errors": errors,
        "saved": request.query_params.get("saved", ""),
    }
    return render(request, "roles.html", context, status_code=status_code)


routes = [
    Route(PAGE, roles_page, methods=["GET"]),
    Route(PAGE, change(roles.appoint, "appointed"), methods=["POST"]),
    Route(PAGE + "/take-back", change(roles.take_back, "taken-back"), methods=["POST"]),
]
