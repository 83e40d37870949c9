"""'Wachtwoord vergeten?': the form that mails a link, and the link's page that sets a new
password. The form's answer is the same whether or not the name is known (`core/password_reset`);
only its limit per client address shows, as a 429."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet import paths
from buurtnet.core import login_sessions, password_reset
from buurtnet.core.errors import NotFound, TooMany
from buurtnet.mail import account_letters
from buurtnet.models import Account, AccountStatus
from buurtnet.web import forms
from buurtnet.web.accounts import LOGIN_NAME_LENGTH, client_address
from buurtnet.web.auth import login_token, set_session_cookie
from buurtnet.web.errors import link_unusable, wait_headers, wait_minutes
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

FORGOTTEN_PAGE = "/password/forgotten"
AFTER_RESET = "/settings?saved=password"  # says the other devices are logged out


async def forgotten_page(request: Request) -> Response:
    context = {"sent": request.query_params.get("sent") == "1"}
    return render(request, "password_forgotten.html", context)


async def ask_for_link(request: Request) -> Response:
    """The same answer for every name; the mail goes only to an account that may have it."""
    form = await forms.read_form(request)
    login_name = forms.text(form, "login_name", LOGIN_NAME_LENGTH)
    found = services(request)
    try:
        async with found.database.transaction() as session:
            link = await password_reset.request_reset(
                session, login_name, client_address=client_address(request)
            )
            if link is not None:
                account_letters.queue_reset(session, found.letters, link)
    except TooMany as error:
        context = {"values": {"login_name": login_name}, "wait_minutes": wait_minutes(error)}
        return render(
            request,
            "password_forgotten.html",
            context,
            status_code=429,
            headers=wait_headers(error),
        )
    return RedirectResponse(f"{FORGOTTEN_PAGE}?sent=1", status_code=303)


async def reset_page(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        async with services(request).database.reading() as session:
            account = await password_reset.usable_link(session, token)
    except NotFound:
        return link_unusable(request)
    return _reset_form(request, account, token, {})


async def reset(request: Request) -> Response:
    """Hash while only reading, then use the link, set the password and end every login in a
    short write. An active account is logged in afresh; any other goes to log in, which tells
    a suspended resident about the suspension."""
    token = request.path_params["token"]
    form = await forms.read_form(request)
    password = forms.text(form, "password", forms.PASSWORD_LENGTH)
    password_again = forms.text(form, "password_again", forms.PASSWORD_LENGTH)
    found = services(request)
    try:
        async with found.database.reading() as session:
            prepared = await password_reset.prepare(session, token, password, password_again)
        if prepared.problems:
            return _reset_form(request, prepared.account, token, prepared.problems, 400)
        async with found.database.transaction() as session:
            account = await password_reset.reset(session, prepared)
            if previous := login_token(request):
                await login_sessions.end_session(session, previous)
            fresh = None
            if account.status == AccountStatus.ACTIVE:
                fresh = await login_sessions.start_session(session, account)
    except NotFound:
        return link_unusable(request)
    if fresh is None:
        return render(request, "password_reset_done.html")
    response = RedirectResponse(AFTER_RESET, status_code=303)
    set_session_cookie(response, fresh, secure=found.settings.uses_https)
    return response


def _reset_form(
    request: Request,
    account: Account,
    token: str,
    problems: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "username": account.username,
        "action": paths.password_reset(token),
        "errors": translate_errors(problems, gettext_for(request)),
    }
    return render(request, "password_reset.html", context, status_code=status_code)


routes = [
    Route(FORGOTTEN_PAGE, forgotten_page, methods=["GET"]),
    Route(FORGOTTEN_PAGE, ask_for_link, methods=["POST"]),
    Route("/password/reset/{token}", reset_page, methods=["GET"]),
    Route("/password/reset/{token}", reset, methods=["POST"]),
]
