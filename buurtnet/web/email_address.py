"""One's e-mail address: the page to confirm it again or change it, and the link in the mail
that confirms it. The link opens a page with a button; only the button (a POST) confirms, as mail
scanners open every link in a mail by themselves."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet import paths
from buurtnet.core import email_addresses, mail_tokens, password_checks
from buurtnet.core.accounts import TOO_MANY_GUESSES
from buurtnet.core.errors import InvalidInput, NotFound, TooMany
from buurtnet.mail import account_letters
from buurtnet.models import Account, MailTokenPurpose
from buurtnet.web import forms
from buurtnet.web.accounts import client_address
from buurtnet.web.auth import LOGIN_LIMIT_HEADERS, require_account
from buurtnet.web.errors import link_unusable, wait_headers, wait_minutes
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

EMAIL_PAGE = "/settings/email"
CONFIRMED_PAGE = "/email/confirmed"
EMAIL_LENGTH = 300  # longer than any address: the check names it invalid, not cut short


async def email_page(request: Request) -> Response:
    account = require_account(request)
    return await _email_page(request, account)


async def confirm_again(request: Request) -> Response:
    account = require_account(request)
    await forms.read_form(request)
    found = services(request)
    try:
        async with found.database.transaction() as session:
            confirmation = await email_addresses.confirm_again(session, account)
            if confirmation is not None:
                account_letters.queue_confirmation(session, found.letters, confirmation)
    except TooMany as error:
        return await _email_page(request, account, too_many=error)
    saved = "sent" if confirmation is not None else "confirmed"
    return RedirectResponse(f"{EMAIL_PAGE}?saved={saved}", status_code=303)


async def change_email(request: Request) -> Response:
    """Check the password while only reading, then count it and send the links in a short
    write. The address changes when the link to the new one is used."""
    account = require_account(request)
    form = await forms.read_form(request)
    new_email = forms.text(form, "email", EMAIL_LENGTH)
    found = services(request)
    async with found.database.reading() as session:
        password = forms.text(form, "current_password", forms.PASSWORD_LENGTH)
        checked = await password_checks.check(
            session, account, password, client_address=client_address(request)
        )
    try:
        async with found.database.transaction() as session:
            change = await email_addresses.request_change(session, checked, new_email)
            if change.confirmation is not None:
                account_letters.queue_change(session, found.letters, change)
    except TooMany as error:
        return await _email_page(request, account, {"email": new_email}, too_many=error)
    if change.errors:
        return await _email_page(request, account, {"email": new_email}, change.errors)
    return RedirectResponse(f"{EMAIL_PAGE}?saved=change", status_code=303)


async def confirm_page(request: Request) -> Response:
    """The page the mail's link opens: a button, if the link still works."""
    token = request.path_params["token"]
    async with services(request).database.reading() as session:
        link = await mail_tokens.find_usable(session, token, MailTokenPurpose.CONFIRM)
    if link is None:
        return link_unusable(request)
    context = {"email": link.email, "action": paths.confirm_address(token)}
    return render(request, "email_confirm.html", context)


async def confirm(request: Request) -> Response:
    await forms.read_form(request)
    try:
        async with services(request).database.transaction() as session:
            await email_addresses.confirm(session, request.path_params["token"])
    except NotFound:
        return link_unusable(request)
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return render(request, "email_confirm.html", {"errors": errors}, status_code=409)
    return RedirectResponse(CONFIRMED_PAGE, status_code=303)


async def confirmed_page(request: Request) -> Response:
    return render(request, "email_confirmed.html")


async def _email_page(
    request: Request,
    account: Account,
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    *,
    too_many: TooMany | None = None,
) -> Response:
    assert account.id is not None and account.email is not None
    async with services(request).database.reading() as session:
        pending = await mail_tokens.pending_change(session, account.id, account.email)
    problems = problems or {}
    status_code, headers = (400, {}) if problems else (200, {})
    if too_many is not None:
        status_code, headers = 429, wait_headers(too_many)
    elif TOO_MANY_GUESSES in problems.values():
        status_code, headers = 429, LOGIN_LIMIT_HEADERS
    context = {
        "values": values or {},
        "errors": translate_errors(problems, gettext_for(request)),
        "wait_minutes": wait_minutes(too_many),
        "pending": pending,
        "saved": request.query_params.get("saved", ""),
    }
    return render(request, "email_settings.html", context, status_code=status_code, headers=headers)


routes = [
    Route(EMAIL_PAGE, email_page, methods=["GET"]),
    Route(EMAIL_PAGE, change_email, methods=["POST"]),
    Route(f"{EMAIL_PAGE}/confirm-again", confirm_again, methods=["POST"]),
    Route("/email/confirm/{token}", confirm_page, methods=["GET"]),
    Route("/email/confirm/{token}", confirm, methods=["POST"]),
    Route(CONFIRMED_PAGE, confirmed_page, methods=["GET"]),
]
