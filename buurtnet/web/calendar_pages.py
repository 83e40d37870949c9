"""The pages that hand out the calendar feeds: a neighbourhood's (for anyone), and the settings
page where residents make, renew or stop the secret link of their own feed."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import calendars, neighbourhoods
from buurtnet.web import forms
from buurtnet.web.auth import require_account
from buurtnet.web.calendars import neighbourhood_feed_path, personal_feed_path
from buurtnet.web.services import services
from buurtnet.web.templating import render


def _links(request: Request, path: str) -> dict[str, str]:
    """The feed's address to copy, and the same as `webcal:`, which phones open as a
    subscription in their calendar app."""
    address = services(request).settings.base_url + path
    return {"feed_url": address, "webcal_url": "webcal" + address[address.index("://") :]}


async def neighbourhood_calendar_page(request: Request) -> Response:
    async with services(request).database.reading() as session:
        neighbourhood = await neighbourhoods.get_by_slug(session, request.path_params["slug"])
    links = _links(request, neighbourhood_feed_path(neighbourhood.slug))
    context = {"neighbourhood": neighbourhood, **links}
    return render(request, "neighbourhood_calendar.html", context)


async def calendar_settings_page(request: Request) -> Response:
    account = require_account(request)
    assert account.id is not None
    async with services(request).database.reading() as session:
        feed = await calendars.feed_of(session, account.id)
    stopped = request.query_params.get("stopped") == "1"
    return render(request, "calendar_settings.html", {"feed": feed, "stopped": stopped})


async def start_personal_feed(request: Request) -> Response:
    """Make (or renew) the secret link, and show it this once: the page is the only place the
    token is written, not a URL that a redirect would keep in the browser's history."""
    account = require_account(request)
    assert account.id is not None
    await forms.read_form(request)
    async with services(request).database.transaction() as session:
        token = await calendars.start_feed(session, account)
        feed = await calendars.feed_of(session, account.id)
    context = {"feed": feed, **_links(request, personal_feed_path(token))}
    return render(request, "calendar_settings.html", context)


async def stop_personal_feed(request: Request) -> Response:
    account = require_account(request)
    assert account.id is not None
    await forms.read_form(request)
    async with services(request).database.transaction() as session:
        await calendars.stop_feed(session, account.id)
    return RedirectResponse("/settings/calendar?stopped=1", status_code=303)


routes = [
    Route("/n/{slug}/calendar", neighbourhood_calendar_page, methods=["GET"]),
    Route("/settings/calendar", calendar_settings_page, methods=["GET"]),
    Route("/settings/calendar", start_personal_feed, methods=["POST"]),
    Route("/settings/calendar/stop", stop_personal_feed, methods=["POST"]),
]
