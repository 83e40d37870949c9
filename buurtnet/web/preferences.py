"""The settings page of one's own account: name, bio, photo, language and password; and the
language switch."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import accounts, login_sessions
from buurtnet.core.errors import InvalidInput
from buurtnet.models import Account
from buurtnet.web import avatars, forms
from buurtnet.web.accounts import client_address
from buurtnet.web.auth import LOGIN_LIMIT_HEADERS, current_account, login_token, require_account
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import LANGUAGE_COOKIE, gettext_for, render

LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
AVATAR_FIELD = avatars.FIELD


def _stored_values(account: Account) -> dict[str, str]:
    return {
        "display_name": account.display_name,
        "bio": account.bio,
        "locale": account.locale or "",
    }


async def settings_page(request: Request) -> Response:
    account = require_account(request)
    saved = request.query_params.get("saved", "")
    return render(request, "settings.html", {"values": _stored_values(account), "saved": saved})


async def save_profile(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form(request)
    values = {
        "display_name": forms.text(form, "display_name", 200),
        "bio": forms.text(form, "bio", 2 * accounts.BIO_LENGTH),
        "locale": forms.text(form, "locale", 10),
    }
    try:
        async with services(request).database.transaction() as session:
            await accounts.update_profile(
                session,
                account,
                display_name=values["display_name"],
                locale=values["locale"] or None,
                bio=values["bio"],
            )
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return render(
            request, "settings.html", {"values": values, "errors": errors}, status_code=400
        )
    return RedirectResponse("/settings?saved=profile", status_code=303)


async def change_password(request: Request) -> Response:
    """Check the current password while only reading, then save in a short write.

    A new password also logs out every other device.
    """
    account = require_account(request)
    assert account.id is not None
    form = await forms.read_form(request)
    new_password = forms.text(form, "new_password", forms.PASSWORD_LENGTH)
    if new_password != forms.text(form, "new_password_again", forms.PASSWORD_LENGTH):
        return _password_form_errors(request, account, {"new_password_again": "password_mismatch"})
    database = services(request).database
    async with database.reading() as session:
        current = forms.text(form, "current_password", forms.PASSWORD_LENGTH)
        change = await accounts.check_password_change(
            session, account, current, new_password, client_address=client_address(request)
        )
    async with database.transaction() as session:
        problems = await accounts.save_password_change(session, change)
        if not problems:
            await login_sessions.end_other_sessions(session, account.id, login_token(request))
    if problems:
        return _password_form_errors(request, account, problems)
    return RedirectResponse("/settings?saved=password", status_code=303)


def _password_form_errors(request: Request, account: Account, problems: dict[str, str]) -> Response:
    values = _stored_values(account)
    messages = translate_errors(problems, gettext_for(request))
    if accounts.TOO_MANY_GUESSES in problems.values():
        status_code, headers = 429, LOGIN_LIMIT_HEADERS
    else:
        status_code, headers = 400, {}
    return render(
        request,
        "settings.html",
        {"values": values, "errors": messages},
        status_code=status_code,
        headers=headers,
    )


async def change_avatar(request: Request) -> Response:
    """Store the new photo first (slow: it is decoded and re-encoded), then point the profile at
    it; the old file goes by a job. A photo that cannot be saved is removed again."""
    account = require_account(request)
    form = await forms.read_form_with_files(request, max_files=1)
    found = services(request)
    try:
        key = await avatars.store_uploaded(found.storage, form)
        if key is None:
            raise InvalidInput.single(AVATAR_FIELD, "avatar_missing")
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        context = {"values": _stored_values(account), "errors": errors}
        return render(request, "settings.html", context, status_code=400)
    finally:
        await form.close()
    stored_key = avatars.removed_on_failure(found.storage, key)
    async with stored_key, found.database.transaction() as session:
        await accounts.set_avatar(session, account, key)
    return RedirectResponse("/settings?saved=avatar", status_code=303)


async def remove_avatar(request: Request) -> Response:
    account = require_account(request)
    await forms.read_form(request)
    async with services(request).database.transaction() as session:
        await accounts.set_avatar(session, account, None)
    return RedirectResponse("/settings?saved=avatar", status_code=303)


async def switch_language(request: Request) -> Response:
    """The language buttons at the bottom of every page: for the account, or for this browser."""
    form = await forms.read_form(request)
    locale = forms.text(form, "locale", 10)
    if locale not in accounts.SUPPORTED_LOCALES:
        locale = ""
    account = current_account(request)
    found = services(request)
    if account is not None and locale:
        async with found.database.transaction() as session:
            await accounts.set_locale(session, account, locale)
    response = RedirectResponse(forms.safe_next(forms.text(form, "next")), status_code=303)
    if locale:
        response.set_cookie(
            LANGUAGE_COOKIE,
            locale,
            max_age=LANGUAGE_COOKIE_AGE,
            httponly=True,
            samesite="lax",
            secure=found.settings.uses_https,
        )
    return response


routes = [
    Route("/settings", settings_page, methods=["GET"]),
    Route("/settings/profile", save_profile, methods=["POST"]),
    Route("/settings/password", change_password, methods=["POST"]),
    Route("/settings/avatar", change_avatar, methods=["POST"]),
    Route("/settings/avatar/remove", remove_avatar, methods=["POST"]),
    Route("/language", switch_language, methods=["POST"]),
]
