"""The start page: the home feed for residents (the composer is a line that leads to it), the
neighbourhoods for visitors."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet.core import event_listings, feeds, neighbourhoods, survey_periods
from buurtnet.models import Account
from buurtnet.web.auth import current_account, current_neighbourhood
from buurtnet.web.ids import cursor
from buurtnet.web.pins import pinned_atop
from buurtnet.web.posted import just_posted
from buurtnet.web.services import local_today, services
from buurtnet.web.templating import render


async def start(request: Request) -> Response:
    account = current_account(request)
    if account is not None:
        return await render_home(request, account)
    async with services(request).database.reading() as session:
        all_neighbourhoods = await neighbourhoods.list_all(session)
    return render(request, "start.html", {"neighbourhoods": all_neighbourhoods})


async def render_home(request: Request, account: Account) -> Response:
    async with services(request).database.reading() as session:
        page = await feeds.home_feed(session, account, cursor(request))
        pinned, page = await pinned_atop(session, request, page, account.neighbourhood_id, account)
        upcoming = await event_listings.upcoming(
            session, account, account.neighbourhood_id, limit=event_listings.UPCOMING_SHORT
        )
        survey = await survey_periods.invitation(session, account, local_today(request))
    context = {
        "page": page,
        "pinned": pinned,
        "upcoming": upcoming,
        "survey_invitation": survey is not None,
        "neighbourhood": current_neighbourhood(request),
        "deleted": request.query_params.get("deleted") == "1",
        "posted": just_posted(request, account, page.items),
    }
    return render(request, "home.html", context)


routes = [Route("/", start, methods=["GET"])]
