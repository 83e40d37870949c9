"""The e-mail part of the settings page: which notifications come by e-mail, and the weekly
digest, saved with one form (`core/mail_choices`)."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import mail_choices
from buurtnet.web import forms
from buurtnet.web.auth import require_account
from buurtnet.web.services import services

PATH = "/settings/mail"


async def save_mail_choices(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form(request)
    groups = {value for value in form.getlist("kinds") if isinstance(value, str)}
    async with services(request).database.transaction() as session:
        await mail_choices.save_choices(
            session, account, groups=groups, weekly_digest=form.get("weekly_digest") == "on"
        )
    return RedirectResponse("/settings?saved=mail#mail-heading", status_code=303)


routes = [Route(PATH, save_mail_choices, methods=["POST"])]
