"""Appeals by the person a measure was taken against: on the measure's own page once logged in,
and for a suspension (which keeps them from logging in) from the page the login shows after the
right password, with a signed token instead of a login."""

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.models import utcnow
from buurtnet.moderation import appeal_cases, appeals
from buurtnet.web import appeal_tokens, forms
from buurtnet.web.auth import require_account
from buurtnet.web.ids import path_id
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

SUSPENDED = "/appeals/suspended"
# A little over the limit, so that a text too long is told rather than cut off unseen.
TEXT_LENGTH = appeals.TEXT_LENGTH + 100
TOKEN_LENGTH = 200


async def appeal_page(request: Request) -> Response:
    account = require_account(request)
    async with services(request).database.reading() as session:
        case = await appeal_cases.case_of(session, account, path_id(request, "action_id"))
    return render(request, "appeal.html", {"case": case})


async def file_appeal(request: Request) -> Response:
    account = require_account(request)
    action_id = path_id(request, "action_id")
    text = forms.text(await forms.read_form(request), "text", TEXT_LENGTH)
    database = services(request).database
    try:
        async with database.transaction() as session:
            await appeals.file_appeal(session, account, action_id, text)
    except InvalidInput as error:
        async with database.reading() as session:
            case = await appeal_cases.case_of(session, account, action_id)
        context = {
            "case": case,
            "errors": translate_errors(_problems(error, case), gettext_for(request)),
            "values": {"text": text},
        }
        return render(request, "appeal.html", context, status_code=400)
    return RedirectResponse(f"/appeals/{action_id}", status_code=303)


async def suspended_page(request: Request, account_id: int) -> Response:
    """What the login shows a suspended person, once the password was right: until when, why,
    and a form to appeal (with a token, as they cannot log in)."""
    async with services(request).database.reading() as session:
        suspension = await appeal_cases.suspension_of(session, account_id)
    return _render_suspension(request, suspension, status_code=403)


async def appeal_suspension(request: Request) -> Response:
    form = await forms.read_form(request)
    token = forms.text(form, "token", TOKEN_LENGTH)
    text = forms.text(form, "text", TEXT_LENGTH)
    database = services(request).database
    grant = appeal_tokens.read_token(services(request).settings.secret_key, token, utcnow())
    if grant is None:
        return render(request, "suspended.html", {"token_invalid": True}, status_code=400)
    refusal = None
    try:
        async with database.transaction() as session:
            await appeal_cases.appeal_suspension(session, grant.account_id, grant.action_id, text)
    except InvalidInput as error:
        refusal = error
    except NotFound:
        return render(request, "suspended.html", {"token_invalid": True}, status_code=400)
    async with database.reading() as session:
        suspension = await appeal_cases.suspension_of(session, grant.account_id)
    if refusal is None:
        return _render_suspension(request, suspension, sent=True)
    case = None if suspension is None else suspension.case
    errors = translate_errors(_problems(refusal, case), gettext_for(request))
    return _render_suspension(
        request, suspension, token=token, errors=errors, text=text, status_code=400
    )


def _problems(error: InvalidInput, case: appeal_cases.AppealCase | None) -> dict[str, str]:
    """Once an appeal is made there is no form left to correct: the page says so."""
    if case is not None and case.appeal is not None:
        return {"form": "appeal_already_made"}
    return error.errors


def _render_suspension(
    request: Request,
    suspension: appeal_cases.Suspension | None,
    *,
    token: str = "",
    errors: dict[str, str] | None = None,
    text: str = "",
    sent: bool = False,
    status_code: int = 200,
) -> Response:
    case = None if suspension is None else suspension.case
    if case is not None and case.appeal is None and not token:
        assert suspension is not None and suspension.account.id is not None
        assert case.action.id is not None
        grant = appeal_tokens.AppealGrant(suspension.account.id, case.action.id)
        token = appeal_tokens.make_token(services(request).settings.secret_key, grant, utcnow())
    context: dict[str, Any] = {
        "suspension": suspension,
        "case": case,
        "token": token,
        "sent": sent,
        "errors": errors or {},
        "values": {"text": text},
    }
    return render(request, "suspended.html", context, status_code=status_code)


routes = [
    Route(SUSPENDED, appeal_suspension, methods=["POST"]),
    Route("/appeals/{action_id}", appeal_page, methods=["GET"]),
    Route("/appeals/{action_id}", file_appeal, methods=["POST"]),
]
