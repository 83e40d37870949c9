"""The moderators' pages. For now: approving sign-ups."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.models import Role
from buurtnet.moderation import approvals
from buurtnet.web import forms
from buurtnet.web.auth import require_role
from buurtnet.web.services import services
from buurtnet.web.templating import render

DECISIONS = {"approve": True, "reject": False}


async def sign_ups_page(request: Request) -> Response:
    moderator = require_role(request, Role.MODERATOR, Role.ADMIN)
    async with services(request).database.reading() as session:
        pending = await approvals.pending_sign_ups(session, moderator)
    return render(request, "sign_ups.html", {"pending": pending})


async def decide(request: Request) -> Response:
    moderator = require_role(request, Role.MODERATOR, Role.ADMIN)
    form = await forms.read_form(request)
    decision = forms.text(form, "decision", 10)
    if decision not in DECISIONS:
        raise HTTPException(status_code=400, detail="decision")
    async with services(request).database.transaction() as session:
        await approvals.decide_sign_up(
            session, moderator, request.path_params["account_id"], approve=DECISIONS[decision]
        )
    return RedirectResponse("/moderation/sign-ups", status_code=303)


routes = [
    Route("/moderation/sign-ups", sign_ups_page, methods=["GET"]),
    Route("/moderation/sign-ups/{account_id:int}", decide, methods=["POST"]),
]
