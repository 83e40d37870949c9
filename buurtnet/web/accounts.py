"""Logging in and out, and signing up."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import accounts, login_sessions, neighbourhoods, registration, site
from buurtnet.core.errors import InvalidInput
from buurtnet.models import AccountStatus, RegistrationMode
from buurtnet.web import forms
from buurtnet.web.auth import (
    clear_session_cookie,
    current_account,
    login_token,
    set_session_cookie,
)
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

LOGIN_NAME_LENGTH = 254
PASSWORD_LENGTH = 1000


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def login_page(request: Request) -> Response:
    if current_account(request):
        return RedirectResponse("/", status_code=303)
    return render(
        request, "login.html", {"next": forms.safe_next(request.query_params.get("next"))}
    )


async def log_in(request: Request) -> Response:
    """Check the password; a fresh login replaces any login this browser had."""
    form = await forms.read_form(request)
    login_name = forms.text(form, "login_name", LOGIN_NAME_LENGTH)
    next_path = forms.safe_next(forms.text(form, "next"))
    found = services(request)
    token = None
    async with found.database.transaction() as session:
        outcome = await accounts.log_in(
            session,
            login_name,
            forms.text(form, "password", PASSWORD_LENGTH),
            client_address=client_address(request),
        )
        if outcome.account is not None:
            if previous := login_token(request):
                await login_sessions.end_session(session, previous)
            token = await login_sessions.start_session(session, outcome.account)
    if token is None:
        assert outcome.refusal is not None
        return _refused(request, outcome.refusal, login_name, next_path)
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, token, secure=found.settings.uses_https)
    return response


def _refused(
    request: Request, refusal: accounts.LoginRefusal, login_name: str, next_path: str
) -> Response:
    context = {
        "errors": translate_errors({"form": refusal.value}, gettext_for(request)),
        "values": {"login_name": login_name},
        "next": next_path,
    }
    if refusal == accounts.LoginRefusal.TOO_MANY:
        retry_after = str(int(accounts.LOGIN_WINDOW.total_seconds()))
        return render(
            request, "login.html", context, status_code=429, headers={"Retry-After": retry_after}
        )
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
    values = {
        name: forms.text(form, name, 300)
        for name in ("username", "email", "display_name", "invite_code", "neighbourhood")
    }
    request_data = registration.SignUp(
        username=values["username"].strip(),
        email=values["email"],
        password=forms.text(form, "password", PASSWORD_LENGTH),
        password_again=forms.text(form, "password_again", PASSWORD_LENGTH),
        display_name=values["display_name"],
        invite_code=values["invite_code"],
        neighbourhood_slug=values["neighbourhood"],
    )
    found = services(request)
    try:
        async with found.database.transaction() as session:
            account = await registration.register(
                session, request_data, client_address=client_address(request)
            )
            token = None
            if account.status == AccountStatus.ACTIVE:
                await session.flush()
                token = await login_sessions.start_session(session, account)
    except InvalidInput as error:
        messages = translate_errors(error.errors, gettext_for(request))
        return await _sign_up_form(request, values, messages, status_code=400)
    except registration.RegistrationClosed:
        return await _sign_up_form(request, values, {}, status_code=403)
    except registration.TooManySignUps as error:
        raise HTTPException(status_code=429, detail="sign_up_limit") from error
    if token is None:
        return render(request, "sign_up_pending.html", {"username": account.username})
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, token, secure=found.settings.uses_https)
    return response


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
