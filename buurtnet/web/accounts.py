"""Logging in and out, and signing up."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import login, login_sessions, neighbourhoods, registration, site
from buurtnet.mail import account_letters
from buurtnet.models import AccountStatus, RegistrationMode
from buurtnet.web import appeals, forms
from buurtnet.web.auth import (
    LOGIN_LIMIT_HEADERS,
    clear_session_cookie,
    current_account,
    login_token,
    set_session_cookie,
)
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import Services, services
from buurtnet.web.templating import gettext_for, render
from buurtnet.web.welcome import WELCOME_PATH

LOGIN_NAME_LENGTH = 254
SIGN_UP_FIELDS = (
    "username",
    "email",
    "display_name",
    "invite_code",
    "neighbourhood",
    "accept_rules",
)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def login_page(request: Request) -> Response:
    if current_account(request):
        return RedirectResponse("/", status_code=303)
    return render(
        request, "login.html", {"next": forms.safe_next(request.query_params.get("next"))}
    )


async def log_in(request: Request) -> Response:
    """Check the password while only reading, then count or start the login in a short write.

    A fresh login replaces any login this browser had.
    """
    form = await forms.read_form(request)
    login_name = forms.text(form, "login_name", LOGIN_NAME_LENGTH)
    next_path = forms.safe_next(forms.text(form, "next"))
    found = services(request)
    async with found.database.reading() as session:
        check = await login.check_password(
            session,
            login_name,
            forms.text(form, "password", forms.PASSWORD_LENGTH),
            client_address=client_address(request),
        )
    token = None
    async with found.database.transaction() as session:
        outcome = await login.finish_login(session, check)
        if outcome.account is not None:
            if previous := login_token(request):
                await login_sessions.end_session(session, previous)
            token = await login_sessions.start_session(session, outcome.account)
    if token is None:
        assert outcome.refusal is not None
        if outcome.refusal == login.LoginRefusal.SUSPENDED and check.account_id is not None:
            return await appeals.suspended_page(request, check.account_id)
        return _refused(request, outcome.refusal, login_name, next_path)
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, token, secure=found.settings.uses_https)
    return response


def _refused(
    request: Request, refusal: login.LoginRefusal, login_name: str, next_path: str
) -> Response:
    context = {
        "errors": translate_errors({"form": refusal.value}, gettext_for(request)),
        "values": {"login_name": login_name},
        "next": next_path,
    }
    if refusal == login.LoginRefusal.TOO_MANY:
        return render(request, "login.html", context, status_code=429, headers=LOGIN_LIMIT_HEADERS)
    return render(request, "login.html", context, status_code=400)


async def log_out(request: Request) -> Response:
    await forms.read_form(request)
    found = services(request)
    token = login_token(request)
    if token:
        async with found.database.transaction() as session:
            await login_sessions.end_session(session, token)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response, secure=found.settings.uses_https)
    return response


async def sign_up_page(request: Request) -> Response:
    if current_account(request):
        return RedirectResponse("/", status_code=303)
    values = {"invite_code": request.query_params.get("code", "")[:40]}
    return await _sign_up_form(request, values, {})


async def sign_up(request: Request) -> Response:
    form = await forms.read_form(request)
    values = {name: forms.text(form, name, 300) for name in SIGN_UP_FIELDS}
    request_data = registration.SignUp(
        username=values["username"].strip(),
        email=values["email"],
        password=forms.text(form, "password", forms.PASSWORD_LENGTH),
        password_again=forms.text(form, "password_again", forms.PASSWORD_LENGTH),
        display_name=values["display_name"],
        invite_code=values["invite_code"],
        neighbourhood_slug=values["neighbourhood"],
        rules_accepted=values["accept_rules"] == "yes",
    )
    found = services(request)
    try:
        outcome, token = await _register(found, request_data, client_address(request))
    except registration.RegistrationClosed:
        return await _sign_up_form(request, values, {}, status_code=403)
    except registration.TooManySignUps as error:
        raise HTTPException(status_code=429, detail="sign_up_limit") from error
    if outcome.account is None:
        messages = translate_errors(outcome.errors, gettext_for(request))
        return await _sign_up_form(request, values, messages, status_code=400)
    if token is None:
        return render(request, "sign_up_pending.html", {"username": outcome.account.username})
    response = RedirectResponse(WELCOME_PATH, status_code=303)  # a photo, a line about oneself
    set_session_cookie(response, token, secure=found.settings.uses_https)
    return response


async def _register(
    found: Services, sign_up: registration.SignUp, address: str
) -> tuple[registration.SignUpOutcome, str | None]:
    """Hash while only reading, then create the account (its first login, and the mail that
    confirms its address) in a short write."""
    async with found.database.reading() as session:
        password_hash = await registration.prepare_sign_up(session, sign_up, client_address=address)
    async with found.database.transaction() as session:
        outcome = await registration.register(
            session, sign_up, password_hash=password_hash, client_address=address
        )
        if outcome.account is None:
            return outcome, None
        await account_letters.confirm_new_account(session, found.letters, outcome.account)
        if outcome.account.status != AccountStatus.ACTIVE:
            return outcome, None
        return outcome, await login_sessions.start_session(session, outcome.account)


async def _sign_up_form(
    request: Request, values: dict[str, str], errors: dict[str, str], *, status_code: int = 200
) -> Response:
    async with services(request).database.reading() as session:
        mode = await site.registration_mode(session)
        choices = (
            await neighbourhoods.list_all(session) if mode == RegistrationMode.APPROVAL else []
        )
    template = "sign_up_closed.html" if mode == RegistrationMode.CLOSED else "sign_up.html"
    context = {"mode": mode, "values": values, "errors": errors, "neighbourhoods": choices}
    return render(request, template, context, status_code=status_code)


routes = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", log_in, methods=["POST"]),
    Route("/logout", log_out, methods=["POST"]),
    Route("/register", sign_up_page, methods=["GET"]),
    Route("/register", sign_up, methods=["POST"]),
]
