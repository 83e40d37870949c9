"""The moderators' page of open appeals: a moderator other than the one who acted grants the
appeal (the measure is undone) or refuses it, with a reason that the person reads."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import permissions
from buurtnet.core.errors import InvalidInput
from buurtnet.core.permissions import Roles
from buurtnet.models import Account
from buurtnet.moderation import actions, appeals
from buurtnet.web import forms
from buurtnet.web.auth import require_duty
from buurtnet.web.ids import path_id
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

APPEALS = "/moderation/appeals"
DECISIONS = {"grant": True, "refuse": False}
REASON_LENGTH = actions.REASON_LENGTH + 100  # a little over: too long is told, not cut


async def appeals_page(request: Request) -> Response:
    account, roles = require_duty(request, permissions.is_moderator)
    return await _render(request, account, roles, decided=bool(request.query_params.get("done")))


async def decide(request: Request) -> Response:
    account, roles = require_duty(request, permissions.is_moderator)
    appeal_id = path_id(request, "appeal_id")
    form = await forms.read_form(request)
    decision = forms.text(form, "decision", 10)
    reason = forms.text(form, "reason", REASON_LENGTH)
    try:
        if decision not in DECISIONS:
            raise InvalidInput.single("decision", "appeal_decision_missing")
        async with services(request).database.transaction() as session:
            await appeals.decide(
                session, account, roles, appeal_id, grant=DECISIONS[decision], reason=reason
            )
    except InvalidInput as error:
        messages = translate_errors(error.errors, gettext_for(request))
        return await _render(
            request,
            account,
            roles,
            failed=appeal_id,
            errors={f"{field}-{appeal_id}": text for field, text in messages.items()},
            values={"decision": decision, "reason": reason},
            status_code=400,
        )
    return RedirectResponse(APPEALS + "?done=1", status_code=303)


async def _render(
    request: Request,
    account: Account,
    roles: Roles,
    *,
    decided: bool = False,
    failed: int | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with services(request).database.reading() as session:
        found = await appeals.open_appeals(session, roles)
    context = {
        "appeals": found,
        "me": account.id,
        "decided": decided,
        "failed": failed,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "moderation_appeals.html", context, status_code=status_code)


routes = [
    Route(APPEALS, appeals_page, methods=["GET"]),
    Route(APPEALS + "/{appeal_id}", decide, methods=["POST"]),
]
