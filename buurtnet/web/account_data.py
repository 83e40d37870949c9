"""A resident's own data: downloading all of it, and deleting the account.

The download is written as ActivityStreams by `federation.archive`. Web otherwise calls federation
only to resolve remote names; this is a small, deliberate exception, so that the export and the
federation share one set of builders and the data can be read by other fediverse software.
"""

from zoneinfo import ZoneInfo

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from buurtnet.core import account_deletion, export, login, password_checks
from buurtnet.federation import archive
from buurtnet.federation.uris import Uris
from buurtnet.models import utcnow
from buurtnet.web import forms
from buurtnet.web.accounts import client_address
from buurtnet.web.auth import LOGIN_LIMIT_HEADERS, clear_session_cookie, require_account
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import NO_STORE, gettext_for, render

GOODBYE = "/goodbye"


async def export_page(request: Request) -> Response:
    require_account(request)
    return render(request, "export.html")


async def download(request: Request) -> Response:
    """The zip, made in a temporary file and sent in pieces; a POST, so no link can start it."""
    account = require_account(request)
    await forms.read_form(request)
    found = services(request)
    async with found.database.bulk_reading() as session:
        gathered = await export.gather_export(session, account)
    uris = Uris.for_base(found.settings.base_url)
    spool = await archive.spooled_archive(gathered, uris, found.settings.host, found.storage)
    filename = f"buurtnet-{account.username}-{utcnow().date().isoformat()}.zip"
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(
        archive.chunks(spool),
        media_type="application/zip",
        headers=headers,
        background=BackgroundTask(spool.close),  # also when the browser stops halfway
    )


async def delete_page(request: Request) -> Response:
    require_account(request)
    return render(request, "delete_account.html")


async def delete(request: Request) -> Response:
    """Check the password while only reading, then delete in one write; then log out."""
    account = require_account(request)
    form = await forms.read_form(request)
    found = services(request)
    async with found.database.reading() as session:
        check = await password_checks.check(
            session,
            account,
            forms.text(form, "password", forms.PASSWORD_LENGTH),
            client_address=client_address(request),
        )
    async with found.database.transaction() as session:
        zone = ZoneInfo(found.settings.time_zone)
        problems = await account_deletion.delete_if_confirmed(session, check, zone=zone)
    if problems:
        errors = translate_errors(problems, gettext_for(request))
        too_many = problems["password"] == login.LoginRefusal.TOO_MANY
        return render(
            request,
            "delete_account.html",
            {"errors": errors},
            status_code=429 if too_many else 400,
            headers=LOGIN_LIMIT_HEADERS if too_many else None,
        )
    response = RedirectResponse(GOODBYE, status_code=303)
    clear_session_cookie(response, secure=found.settings.uses_https)
    return response


async def goodbye(request: Request) -> Response:
    return render(request, "delete_account.html", {"goodbye": True})


routes = [
    Route("/settings/export", export_page, methods=["GET"]),
    Route("/settings/export", download, methods=["POST"]),
    Route("/settings/delete", delete_page, methods=["GET"]),
    Route("/settings/delete", delete, methods=["POST"]),
    Route(GOODBYE, goodbye, methods=["GET"]),
]
