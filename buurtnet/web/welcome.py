"""The welcome page after joining: a photo, a line about oneself and (if the neighbourhood
lists them) one's street or complex; saving or skipping it ends the home page's offer."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import accounts, places, welcome
from buurtnet.core.errors import InvalidInput
from buurtnet.web import avatars, forms
from buurtnet.web.auth import current_neighbourhood, require_account
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

WELCOME_PATH = "/welcome"
AFTER_WELCOME = "/"


async def welcome_page(request: Request) -> Response:
    account = require_account(request)
    return _render_form(request, {"bio": account.bio, "place": account.place})


async def save_welcome(request: Request) -> Response:
    """The photo is stored first (slow), then everything is saved in one short write."""
    account = require_account(request)
    form = await forms.read_form_with_files(request, max_files=1)
    values = {
        "bio": forms.text(form, "bio", 2 * accounts.BIO_LENGTH),
        "place": forms.text(form, "place", 2 * places.PLACE_LENGTH),
    }
    found = services(request)
    try:
        key = await avatars.store_uploaded(found.storage, form)
        async with (
            avatars.removed_on_failure(found.storage, key),
            found.database.transaction() as session,
        ):
            await welcome.save_welcome(
                session, account, bio=values["bio"], place=values["place"], avatar_key=key
            )
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return _render_form(request, values, errors, status_code=400)
    finally:
        await form.close()
    return RedirectResponse(AFTER_WELCOME, status_code=303)


async def skip_welcome(request: Request) -> Response:
    account = require_account(request)
    await forms.read_form(request)
    async with services(request).database.transaction() as session:
        await welcome.skip_welcome(session, account)
    return RedirectResponse(AFTER_WELCOME, status_code=303)


def _render_form(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    neighbourhood = current_neighbourhood(request)
    context = {
        "values": values,
        "errors": errors or {},
        "neighbourhood": neighbourhood,
        "places": places.listed(neighbourhood.places) if neighbourhood else [],
    }
    return render(request, "welcome.html", context, status_code=status_code)


routes = [
    Route(WELCOME_PATH, welcome_page, methods=["GET"]),
    Route(WELCOME_PATH, save_welcome, methods=["POST"]),
    Route(f"{WELCOME_PATH}/skip", skip_welcome, methods=["POST"]),
]
