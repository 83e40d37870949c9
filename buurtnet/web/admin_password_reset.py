"""The admin's form that mails a resident a link to set a new password
(`moderation/password_resets`)."""

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core.errors import InvalidInput
from buurtnet.mail import account_letters
from buurtnet.moderation import password_resets
from buurtnet.web import forms
from buurtnet.web.auth import current_roles, require_admin
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

PAGE = "/admin/password-reset"


async def reset_page(request: Request) -> Response:
    require_admin(request)
    context = {"sent_to": request.query_params.get("sent", "")[: password_resets.USERNAME_LENGTH]}
    return render(request, "admin_password_reset.html", context)


async def send_reset_link(request: Request) -> Response:
    admin = require_admin(request)
    form = await forms.read_form(request)
    username = forms.text(form, "username", password_resets.USERNAME_LENGTH)
    found = services(request)
    try:
        async with found.database.transaction() as session:
            link = await password_resets.send_reset_link(
                session, admin, current_roles(request), username
            )
            account_letters.queue_reset(session, found.letters, link, by_admin=True)
    except InvalidInput as error:
        context = {
            "values": {"username": username},
            "errors": translate_errors(error.errors, gettext_for(request)),
        }
        return render(request, "admin_password_reset.html", context, status_code=400)
    sent = urlencode({"sent": link.account.username})
    return RedirectResponse(f"{PAGE}?{sent}", status_code=303)


routes = [
    Route(PAGE, reset_page, methods=["GET"]),
    Route(PAGE, send_reset_link, methods=["POST"]),
]
