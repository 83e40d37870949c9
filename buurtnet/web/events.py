"""`/events`: a neighbourhood's activities, upcoming or past, or a month of them by day.

The viewer's own neighbourhood unless they choose another (`?neighbourhood=slug`); a month as
`?month=2026-12`. The month is a list of days on a phone and a grid of weeks on a wide screen,
the same HTML either way, without JavaScript.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet.core import event_listings, local_times, neighbourhoods
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.core.event_listings import Listed, Month
from buurtnet.models import Account, Neighbourhood, utcnow
from buurtnet.web.auth import current_account
from buurtnet.web.event_messages import translate
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render


@dataclass(frozen=True)
class Day:
    """A day of the month's grid; `day` None for the empty cells before the first."""

    day: date | None
    items: list[Listed]


async def events_page(request: Request) -> Response:
    viewer = current_account(request)
    zone = ZoneInfo(services(request).settings.time_zone)
    now = utcnow()
    today = local_times.local_day(now, zone)
    errors: dict[str, str] = {}
    month: Month | None = None
    if month_text := request.query_params.get("month"):
        try:
            month = event_listings.parse_month(month_text, today)
        except InvalidInput as error:
            errors = translate(error.errors, gettext_for(request))
    when = "past" if request.query_params.get("when") == "past" and not month else "upcoming"
    async with services(request).database.reading() as session:
        places = await neighbourhoods.list_all(session)
        chosen = _chosen(places, viewer, request.query_params.get("neighbourhood"))
        place_id = chosen.id if chosen else None
        items: list[Listed] = []
        days: list[Day] = []
        if month is not None:
            found = await event_listings.in_month(session, viewer, place_id, month, zone, now=now)
            days = _grid(month, found)
        elif when == "past":
            items = await event_listings.past(session, viewer, place_id, now=now)
        else:
            items = await event_listings.upcoming(session, viewer, place_id, now=now)
    context = {
        "neighbourhoods": places,
        "chosen": chosen,
        "when": "month" if month else when,
        "month": month or Month(today.replace(day=1)),
        "items": items,
        "days": days,
        "month_is_empty": not any(day.items for day in days),
        "today": today,
        "errors": errors,
    }
    return render(request, "events.html", context, status_code=400 if errors else 200)


def _chosen(
    places: list[Neighbourhood], viewer: Account | None, slug: str | None
) -> Neighbourhood | None:
    """The neighbourhood asked for, else the viewer's own, else the first."""
    if slug:
        for place in places:
            if place.slug == slug.lower():
                return place
        raise NotFound(slug)
    if viewer is not None and viewer.neighbourhood_id is not None:
        for place in places:
            if place.id == viewer.neighbourhood_id:
                return place
    return places[0] if places else None


def _grid(month: Month, found: dict[date, list[Listed]]) -> list[Day]:
    """The month's days from Monday of its first week, with their activities."""
    before = [Day(None, []) for _blank in range(month.first.weekday())]
    _first, length = calendar.monthrange(month.first.year, month.first.month)
    days = [month.first.replace(day=number) for number in range(1, length + 1)]
    return before + [Day(day, found.get(day, [])) for day in days]


routes = [Route("/events", events_page, methods=["GET"])]
