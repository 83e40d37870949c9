"""The moderators' pages. For now: approving sign-ups, and refusing them after a second look."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import permissions
from buurtnet.moderation import approvals
from buurtnet.web import forms
from buurtnet.web.auth import require_duty
from buurtnet.web.ids import path_id
from buurtnet.web.services import services
from buurtnet.web.templating import render

SIGN_UPS = "/moderation/sign-ups"


async def sign_ups_page(request: Request) -> Response:
    _, roles = require_duty(request, permissions.is_moderator)
    async with services(request).database.reading() as session:
        pending = await approvals.pending_sign_ups(session, roles)
    return render(request, "sign_ups.html", {"pending": pending})


async def approve(request: Request) -> Response:
    moderator, roles = require_duty(request, permissions.is_moderator)
    await forms.read_form(request)
    async with services(request).database.transaction() as session:
        await approvals.approve_sign_up(session, moderator, roles, path_id(request, "account_id"))
    return RedirectResponse(SIGN_UPS, status_code=303)


async def refuse_page(request: Request) -> Response:
    """Refusing deletes the sign-up, so it takes a second, deliberate click on this page."""
    _, roles = require_duty(request, permissions.is_moderator)
    async with services(request).database.reading() as session:
        refusing = await approvals.pending_sign_up(session, roles, path_id(request, "account_id"))
    return render(request, "sign_ups.html", {"refusing": refusing})


async def refuse(request: Request) -> Response:
    moderator, roles = require_duty(request, permissions.is_moderator)
    await forms.read_form(request)
    async with services(request).database.transaction() as session:
        await approvals.refuse_sign_up(session, moderator, roles, path_id(request, "account_id"))
    return RedirectResponse(SIGN_UPS, status_code=303)


routes = [
    Route(SIGN_UPS, sign_ups_page, methods=["GET"]),
    Route(SIGN_UPS + "/{account_id}/approve", approve, methods=["POST"]),
    Route(SIGN_UPS + "/{account_id}/refuse", refuse_page, methods=["GET"]),
    Route(SIGN_UPS + "/{account_id}/refuse", refuse, methods=["POST"]),
]
