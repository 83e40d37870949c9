"""The admin's view of the mail: where it goes, the mail folder of an instance without an SMTP
server (the demo, development: every mail the instance would have sent), and a test mail.

On an instance behind HTTPS (a real one, set up without mail server) the links that act for
someone else (a password reset, an address confirmation, unsubscribing) are shown without their
token in mail to others: the admin may read that mail went out, not reset a resident's password.
"""

import asyncio
import re

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core.errors import NotFound
from buurtnet.mail import outbox
from buurtnet.mail.folder import MailFolder
from buurtnet.web import forms
from buurtnet.web.auth import require_admin
from buurtnet.web.services import services
from buurtnet.web.templating import render

PAGE = "/admin/mail"
PERSONAL_LINK = re.compile(r"(/(?:password/reset|email/confirm|mail/unsubscribe)/)[^\s<>\"]+")


async def mail_page(request: Request) -> Response:
    require_admin(request)
    settings = services(request).settings
    return render(
        request,
        "mail_folder.html",
        {
            "smtp": settings.smtp,
            "sender": settings.sender,
            "listed": await asyncio.to_thread(MailFolder(settings.mail_folder).newest),
            "test": request.query_params.get("test"),
        },
    )


async def mail_message(request: Request) -> Response:
    """One message of the folder: its headers and plain text, as the recipient would read it."""
    admin = require_admin(request)
    name = request.path_params["name"]
    settings = services(request).settings
    message = await asyncio.to_thread(MailFolder(settings.mail_folder).read, name)
    if message is None:
        raise NotFound
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body else ""
    if settings.uses_https and message["To"] != admin.email:
        text = without_tokens(text)
    return render(request, "mail_message.html", {"message": message, "text": text, "name": name})


def without_tokens(text: str) -> str:
    """Links that act for their recipient, with the token left out."""
    return PERSONAL_LINK.sub(r"\1…", text)


async def send_test(request: Request) -> Response:
    """A test mail to the admin: the quickest check that `BUURTNET_SMTP_URL` works."""
    admin = require_admin(request)
    await forms.read_form(request)
    if not admin.email:
        return RedirectResponse(f"{PAGE}?test=no-address", status_code=303)
    found = services(request)
    async with found.database.transaction() as session:
        outbox.queue(session, found.letters.write("test", admin))
    return RedirectResponse(f"{PAGE}?test=1", status_code=303)


routes = [
    Route(PAGE, mail_page, methods=["GET"]),
    Route(PAGE + "/test", send_test, methods=["POST"]),
    Route(PAGE + "/{name}", mail_message, methods=["GET"]),
]
